"""Queue features with RabbitMQ's semantics, through pika:

  * x-message-ttl and a per-message expiration: the expired message is dead-lettered
    with an x-death entry (count, reason expired, queue, time, exchange, routing-keys,
    original-expiration) and x-first-death-* headers, its expiration removed;
  * basic.reject(requeue=False) dead-letters with reason rejected, to the
    x-dead-letter-routing-key;
  * x-max-length with drop-head keeps the newest messages and dead-letters the dropped
    head with reason maxlen;
  * x-overflow reject-publish: the publisher in confirm mode gets basic.nack;
  * x-max-priority: higher priorities first, FIFO within one, above the maximum counts
    as the maximum;
  * x-expires deletes an unused queue; invalid arguments and expirations are 406 with
    RabbitMQ's texts.
"""

import time

import pika

import common
from common import check, check_eq, step


def wait_get(ch, queue, timeout=5.0):
    """basic.get (auto-ack) until a message arrives or the timeout passes."""
    deadline = common.Deadline(timeout)
    while not deadline.expired():
        method, props, body = ch.basic_get(queue, auto_ack=True)
        if method is not None:
            return method, props, body
        ch.connection.sleep(0.02)
    raise common.ScenarioFailure("nothing arrived in %s within %.0fs" % (queue, timeout))


def drain(ch, queue):
    return [body.decode() for _m, _p, body in common.drain_get(ch, queue)]


def check_death(death, reason, queue, exchange, keys, what):
    check_eq(death.get("count"), 1, what + " count")
    check_eq(death.get("reason"), reason, what + " reason")
    check_eq(death.get("queue"), queue, what + " queue")
    check_eq(death.get("exchange"), exchange, what + " exchange")
    check_eq(death.get("routing-keys"), keys, what + " routing-keys")
    stamp = death.get("time")
    check(stamp is not None and abs(stamp.timestamp() - time.time()) < 120,
          "%s time should be a timestamp near now, got %r" % (what, stamp))


