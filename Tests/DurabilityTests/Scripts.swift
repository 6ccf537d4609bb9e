// The client side of the durability tests: one Python script run with the interop
// suite's venv (pika and aio-pika, unmodified clients). Kept here as a string so that it
// is part of this test target (the interop suite runs every script in its python/
// directory as a scenario of its own). Each command prints `key value` lines for the
// Swift side to read, and exits non-zero with a message when an expectation fails.

enum Scripts {
    static let clients = #"""
import asyncio, os, sys
import pika

URL = os.environ["AMQP_URL"]
failures = []

def check(condition, message):
    if not condition:
        failures.append(message)

def finish():
    for failure in failures:
        print("FAIL " + failure)
    sys.exit(1 if failures else 0)

def connect():
    return pika.BlockingConnection(pika.URLParameters(URL))

def persistent(i):
    return pika.BasicProperties(delivery_mode=2, message_id=str(i))

def channel_error(declare):
    """Runs declare on a fresh channel; returns the channel-close code (or None)."""
    connection = connect()
    channel = connection.channel()
    try:
        declare(channel)
        return None
    except pika.exceptions.ChannelClosedByBroker as error:
        return error.reply_code
    finally:
        if connection.is_open:
            connection.close()

def drain(channel, queue):
    got = []
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return got
        got.append((body.decode(), method.redelivered))

# --- a clean restart ---------------------------------------------------------------------

def restart_setup():
    connection = connect()
    channel = connection.channel()
    channel.exchange_declare("dur.x", "topic", durable=True, arguments={"alternate-exchange": "dur.alt"})
    channel.exchange_declare("dur.alt", "fanout", durable=True)
    channel.exchange_declare("dur.e2e", "direct", durable=True)
    channel.exchange_declare("tmp.x", "direct", durable=False)
    channel.queue_declare("dur.q", durable=True, arguments={"x-dead-letter-exchange": "dur.alt", "x-note": "kept"})
    channel.queue_declare("dur.alt.q", durable=True)
    channel.queue_declare("dur.e2e.q", durable=True)
    channel.queue_declare("tmp.q", durable=False)
    channel.queue_declare("excl.q", durable=True, exclusive=True)
    channel.queue_bind("dur.q", "dur.x", "a.#", arguments={"x-binding-note": 7})
    channel.queue_bind("dur.alt.q", "dur.alt")
    channel.queue_bind("tmp.q", "dur.x", "a.#")
    channel.exchange_bind("dur.e2e", "dur.x", "a.#")
    channel.queue_bind("dur.e2e.q", "dur.e2e", "a.b")
    channel.queue_bind("dur.q", "tmp.x", "t")
    channel.confirm_delivery()
    for i in range(1, 11):
        channel.basic_publish("dur.x", "a.b", ("p%d" % i).encode(), persistent(i))
    for i in range(1, 4):
        channel.basic_publish("dur.x", "a.b", ("t%d" % i).encode(), pika.BasicProperties(delivery_mode=1))
    channel.basic_publish("dur.x", "z", b"alt", persistent(99))
    channel.basic_publish("", "excl.q", b"excl", persistent(98))
    # p1, p2: delivered and never acked (requeued when the connection closes); p3 acked.
    for expected in ("p1", "p2"):
        method, _, body = channel.basic_get("dur.q", auto_ack=False)
        check(body == expected.encode(), "basic.get gave %r, expected %s" % (body, expected))
    method, _, body = channel.basic_get("dur.q", auto_ack=False)
    check(body == b"p3", "basic.get gave %r, expected p3" % body)
    channel.basic_ack(method.delivery_tag)
    # dur.e2e.q: everything acked, so nothing may come back.
    while True:
        method, _, _ = channel.basic_get("dur.e2e.q", auto_ack=False)
        if method is None:
            break
        channel.basic_ack(method.delivery_tag)
    connection.close()
    finish()

def restart_verify():
    connection = connect()
    channel = connection.channel()
    # Definitions are back, with their arguments (an equivalent redeclare passes, a different one is 406).
    channel.exchange_declare("dur.x", "topic", durable=True, arguments={"alternate-exchange": "dur.alt"})
    check(channel_error(lambda c: c.exchange_declare("dur.x", "topic", durable=True,
                                                     arguments={"alternate-exchange": "other"})) == 406,
          "dur.x lost its alternate-exchange argument")
    check(channel_error(lambda c: c.exchange_declare("tmp.x", passive=True)) == 404, "transient exchange came back")
    check(channel_error(lambda c: c.queue_declare("tmp.q", passive=True)) == 404, "transient queue came back")
    check(channel_error(lambda c: c.queue_declare("excl.q", passive=True)) == 404, "exclusive queue came back")
    check(channel_error(lambda c: c.queue_declare("dur.q", durable=True,
                                                  arguments={"x-dead-letter-exchange": "other"})) == 406,
          "dur.q lost its x-dead-letter-exchange argument")
    declared = channel.queue_declare("dur.q", durable=True, arguments={"x-dead-letter-exchange": "dur.alt", "x-note": "kept"})
    check(declared.method.message_count == 9, "dur.q holds %d messages, expected 9" % declared.method.message_count)
    got = drain(channel, "dur.q")
    expected = [("p1", True), ("p2", True)] + [("p%d" % i, False) for i in range(4, 11)]
    check(got == expected, "dur.q recovered %r, expected %r" % (got, expected))
    check(drain(channel, "dur.alt.q") == [("alt", False)], "the alternate exchange's message did not come back once")
    check(drain(channel, "dur.e2e.q") == [], "acked messages of dur.e2e.q came back")
    # Bindings are back: queue bindings (with arguments), exchange-to-exchange, alternate exchange.
    channel.confirm_delivery()
    channel.basic_publish("dur.x", "a.b", b"after", persistent(100))
    channel.basic_publish("dur.x", "nothing", b"after-alt", persistent(101))
    check(drain(channel, "dur.q") == [("after", False)], "the binding dur.x -> dur.q was not recovered")
    check(drain(channel, "dur.e2e.q") == [("after", False)], "the binding dur.x -> dur.e2e was not recovered")
    check(drain(channel, "dur.alt.q") == [("after-alt", False)], "dur.x lost its alternate exchange")
    channel.queue_unbind("dur.q", "dur.x", "a.#", arguments={"x-binding-note": 7})
    channel.basic_publish("dur.x", "a.b", b"unbound", persistent(102))
    check(drain(channel, "dur.q") == [], "the recovered binding had other arguments")
    connection.close()
    finish()

# --- publishing with confirms, pipelined -----------------------------------------------------

async def publish(queue, count, window, size, confirmed_path, first):
    import aio_pika
    confirmed = open(confirmed_path, "a", buffering=1) if confirmed_path else None
    acked = nacked = 0
    stopped = asyncio.Event()
    connection = await aio_pika.connect(URL)
    channel = await connection.channel(publisher_confirms=True)
    await channel.declare_queue(queue, durable=True)
    slots = asyncio.Semaphore(window)
    pad = b"." * max(0, size - 16)

