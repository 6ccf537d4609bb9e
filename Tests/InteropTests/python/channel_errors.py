"""soft (channel-level) errors: each must surface in pika as
pika.exceptions.ChannelClosedByBroker with RabbitMQ's reply code, close only that
channel, and leave the connection usable: after every error a new channel on the same
connection must round-trip a message.

  404 NOT_FOUND        passive declare of a missing queue / exchange; publish to a missing exchange
  405 RESOURCE_LOCKED  exclusive queue of connection A declared / consumed / got from B
  406 PRECONDITION_FAILED  redeclare with different durable (queue and exchange type);
                       ack of an unknown delivery tag; double ack
  403 ACCESS_REFUSED   declaring exchange amq.foo (and queue amq.foo)
"""

import pika

import common
from common import check, check_eq, expect_channel_closed, step


class Checker:
    def __init__(self, conn):
        self.conn = conn
        self.roundtrips = 0

    def still_works(self, after):
        """The connection survived a channel error: a new channel round-trips a message."""
        check(self.conn.is_open, "connection closed after %s (should close the channel only)" % after)
        ch = self.conn.channel()
        q = ch.queue_declare("", exclusive=True).method.queue
        body = ("alive after %s" % after).encode()
        ch.basic_publish("", q, body)
        method, _props, got = ch.basic_get(q, auto_ack=True)
        check(method is not None and got == body, "round trip on a new channel failed after %s" % after)
        ch.close()
        self.roundtrips += 1


