"""transactions: tx.select, publish, rollback -> nothing arrives; publish, commit ->
arrives (in order). Acks inside a transaction take effect only on commit. tx.commit on a
non-transactional channel -> 406 PRECONDITION_FAILED.
"""

import common
from common import check, check_eq, step


def count(ch, q):
    return ch.queue_declare(q, passive=True).method.message_count


def scenario():
    conn = common.connect()
    observer = common.connect()  # looks at the queue from another connection
    obs = observer.channel()
    q = common.unique("tx")
    obs.queue_declare(q, auto_delete=False)

    received = []
    consumer_ch = observer.channel()
    consumer_ch.basic_consume(q, lambda ch, m, p, b: (received.append(b.decode()), ch.basic_ack(m.delivery_tag)))

    ch = conn.channel()
    ch.tx_select()
    for i in range(3):
        ch.basic_publish("", q, ("rolled-back-%d" % i).encode())
    observer.process_data_events(time_limit=0.3)
    check_eq(received, [], "deliveries of uncommitted publishes")
    ch.tx_rollback()
    observer.process_data_events(time_limit=0.5)
    check_eq(received, [], "deliveries after tx.rollback")
    step("publish + rollback: nothing arrived")

    for i in range(3):
        ch.basic_publish("", q, ("committed-%d" % i).encode())
    ch.tx_commit()
    deadline = common.Deadline(10)
    while len(received) < 3 and not deadline.expired():
        observer.process_data_events(time_limit=0.1)
    observer.process_data_events(time_limit=0.2)
    check_eq(received, ["committed-0", "committed-1", "committed-2"], "deliveries after tx.commit")
    step("publish + commit: all 3 arrived in order")

    # The channel stays transactional: a second rollback/commit cycle behaves the same.
    ch.basic_publish("", q, b"second-rollback")
    ch.tx_rollback()
    ch.basic_publish("", q, b"second-commit")
    ch.tx_commit()
    deadline = common.Deadline(10)
    while len(received) < 4 and not deadline.expired():
        observer.process_data_events(time_limit=0.1)
    observer.process_data_events(time_limit=0.2)
    check_eq(received[3:], ["second-commit"], "deliveries in the second transaction")
    consumer_ch.close()

    # Acks are transactional too: a rolled-back ack leaves the message unacked.
    ch.basic_publish("", q, b"acked-in-tx")
    ch.tx_commit()
    check_eq(count(obs, q), 1, "ready messages after committing one publish")
    method, _p, body = ch.basic_get(q, auto_ack=False)
    check(method is not None and body == b"acked-in-tx", "basic.get in the tx channel")
    ch.basic_ack(method.delivery_tag)
    ch.tx_rollback()
    ch.close()  # the ack was rolled back, so closing requeues the message
    deadline = common.Deadline(5)
    while count(obs, q) != 1 and not deadline.expired():
        observer.process_data_events(time_limit=0.05)
    check_eq(count(obs, q), 1, "ready messages after a rolled-back ack and channel close")
    ch = conn.channel()
    ch.tx_select()
    method, _p, body = ch.basic_get(q, auto_ack=False)
    check(method is not None and method.redelivered, "the requeued message comes back redelivered")
    ch.basic_ack(method.delivery_tag)
    ch.tx_commit()
    ch.close()
    check_eq(count(obs, q), 0, "ready messages after a committed ack")
    step("ack + rollback keeps the message; ack + commit removes it")

    ch = conn.channel()
    common.expect_channel_closed(406, "tx.commit on a non-transactional channel", ch.tx_commit)
    ch = conn.channel()
    common.expect_channel_closed(406, "tx.rollback on a non-transactional channel", ch.tx_rollback)
    check(conn.is_open, "connection should survive")
    obs.queue_delete(q)
    observer.close()
    conn.close()


if __name__ == "__main__":
    common.run("tx", scenario)
