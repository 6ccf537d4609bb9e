"""queue basics: declare-ok counts, basic.get (get-ok with message_count, get-empty),
purge returns the count, queue.delete returns the count (and if-empty / if-unused
refuse with 406), a deleted queue is gone (404).
"""

import pika

import common
from common import check, check_eq, step


def publish(ch, queue, n, prefix="m"):
    for i in range(n):
        ch.basic_publish("", queue, ("%s%d" % (prefix, i)).encode(),
                         pika.BasicProperties(message_id="%s%d" % (prefix, i), content_type="text/plain"))


def scenario():
    conn = common.connect()
    ch = conn.channel()
    ch.confirm_delivery()

    # declare-ok and basic.get
    q = common.unique("basic.get")
    ok = ch.queue_declare(q).method
    check_eq((ok.queue, ok.message_count, ok.consumer_count), (q, 0, 0), "declare-ok of a new queue")
    publish(ch, q, 5)
    ok = ch.queue_declare(q, passive=True).method
    check_eq((ok.message_count, ok.consumer_count), (5, 0), "passive declare-ok counts after 5 publishes")
    for i in range(5):
        method, props, body = ch.basic_get(q, auto_ack=False)
        check(method is not None, "basic.get #%d returned get-empty" % i)
        check_eq(body, ("m%d" % i).encode(), "basic.get #%d body" % i)
        check_eq(method.message_count, 4 - i, "get-ok message_count after get #%d" % i)
        check_eq((method.exchange, method.routing_key, method.redelivered), ("", q, False),
                 "get-ok exchange/routing-key/redelivered #%d" % i)
        check_eq(method.delivery_tag, i + 1, "get-ok delivery tag #%d" % i)
        check_eq((props.message_id, props.content_type), ("m%d" % i, "text/plain"), "properties #%d" % i)
    ch.basic_ack(5, multiple=True)
    method, props, body = ch.basic_get(q)
    check(method is None and body is None, "basic.get on an empty queue should be get-empty, got %r" % (method,))
    step("get-ok carries message_count 4..0 in order; then get-empty")

    # purge
    publish(ch, q, 7)
    purged = ch.queue_purge(q).method.message_count
    check_eq(purged, 7, "purge-ok message_count")
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 0, "count after purge")
    check_eq(ch.queue_purge(q).method.message_count, 0, "purge of an empty queue")
    step("purge-ok counts 7, then 0")

    # delete if-empty on a non-empty queue -> 406
    publish(ch, q, 3)
    common.expect_channel_closed(406, "queue.delete if_empty on a queue holding 3",
                                 lambda: ch.queue_delete(q, if_empty=True))
    ch = conn.channel()
    ch.confirm_delivery()
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 3, "queue survives refused delete")

    # delete if-unused with a consumer -> 406 (on a separate, empty queue, so no deliveries
    # are in flight when the consumer goes away)
    q2 = common.unique("basic.unused")
    ch.queue_declare(q2, exclusive=True)
    other = conn.channel()
    other.basic_consume(q2, lambda *a: None, auto_ack=False)
    check_eq(ch.queue_declare(q2, passive=True).method.consumer_count, 1, "consumer_count with one consumer")
    common.expect_channel_closed(406, "queue.delete if_unused on a queue with a consumer",
                                 lambda: ch.queue_delete(q2, if_unused=True))
    other.close()
    ch = conn.channel()
    check_eq(ch.queue_delete(q2, if_unused=True).method.message_count, 0,
             "delete if_unused once the consumer is gone")

    deleted = ch.queue_delete(q).method.message_count
    check_eq(deleted, 3, "delete-ok message_count")
    common.expect_channel_closed(404, "passive declare of the deleted queue",
                                 lambda: ch.queue_declare(q, passive=True))
    step("delete-ok counts 3; the queue is gone")

    ch = conn.channel()
    check_eq(ch.queue_delete(common.unique("basic.never")).method.message_count, 0,
             "delete of a queue that never existed (RabbitMQ: delete-ok 0)")
    check(conn.is_open, "connection should still be open")
    conn.close()


if __name__ == "__main__":
    common.run("basic_ops", scenario)