def scenario():
    conn = common.connect()
    c = Checker(conn)

    # 404 passive declare of a missing queue / exchange
    ch = conn.channel()
    missing = common.unique("errors.missing")
    e = expect_channel_closed(404, "passive queue.declare of a missing queue",
                              lambda: ch.queue_declare(missing, passive=True))
    check_eq(e.reply_text, "NOT_FOUND - no queue '%s' in vhost '/'" % missing, "reply text")
    check(ch.is_closed, "channel should be closed after the 404")
    c.still_works("404 on passive queue.declare")

    ch = conn.channel()
    e = expect_channel_closed(404, "passive exchange.declare of a missing exchange",
                              lambda: ch.exchange_declare(missing, passive=True))
    check_eq(e.reply_text, "NOT_FOUND - no exchange '%s' in vhost '/'" % missing, "reply text")
    c.still_works("404 on passive exchange.declare")

    # 404 publish to a missing exchange: asynchronous without confirms (the next
    # synchronous call on the channel raises), immediate with confirms.
    ch = conn.channel()
    ch.basic_publish(missing, "rk", b"into the void")
    e = expect_channel_closed(404, "publish to a missing exchange, then basic.qos",
                              lambda: ch.basic_qos(prefetch_count=1))
    check_eq(e.reply_text, "NOT_FOUND - no exchange '%s' in vhost '/'" % missing, "reply text")
    c.still_works("404 on basic.publish")
    ch = conn.channel()
    ch.confirm_delivery()
    expect_channel_closed(404, "publish to a missing exchange on a confirm channel",
                          lambda: ch.basic_publish(missing, "rk", b"into the void"))
    c.still_works("404 on basic.publish with confirms")

    # 405 exclusive queue owned by connection A used from connection B
    owner = common.connect()
    och = owner.channel()
    exclusive = common.unique("errors.exclusive")
    och.queue_declare(exclusive, exclusive=True)
    och.basic_publish("", exclusive, b"mine")
    for what, op in [
        ("queue.declare (exclusive) from connection B", lambda ch: ch.queue_declare(exclusive, exclusive=True)),
        ("queue.declare (non-exclusive) from connection B", lambda ch: ch.queue_declare(exclusive)),
        ("basic.consume from connection B", lambda ch: ch.basic_consume(exclusive, lambda *a: None)),
        ("basic.get from connection B", lambda ch: ch.basic_get(exclusive)),
    ]:
        ch = conn.channel()
        e = expect_channel_closed(405, what, lambda: op(ch))
        check(e.reply_text.startswith("RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '%s'"
                                      % exclusive), "reply text of the 405: %r" % e.reply_text)
        c.still_works("405 on " + what)
    # ... while A keeps full use of it.
    method, _p, body = och.basic_get(exclusive, auto_ack=True)
    check(method is not None and body == b"mine", "the owner should still get its message")
    owner.close()

    # 406 redeclare with a different durable flag / exchange type
    durable_q = common.unique("errors.durable")
    ch = conn.channel()
    ch.queue_declare(durable_q, durable=False, auto_delete=True)
    ch.queue_declare(durable_q, durable=False, auto_delete=True)  # equivalent redeclare is fine
    e = expect_channel_closed(406, "queue redeclare with durable=True",
                              lambda: ch.queue_declare(durable_q, durable=True, auto_delete=True))
    check_eq(e.reply_text, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue '%s' in vhost '/': "
             "received 'true' but current is 'false'" % durable_q, "reply text")
    c.still_works("406 on queue redeclare")
    ch = conn.channel()
    check_eq(ch.queue_delete(durable_q).method.message_count, 0, "cleanup of the durable test queue")

    ex = common.unique("errors.type")
    ch = conn.channel()
    ch.exchange_declare(ex, exchange_type="direct", auto_delete=True)
    e = expect_channel_closed(406, "exchange redeclare with another type",
                              lambda: ch.exchange_declare(ex, exchange_type="fanout", auto_delete=True))
    check(e.reply_text.startswith("PRECONDITION_FAILED - inequivalent arg 'type' for exchange '%s'" % ex),
          "reply text: %r" % e.reply_text)
    c.still_works("406 on exchange redeclare")
    conn.channel().exchange_delete(ex)

    # 406 ack of an unknown delivery tag (basic.ack is asynchronous; the next call raises)
    ch = conn.channel()
    ch.basic_ack(delivery_tag=42)
    e = expect_channel_closed(406, "basic.ack of unknown delivery tag 42, then basic.qos",
                              lambda: ch.basic_qos(prefetch_count=1))
    check_eq(e.reply_text, "PRECONDITION_FAILED - unknown delivery tag 42", "reply text")
    c.still_works("406 on unknown delivery tag")

    ch = conn.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    ch.basic_publish("", q, b"once")
    method, _p, _b = ch.basic_get(q, auto_ack=False)
    ch.basic_ack(method.delivery_tag)
    ch.basic_ack(method.delivery_tag)
    e = expect_channel_closed(406, "double basic.ack, then basic.qos", lambda: ch.basic_qos(prefetch_count=1))
    check_eq(e.reply_text, "PRECONDITION_FAILED - unknown delivery tag %d" % method.delivery_tag, "reply text")
    c.still_works("406 on double ack")

    # 403 amq.* names are reserved
    ch = conn.channel()
    e = expect_channel_closed(403, "exchange.declare amq.foo",
                              lambda: ch.exchange_declare("amq.foo", exchange_type="direct"))
    check(e.reply_text.startswith("ACCESS_REFUSED"), "reply text: %r" % e.reply_text)
    c.still_works("403 on exchange amq.foo")
    ch = conn.channel()
    e = expect_channel_closed(403, "queue.declare amq.foo", lambda: ch.queue_declare("amq.foo"))
    check(e.reply_text.startswith("ACCESS_REFUSED"), "reply text: %r" % e.reply_text)
    c.still_works("403 on queue amq.foo")
    ch = conn.channel()
    ch.exchange_declare("amq.direct", exchange_type="direct", durable=True)  # equivalent: allowed
    c.still_works("redeclare of amq.direct")

    check_eq(c.roundtrips, 15, "connection checks after errors")
    step("connection survived all %d channel errors" % (c.roundtrips - 1))
    conn.close()


if __name__ == "__main__":
    common.run("channel_errors", scenario)
