"""publisher confirms with pika's BlockingConnection:

  * confirm_delivery(), many messages, every basic_publish confirmed (no exception) and
    all of them in the queue;
  * mandatory publish to an unroutable key -> pika.exceptions.UnroutableError carrying
    the basic.return (312 NO_ROUTE); the channel stays open;
  * non-mandatory publish to an unroutable key is confirmed and silently dropped;
  * without confirms, a mandatory unroutable publish comes back as basic.return
    312 NO_ROUTE through add_on_return_callback.
"""

import pika

import common
from common import check, check_eq, step

N = 1000


def scenario():
    conn = common.connect()
    ch = conn.channel()
    ch.confirm_delivery()
    q = common.unique("confirms.pika")
    ch.queue_declare(q, exclusive=True)

    for i in range(N):
        ch.basic_publish("", q, ("m%d" % i).encode(), mandatory=(i % 2 == 0))
    count = ch.queue_declare(q, passive=True).method.message_count
    check_eq(count, N, "messages in the queue after %d confirmed publishes" % N)
    step("%d publishes confirmed, %d in the queue" % (N, count))

    missing = common.unique("confirms.nowhere")
    try:
        ch.basic_publish("", missing, b"unroutable", mandatory=True)
    except pika.exceptions.UnroutableError as e:
        check_eq(len(e.messages), 1, "returned messages in UnroutableError")
        ret = e.messages[0]
        check_eq(ret.method.reply_code, 312, "basic.return reply-code")
        check_eq(ret.method.reply_text, "NO_ROUTE", "basic.return reply-text")
        check_eq(ret.method.exchange, "", "basic.return exchange")
        check_eq(ret.method.routing_key, missing, "basic.return routing-key")
        check_eq(ret.body, b"unroutable", "basic.return body")
        step("mandatory unroutable publish -> UnroutableError with basic.return 312 NO_ROUTE")
    else:
        raise common.ScenarioFailure("mandatory publish to an unroutable key did not raise UnroutableError")
    check(ch.is_open, "an unroutable mandatory publish must not close the channel")

    ch.basic_publish("", missing, b"dropped", mandatory=False)  # confirmed, no exception
    ch.basic_publish("", q, b"after")
    check_eq(ch.queue_declare(q, passive=True).method.message_count, N + 1,
             "queue count after the unroutable publishes")
    step("non-mandatory unroutable publish confirmed and dropped; channel still usable")

    # Without confirms: basic.return through the return callback.
    ch2 = conn.channel()
    returns = []
    ch2.add_on_return_callback(lambda _ch, method, props, body: returns.append((method, body)))
    fanout = common.unique("confirms.empty-fanout")
    ch2.exchange_declare(fanout, exchange_type="fanout", auto_delete=False)
    ch2.basic_publish(fanout, "rk", b"nobody home", mandatory=True)
    deadline = common.Deadline(10)
    while not returns and not deadline.expired():
        conn.process_data_events(time_limit=0.1)
    check_eq(len(returns), 1, "basic.return frames received within 10s")
    method, body = returns[0]
    check_eq((method.reply_code, method.reply_text, method.exchange, method.routing_key, body),
             (312, "NO_ROUTE", fanout, "rk", b"nobody home"), "basic.return from an unbound fanout")
    step("no confirms: basic.return 312 NO_ROUTE via add_on_return_callback")
    ch2.exchange_delete(fanout)
    conn.close()


if __name__ == "__main__":
    common.run("confirms_pika", scenario)
