"""nack / reject / recover:

  * basic.nack(multiple, requeue) of everything -> all come back redelivered=True in the
    original order;
  * basic.reject(requeue) of one message puts it back at its original position (ahead
    of later messages), redelivered=True;
  * reject / nack with requeue=False drop the message;
  * a consumer's nack(requeue) -> redelivered to the consumer in order;
  * basic.recover(requeue=True) -> the consumer's unacked messages come again, in order,
    redelivered=True.
"""

import common
from common import check, check_eq, step


def publish(ch, q, bodies):
    for b in bodies:
        ch.basic_publish("", q, b.encode())


def get(ch, q):
    method, _p, body = ch.basic_get(q, auto_ack=False)
    check(method is not None, "basic.get on %s returned get-empty" % q)
    return method, body.decode()


def consume_n(ch, q, n, timeout=10):
    """Consumes n messages with a generator; returns [(method, body)] and leaves them unacked."""
    out = []
    for method, _props, body in ch.consume(q, auto_ack=False, inactivity_timeout=timeout):
        check(method is not None, "consumer got %d of %d messages, then nothing for %ds" % (len(out), n, timeout))
        out.append((method, body.decode()))
        if len(out) == n:
            break
    return out


def scenario():
    conn = common.connect()
    ch = conn.channel()
    ch.confirm_delivery()
    msgs = ["m%d" % i for i in range(5)]

    # 1. nack everything with requeue -> same order, redelivered
    q = common.unique("nack.all")
    ch.queue_declare(q, exclusive=True)
    publish(ch, q, msgs)
    got = [get(ch, q) for _ in msgs]
    check_eq([b for _m, b in got], msgs, "first pass")
    check(not any(m.redelivered for m, _b in got), "nothing is redelivered on the first pass")
    ch.basic_nack(got[-1][0].delivery_tag, multiple=True, requeue=True)
    again = [get(ch, q) for _ in msgs]
    check_eq([b for _m, b in again], msgs, "order after nack(multiple, requeue)")
    check(all(m.redelivered for m, _b in again), "every requeued message must be redelivered=True")
    ch.basic_ack(again[-1][0].delivery_tag, multiple=True)
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 0, "queue after acking all")
    step("nack(multiple, requeue) -> all 5 back in order, redelivered=True")

    # 2. reject one -> back at its original position
    publish(ch, q, msgs)
    m0, b0 = get(ch, q)
    m1, b1 = get(ch, q)
    check_eq((b0, b1), ("m0", "m1"), "first two gets")
    ch.basic_reject(m0.delivery_tag, requeue=True)
    r0, rb0 = get(ch, q)
    check_eq((rb0, r0.redelivered), ("m0", True), "after reject(m0, requeue) the next get")
    m2, b2 = get(ch, q)
    check_eq((b2, m2.redelivered), ("m2", False), "get after the requeued m0")
    ch.basic_nack(m1.delivery_tag, multiple=False, requeue=True)
    r1, rb1 = get(ch, q)
    check_eq((rb1, r1.redelivered), ("m1", True), "after nack(m1, requeue) m1 goes back ahead of m3")
    rest = [get(ch, q) for _ in range(2)]
    check_eq([(b, m.redelivered) for m, b in rest], [("m3", False), ("m4", False)], "the rest")
    step("reject/nack of one message requeues it at its original position")

    # 3. requeue=False drops
    ch.basic_reject(r0.delivery_tag, requeue=False)
    ch.basic_nack(rest[-1][0].delivery_tag, multiple=True, requeue=False)  # m2, m1, m3, m4
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 0, "queue after reject/nack requeue=False")
    method, _p, _b = ch.basic_get(q)
    check(method is None, "dropped messages must not come back")
    step("reject/nack with requeue=False drop the messages")

    # 4. a consumer's nack(requeue) -> redelivered to it in order
    cch = conn.channel()
    cch.basic_qos(prefetch_count=10)
    publish(ch, q, msgs[:3])
    first = consume_n(cch, q, 3)
    check_eq([(b, m.redelivered) for m, b in first], [("m0", False), ("m1", False), ("m2", False)],
             "consumer first deliveries")
    cch.basic_nack(first[-1][0].delivery_tag, multiple=True, requeue=True)
    second = consume_n(cch, q, 3)
    check_eq([(b, m.redelivered) for m, b in second], [("m0", True), ("m1", True), ("m2", True)],
             "consumer deliveries after nack(multiple, requeue)")
    tags = [m.delivery_tag for m, _b in first + second]
    check_eq(len(set(tags)), 6, "delivery tags are never reused on a channel")
    cch.basic_ack(second[-1][0].delivery_tag, multiple=True)
    cch.cancel()
    step("consumer nack(requeue) -> redelivered in order")

    # 5. basic.recover(requeue=True)
    publish(ch, q, msgs[:3])
    first = consume_n(cch, q, 3)
    check(not any(m.redelivered for m, _b in first), "first deliveries are not redelivered")
    cch.basic_recover(requeue=True)
    second = consume_n(cch, q, 3)
    check_eq([(b, m.redelivered) for m, b in second], [("m0", True), ("m1", True), ("m2", True)],
             "deliveries after basic.recover(requeue=True)")
    cch.basic_ack(second[-1][0].delivery_tag, multiple=True)
    cch.cancel()
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 0, "queue after recover + ack")
    step("basic.recover(requeue=True) -> unacked messages redelivered in order")
    conn.close()


if __name__ == "__main__":
    common.run("nack_reject", scenario)