def scenario():
    conn = common.connect()
    ch = conn.channel()
    dlq = common.unique("features.dlq")
    ch.queue_declare(dlq, exclusive=True)

    # 1. TTL expiry, dead-lettered through the default exchange with x-death
    q = common.unique("features.ttl")
    ch.queue_declare(q, exclusive=True, arguments={
        "x-message-ttl": 150, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq})
    ch.basic_publish("", q, b"by-queue-ttl")
    ch.basic_publish("", q, b"by-own-ttl", pika.BasicProperties(expiration="60", headers={"app": "x"}))
    method, props, body = wait_get(ch, dlq)
    check_eq(body, b"by-queue-ttl", "first dead letter")
    check_eq((method.exchange, method.routing_key), ("", dlq), "dead letter's exchange and routing key")
    deaths = props.headers.get("x-death")
    check(isinstance(deaths, list) and len(deaths) == 1, "x-death should hold one entry: %r" % (props.headers,))
    check_death(deaths[0], "expired", q, "", [q], "x-death")
    check("original-expiration" not in deaths[0], "no original-expiration without an expiration property")
    check_eq((props.headers.get("x-first-death-reason"), props.headers.get("x-first-death-queue"),
              props.headers.get("x-first-death-exchange")), ("expired", q, ""), "x-first-death-*")
    method, props, body = wait_get(ch, dlq)
    check_eq(body, b"by-own-ttl", "second dead letter")
    check(props.expiration is None, "the expiration property is removed from the dead letter")
    check_eq(props.headers.get("x-death")[0].get("original-expiration"), "60", "original-expiration")
    check_eq(props.headers.get("app"), "x", "the message's own headers are kept")
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 0, "the TTL queue after expiry")
    step("x-message-ttl and expiration: expired messages dead-lettered with x-death, expiration removed")

    # 2. reject without requeue -> DLX with reason rejected
    rq = common.unique("features.reject")
    ch.queue_declare(rq, exclusive=True, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq})
    ch.basic_publish("", rq, b"unwanted")
    method, _p, _b = ch.basic_get(rq, auto_ack=False)
    check(method is not None, "basic.get on %s returned get-empty" % rq)
    ch.basic_reject(method.delivery_tag, requeue=False)
    _m, props, body = wait_get(ch, dlq)
    check_eq(body, b"unwanted", "rejected dead letter")
    check_death(props.headers["x-death"][0], "rejected", rq, "", [rq], "rejected x-death")
    step("basic.reject(requeue=False) -> dead-lettered with reason rejected")

    # 3. x-max-length drop-head, the dropped head dead-lettered as maxlen
    mq = common.unique("features.maxlen")
    ch.queue_declare(mq, exclusive=True, arguments={
        "x-max-length": 2, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq})
    for body in [b"m1", b"m2", b"m3", b"m4"]:
        ch.basic_publish("", mq, body)
    check_eq(drain(ch, mq), ["m3", "m4"], "max-length 2 keeps the newest")
    dropped = [wait_get(ch, dlq) for _ in range(2)]
    check_eq([b.decode() for _m, _p, b in dropped], ["m1", "m2"], "dropped heads, in order")
    check_eq(dropped[0][1].headers["x-death"][0]["reason"], "maxlen", "drop-head reason")
    step("x-max-length drop-head keeps the newest, dead-letters the dropped heads (maxlen)")

    # 4. reject-publish: basic.nack in confirm mode
    cch = conn.channel()
    cch.confirm_delivery()
    pq = common.unique("features.reject-publish")
    cch.queue_declare(pq, exclusive=True, arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    outcomes = []
    for body in [b"fits", b"refused"]:
        try:
            cch.basic_publish("", pq, body)
            outcomes.append("ack")
        except pika.exceptions.NackError:
            outcomes.append("nack")
    check_eq(outcomes, ["ack", "nack"], "confirms under reject-publish")
    check_eq(drain(cch, pq), ["fits"], "reject-publish queue")
    step("x-overflow reject-publish -> basic.nack for the refused publish")

    # 5. priorities
    prq = common.unique("features.priority")
    ch.queue_declare(prq, exclusive=True, arguments={"x-max-priority": 5})
    for body, priority in [("a0", None), ("b3", 3), ("c9", 9), ("d5", 5), ("e3", 3), ("f1", 1)]:
        ch.basic_publish("", prq, body.encode(), pika.BasicProperties(priority=priority))
    check_eq(drain(ch, prq), ["c9", "d5", "b3", "e3", "f1", "a0"], "priority order")
    step("x-max-priority: highest first, FIFO within a priority, 9 counted as 5")

    # 6. x-expires, and 406s with RabbitMQ's texts
    xq = common.unique("features.expires")
    ch.queue_declare(xq, arguments={"x-expires": 300})
    conn.sleep(1.0)
    common.expect_channel_closed(404, "passive declare of an expired queue",
                                 lambda: ch.queue_declare(xq, passive=True))
    ch = conn.channel()
    e = common.expect_channel_closed(406, "x-message-ttl -1",
                                     lambda: ch.queue_declare(common.unique("features.bad"),
                                                              arguments={"x-message-ttl": -1}))
    check(e.reply_text.endswith("': {value_negative,-1}"), "invalid arg text: %r" % e.reply_text)
    ch = conn.channel()
    e = common.expect_channel_closed(406, "publish with expiration 'soon'",
                                     lambda: (ch.basic_publish("", dlq, b"x", pika.BasicProperties(expiration="soon")),
                                              ch.queue_declare(dlq, passive=True)))
    check_eq(e.reply_text, "PRECONDITION_FAILED - invalid expiration 'soon': no_integer", "expiration text")
    step("x-expires deletes the unused queue; invalid x-message-ttl and expiration are 406")
    conn.close()


if __name__ == "__main__":
    common.run("queue_features", scenario)
