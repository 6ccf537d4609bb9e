"""routing: topic exchanges with `*` and `#` (edge cases included), direct exchanges,
headers exchanges with x-match all and any, and the default exchange.

Every message is published on a confirm channel, so by the time basic_publish returns
the broker has routed it; each queue is then drained with basic.get and compared with
the exact list of bodies expected there, in publish order.
"""

import common
from common import check_eq, step

# (binding key -> routing keys it must match, among every routing key published)
TOPIC_BINDINGS = {
    "a.*": ["a.b", "a.c"],                            # not "a", not "a.b.c"
    "a.#": ["a", "a.b", "a.b.c", "a.x.y.c", "a.c"],   # '#' matches zero words too
    "#": ["", "a", "a.b", "a.b.c", "b.c", "x.a.b", "c", "a.x.y.c", "a.c"],
    "*": ["a", "c"],                                  # exactly one word; not ""
    "*.b": ["a.b"],
    "#.c": ["a.b.c", "b.c", "c", "a.x.y.c", "a.c"],   # '#' at the front matching zero words
    "a.#.c": ["a.b.c", "a.x.y.c", "a.c"],             # '#' in the middle matching zero words
    "*.*.*": ["a.b.c", "x.a.b"],
    "a.b.c": ["a.b.c"],                               # literal
    "x.#.b": ["x.a.b"],
}
TOPIC_KEYS = ["", "a", "a.b", "a.b.c", "b.c", "x.a.b", "c", "a.x.y.c", "a.c"]


def new_queue(ch, label):
    name = common.unique("routing." + label)
    ch.queue_declare(name, exclusive=True)
    return name


def bodies(ch, queue):
    return [body.decode() for _m, _p, body in common.drain_get(ch, queue)]


def topic(ch):
    ex = common.unique("routing.topic")
    ch.exchange_declare(ex, exchange_type="topic", auto_delete=True)
    queues = {}
    for binding in TOPIC_BINDINGS:
        q = new_queue(ch, "topic")
        ch.queue_bind(q, ex, routing_key=binding)
        queues[binding] = q
    # One queue bound twice with overlapping patterns gets each message once.
    both = new_queue(ch, "topic-both")
    ch.queue_bind(both, ex, routing_key="a.*")
    ch.queue_bind(both, ex, routing_key="*.b")
    ch.queue_bind(both, ex, routing_key="#")
    for key in TOPIC_KEYS:
        ch.basic_publish(ex, key, ("key=%r" % key).encode())
    for binding, keys in TOPIC_BINDINGS.items():
        expected = ["key=%r" % k for k in TOPIC_KEYS if k in keys]
        check_eq(bodies(ch, queues[binding]), expected, "topic binding %r received" % binding)
    check_eq(bodies(ch, both), ["key=%r" % k for k in TOPIC_KEYS],
             "queue bound with a.*, *.b and # (each message once)")
    step("topic: %d bindings x %d routing keys routed as RabbitMQ does" % (len(TOPIC_BINDINGS), len(TOPIC_KEYS)))


def direct(ch):
    ex = common.unique("routing.direct")
    ch.exchange_declare(ex, exchange_type="direct", auto_delete=True)
    q_red = new_queue(ch, "red")
    q_green = new_queue(ch, "green")
    q_red_blue = new_queue(ch, "red-blue")
    ch.queue_bind(q_red, ex, routing_key="red")
    ch.queue_bind(q_green, ex, routing_key="green")
    ch.queue_bind(q_red_blue, ex, routing_key="red")
    ch.queue_bind(q_red_blue, ex, routing_key="blue")
    ch.queue_bind(q_red_blue, ex, routing_key="red")  # idempotent rebind
    for key in ["red", "green", "blue", "black", "RED", "red.x", ""]:
        ch.basic_publish(ex, key, key.encode())
    check_eq(bodies(ch, q_red), ["red"], "direct queue bound to red")
    check_eq(bodies(ch, q_green), ["green"], "direct queue bound to green")
    check_eq(bodies(ch, q_red_blue), ["red", "blue"], "direct queue bound to red (twice) and blue")
    # Unbind stops the routing.
    ch.queue_unbind(q_red_blue, ex, routing_key="red")
    ch.basic_publish(ex, "red", b"red-again")
    ch.basic_publish(ex, "blue", b"blue-again")
    check_eq(bodies(ch, q_red), ["red-again"], "direct red after unbind of the other queue")
    check_eq(bodies(ch, q_red_blue), ["blue-again"], "direct queue after unbinding red")
    step("direct: exact-key routing, multiple bindings, unbind")


def headers(ch):
    import pika
    ex = common.unique("routing.headers")
    ch.exchange_declare(ex, exchange_type="headers", auto_delete=True)
    q_all = new_queue(ch, "all")
    q_any = new_queue(ch, "any")
    q_default = new_queue(ch, "default")
    q_key_only = new_queue(ch, "key-only")
    ch.queue_bind(q_all, ex, arguments={"x-match": "all", "format": "pdf", "type": "report"})
    ch.queue_bind(q_any, ex, arguments={"x-match": "any", "format": "pdf", "type": "report"})
    ch.queue_bind(q_default, ex, arguments={"format": "pdf", "type": "report"})  # x-match defaults to all
    ch.queue_bind(q_key_only, ex, routing_key="ignored", arguments={"x-match": "any", "lang": "en"})
    messages = [
        ("both", {"format": "pdf", "type": "report"}),
        ("both-plus-extra", {"format": "pdf", "type": "report", "lang": "en"}),
        ("format-only", {"format": "pdf"}),
        ("type-only", {"type": "report"}),
        ("format-wrong", {"format": "zip", "type": "report"}),
        ("neither", {"format": "zip", "type": "log"}),
        ("no-headers", None),
        ("lang", {"lang": "en"}),
    ]
    for body, hdrs in messages:
        ch.basic_publish(ex, "some.key", body.encode(), pika.BasicProperties(headers=hdrs))
    check_eq(bodies(ch, q_all), ["both", "both-plus-extra"], "headers x-match=all")
    check_eq(bodies(ch, q_default), ["both", "both-plus-extra"], "headers without x-match (defaults to all)")
    check_eq(bodies(ch, q_any), ["both", "both-plus-extra", "format-only", "type-only", "format-wrong"],
             "headers x-match=any")
    check_eq(bodies(ch, q_key_only), ["both-plus-extra", "lang"],
             "headers x-match=any on lang (routing key is ignored)")
    step("headers: x-match all / any / default")


def default_exchange(ch):
    q = new_queue(ch, "default")
    ch.basic_publish("", q, b"via default exchange")
    ch.basic_publish("amq.direct", q, b"not bound to amq.direct")
    ch.queue_bind(q, "amq.direct", routing_key=q)
    ch.basic_publish("amq.direct", q, b"bound to amq.direct")
    check_eq(bodies(ch, q), ["via default exchange", "bound to amq.direct"], "default exchange / amq.direct")
    step("default exchange routes by queue name; amq.direct needs a binding")


def scenario():
    conn = common.connect()
    ch = conn.channel()
    ch.confirm_delivery()
    topic(ch)
    direct(ch)
    headers(ch)
    default_exchange(ch)
    conn.close()


if __name__ == "__main__":
    common.run("routing", scenario)
