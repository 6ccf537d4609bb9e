"""pub/sub: N=3 subscribers, each with its own exclusive server-named queue
(queue_declare('', exclusive=True)) bound to a fanout exchange, each receive every
message in order; after they disconnect their queues are gone (passive declare from
another connection -> 404 NOT_FOUND; while they are connected it is 405 RESOURCE_LOCKED).

Each subscriber runs in its own thread with its own BlockingConnection.
"""

import threading
import time

import pika

import common
from common import check, check_eq, step

N_SUBSCRIBERS = 3
N_MESSAGES = 50


class Subscriber(threading.Thread):
    def __init__(self, index, exchange):
        super().__init__(daemon=True)
        self.index = index
        self.exchange = exchange
        self.queue_name = None
        self.received = []
        self.error = None
        self.ready = threading.Event()
        self.go_away = threading.Event()

    def run(self):
        try:
            conn = common.connect()
            ch = conn.channel()
            result = ch.queue_declare("", exclusive=True)
            self.queue_name = result.method.queue
            ch.queue_bind(self.queue_name, self.exchange)
            self.ready.set()
            for method, _props, body in ch.consume(self.queue_name, auto_ack=True, inactivity_timeout=15):
                if method is None:
                    raise common.ScenarioFailure("subscriber %d: nothing for 15s after %d messages"
                                                 % (self.index, len(self.received)))
                self.received.append(body.decode())
                if len(self.received) == N_MESSAGES:
                    break
            ch.cancel()
            # Stay connected until told, so the queue demonstrably exists until disconnect.
            self.go_away.wait(30)
            conn.close()
        except BaseException as e:  # noqa: BLE001
            self.error = e
            self.ready.set()


def scenario():
    exchange = common.unique("pubsub.fanout")
    admin = common.connect()
    ach = admin.channel()
    ach.exchange_declare(exchange, exchange_type="fanout")

    subs = [Subscriber(i, exchange) for i in range(N_SUBSCRIBERS)]
    for s in subs:
        s.start()
    for s in subs:
        check(s.ready.wait(20), "subscriber %d did not get ready" % s.index)
        check(s.error is None, "subscriber %d failed: %r" % (s.index, s.error))
        check(s.queue_name and s.queue_name.startswith("amq.gen-"),
              "server-named queue should look like amq.gen-..., got %r" % s.queue_name)
    names = [s.queue_name for s in subs]
    check_eq(len(set(names)), N_SUBSCRIBERS, "number of distinct server-named queues")
    step("subscribers bound: %s" % ", ".join(names))

    # While the owners are connected, even a passive declare from another connection is
    # refused with 405 RESOURCE_LOCKED (RabbitMQ checks exclusivity before existence).
    for name in names:
        ch = admin.channel()
        common.expect_channel_closed(405, "passive declare of live exclusive queue from another connection",
                                     lambda: ch.queue_declare(name, passive=True))
    ach = admin.channel()

    producer = common.connect()
    pch = producer.channel()
    pch.confirm_delivery()
    expected = ["message-%03d" % i for i in range(N_MESSAGES)]
    for body in expected:
        pch.basic_publish(exchange, "", body.encode())
    producer.close()
    step("published %d messages" % N_MESSAGES)

    for s in subs:
        s.go_away.set()
        s.join(30)
        check(not s.is_alive(), "subscriber %d did not finish" % s.index)
        check(s.error is None, "subscriber %d failed: %r" % (s.index, s.error))
        check_eq(s.received, expected, "messages received by subscriber %d" % s.index)
    step("every subscriber received all %d messages in order and disconnected" % N_MESSAGES)

    # The exclusive queues are deleted when their connection closes. Allow a short grace
    # period for the broker to finish tearing the connection down.
    for name in names:
        deadline = common.Deadline(5)
        while True:
            ch = admin.channel()
            try:
                ch.queue_declare(name, passive=True)
            except pika.exceptions.ChannelClosedByBroker as e:
                check_eq(e.reply_code, 404, "passive declare of %s after disconnect" % name)
                check(e.reply_text.startswith("NOT_FOUND"), "reply text should start NOT_FOUND: %r"
                      % e.reply_text)
                break
            ch.close()
            check(not deadline.expired(), "exclusive queue %s still exists 5s after its owner "
                  "disconnected" % name)
            time.sleep(0.05)
    step("all %d exclusive queues are gone (404 NOT_FOUND)" % N_SUBSCRIBERS)
    check(admin.is_open, "admin connection should survive the channel-level 404s")
    ach = admin.channel()
    ach.exchange_delete(exchange)
    admin.close()


if __name__ == "__main__":
    common.run("pubsub", scenario)