    async def one(i):
        nonlocal acked, nacked
        try:
            message = aio_pika.Message(b"%d " % i + pad, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=str(i))
            await channel.default_exchange.publish(message, routing_key=queue)
            acked += 1
            if confirmed:
                confirmed.write("%d\n" % i)
        except aio_pika.exceptions.DeliveryError:
            nacked += 1
        except Exception:
            stopped.set()
        finally:
            slots.release()

    tasks = []
    i = first
    while not stopped.is_set() and (count == 0 or i < first + count):
        await slots.acquire()
        if stopped.is_set():
            break
        tasks.append(asyncio.ensure_future(one(i)))
        i += 1
    await asyncio.gather(*tasks, return_exceptions=True)
    print("published %d" % (i - first))
    print("acked %d" % acked)
    print("nacked %d" % nacked)
    try:
        await connection.close()
    except Exception:
        pass

def drain_command(queue, ack):
    connection = connect()
    channel = connection.channel()
    count = 0
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=not ack)
        if method is None:
            break
        if ack:
            channel.basic_ack(method.delivery_tag)
        count += 1
        print("got %s %d" % (body.split(b" ", 1)[0].decode(), 1 if method.redelivered else 0))
    print("drained %d" % count)
    connection.close()

def ack_first(queue, count):
    connection = connect()
    channel = connection.channel()
    for _ in range(count):
        method, _, body = channel.basic_get(queue, auto_ack=False)
        if method is None:
            break
        channel.basic_ack(method.delivery_tag)
        print("acked-id %s" % body.split(b" ", 1)[0].decode())
    connection.close()

def transactions():
    """Commits of persistent messages (commit-ok waits for the disk), a rollback, a
    transient commit, and acks committed in a transaction."""
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("txq", durable=True)
    channel.tx_select()
    for i in range(1, 4):
        channel.basic_publish("", "txq", ("c%d" % i).encode(), persistent(i))
    channel.tx_commit()
    channel.basic_publish("", "txq", b"rolled-back", persistent(9))
    channel.tx_rollback()
    channel.basic_publish("", "txq", b"transient", pika.BasicProperties(delivery_mode=1))
    channel.tx_commit()
    for i in range(4, 54):
        channel.basic_publish("", "txq", ("c%d" % i).encode(), persistent(i))
        channel.tx_commit()
    method, _, body = channel.basic_get("txq", auto_ack=False)
    check(body == b"c1", "first message %r" % body)
    channel.basic_ack(method.delivery_tag)
    channel.tx_commit()
    declared = channel.queue_declare("txq", durable=True)
    check(declared.method.message_count == 53, "txq holds %d" % declared.method.message_count)
    connection.close()
    finish()

def confirm_timing():
    """How long basic.publish waits for its confirm: persistent on a durable queue
    (waits for the fdatasync), then transient on the same queue (does not)."""
    import time
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("timed", durable=True)
    channel.confirm_delivery()
    for label, properties in (("persistent", persistent(1)), ("transient", pika.BasicProperties(delivery_mode=1))):
        start = time.monotonic()
        try:
            channel.basic_publish("", "timed", label.encode(), properties)
            print("%s-ack-ms %d" % (label, (time.monotonic() - start) * 1000))
        except pika.exceptions.NackError:
            print("%s-nack-ms %d" % (label, (time.monotonic() - start) * 1000))
    connection.close()

command = sys.argv[1]
if command == "confirm-timing":
    confirm_timing()
elif command == "transactions":
    transactions()
elif command == "restart-setup":
    restart_setup()
elif command == "restart-verify":
    restart_verify()
elif command == "publish":
    # publish QUEUE COUNT(0: until the connection fails) WINDOW SIZE CONFIRMED-FILE(-: none) [FIRST-ID]
    queue, count, window, size, path = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    first = int(sys.argv[7]) if len(sys.argv) > 7 else 1
    asyncio.run(publish(queue, count, window, size, None if path == "-" else path, first))
elif command == "drain":
    drain_command(sys.argv[2], ack=False)
elif command == "drain-ack":
    drain_command(sys.argv[2], ack=True)
elif command == "ack-first":
    ack_first(sys.argv[2], int(sys.argv[3]))
else:
    print("unknown command " + command)
    sys.exit(2)
"""#
}
