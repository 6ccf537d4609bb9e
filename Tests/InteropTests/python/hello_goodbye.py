"""hello/goodbye: a producer sends names to a fanout exchange; a hello consumer prints
`hello NAME` and a goodbye consumer prints `goodbye NAME` for every name, in order.

The consumers are separate processes with their own connections (this script run with
`consume GREETING EXCHANGE COUNT`); each binds its own exclusive server-named queue,
prints READY once the queue is bound (nothing published after that can be missed),
then one line per message, and exits after COUNT names.
"""

import faulthandler
import sys

import common
from common import check_eq, step

NAMES = ["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi",
         "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil",
         "trent", "victor", "walter", "zoe"]


def consumer(greeting, exchange, count):
    faulthandler.dump_traceback_later(45, exit=True)
    conn = common.connect()
    ch = conn.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(q, exchange)
    seen = 0
    ch.basic_qos(prefetch_count=10)
    generator = ch.consume(q, auto_ack=False, inactivity_timeout=15)
    print("READY", flush=True)
    for method, _props, body in generator:
        if method is None:
            print("%s consumer: no message for 15s after %d names" % (greeting, seen),
                  file=sys.stderr, flush=True)
            sys.exit(3)
        print("%s %s" % (greeting, body.decode()), flush=True)
        ch.basic_ack(method.delivery_tag)
        seen += 1
        if seen == count:
            break
    ch.cancel()
    conn.close()


def scenario():
    exchange = common.unique("hello.fanout")
    admin = common.connect()
    ach = admin.channel()
    ach.exchange_declare(exchange, exchange_type="fanout", auto_delete=False)
    children = []
    try:
        for greeting in ("hello", "goodbye"):
            children.append(common.Child(
                greeting + " consumer", [__file__, "consume", greeting, exchange, str(len(NAMES))]))
        for child in children:
            child.wait_for("READY", 30)
        step("both consumers bound and consuming")

        producer = common.connect()
        pch = producer.channel()
        pch.confirm_delivery()
        for name in NAMES:
            pch.basic_publish(exchange, "", name.encode())
        producer.close()
        step("published %d names" % len(NAMES))

        for child in children:
            lines = [l for l in child.finish(30) if l != "READY"]
            greeting = child.label.split()[0]
            check_eq(lines, ["%s %s" % (greeting, n) for n in NAMES], "%s consumer output" % greeting)
            step("%s consumer printed %d lines in order" % (greeting, len(lines)))
    finally:
        for child in children:
            child.kill()
        ach.exchange_delete(exchange)
        admin.close()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "consume":
        consumer(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        common.run("hello_goodbye", scenario)
