"""Records the frames real AMQP clients send, for the golden vectors.

A fake broker on 127.0.0.1 answers pika and aio-pika well enough to get
through a session (handshake, channels, declares, binds, qos, publishes
with confirms, a delivery that the client acks, get, tx, cancels, closes)
and writes every frame each client sent, as hex, to captured.json.

    python3 -m venv /tmp/vec-venv && /tmp/vec-venv/bin/pip install pika aio-pika
    /tmp/vec-venv/bin/python Protocol/vectors/capture.py

build_vectors.py then turns the captured frames into vectors.
"""

import asyncio
import datetime
import decimal
import json
import os
import socket
import struct
import threading
import time

import wire

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "captured.json")


# MARK: - The fake broker

def method_frame(channel, name, **arguments):
    _, method_spec = wire.BY_NAME[name]
    defaults = {"bit": False, "octet": 0, "short": 0, "long": 0, "longlong": 0, "timestamp": 0,
                "shortstr": "", "longstr": "", "table": []}
    full = {f["name"]: arguments.get(f["name"].replace("-", "_"), defaults[f["type"]]) for f in method_spec["fields"]}
    return wire.frame(1, channel, wire.encode_method(name, full))


# Replies to synchronous requests: request -> (reply, arguments), unless no-wait is set.
REPLIES = {
    "connection.open": ("connection.open-ok", {}),
    "channel.open": ("channel.open-ok", {}),
    "channel.flow": ("channel.flow-ok", {"active": True}),
    "exchange.declare": ("exchange.declare-ok", {}),
    "exchange.delete": ("exchange.delete-ok", {}),
    "exchange.bind": ("exchange.bind-ok", {}),
    "exchange.unbind": ("exchange.unbind-ok", {}),
    "queue.bind": ("queue.bind-ok", {}),
    "queue.purge": ("queue.purge-ok", {"message_count": 0}),
    "queue.delete": ("queue.delete-ok", {"message_count": 0}),
    "queue.unbind": ("queue.unbind-ok", {}),
    "basic.qos": ("basic.qos-ok", {}),
    "basic.cancel": ("basic.cancel-ok", None),
    "basic.get": ("basic.get-empty", {}),
    "basic.recover": ("basic.recover-ok", {}),
    "confirm.select": ("confirm.select-ok", {}),
    "tx.select": ("tx.select-ok", {}),
    "tx.commit": ("tx.commit-ok", {}),
    "tx.rollback": ("tx.rollback-ok", {}),
}


class Session:
    """One client connection: records its frames and answers them."""

    def __init__(self, sock, heartbeat):
        self.sock, self.heartbeat = sock, heartbeat
        self.frames = []
        self.confirming = set()         # channels in confirm mode
        self.published = {}             # channel -> publish sequence number
        self.pending_body = {}          # channel -> body bytes still expected

    def send(self, data):
        self.sock.sendall(data)

    def run(self):
        header = b""
        while len(header) < 8:
            chunk = self.sock.recv(8 - len(header))
            if not chunk:
                return
            header += chunk
        self.frames.append(header.hex())
        self.send(method_frame(0, "connection.start", version_minor=9,
                               server_properties=[["product", {"S": "capture.py"}],
                                                  ["capabilities", {"F": [
                                                      ["publisher_confirms", {"t": True}],
                                                      ["basic.nack", {"t": True}],
                                                      ["consumer_cancel_notify", {"t": True}],
                                                      ["exchange_exchange_bindings", {"t": True}],
                                                      ["authentication_failure_close", {"t": True}],
                                                      ["per_consumer_qos", {"t": True}]]}]],
                               mechanisms="PLAIN AMQPLAIN", locales="en_US"))
        buffer = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            frames, buffer = wire.split_frames(buffer + chunk)
            for raw in frames:
                self.frames.append(raw.hex())
                if not self.answer(raw):
                    return

    def answer(self, raw):
        kind, channel = raw[0], struct.unpack(">H", raw[1:3])[0]
        payload = raw[7:-1]
        if kind == 2:
            size = struct.unpack(">Q", payload[4:12])[0]
            self.pending_body[channel] = size
            self.confirm_if_complete(channel)
        elif kind == 3:
            self.pending_body[channel] -= len(payload)
            self.confirm_if_complete(channel)
        if kind != 1:
            return True
        name, arguments = wire.decode_method(payload)
        if name == "connection.start-ok":
            self.send(method_frame(0, "connection.tune", channel_max=2047, frame_max=131072, heartbeat=self.heartbeat))
        elif name == "connection.close":
            self.send(method_frame(0, "connection.close-ok"))
            return False
        elif name == "channel.close":
            self.send(method_frame(channel, "channel.close-ok"))
        elif name == "queue.declare":
            if not arguments["no-wait"]:
                self.send(method_frame(channel, "queue.declare-ok", queue=arguments["queue"] or "amq.gen-capture",
                                       message_count=0, consumer_count=0))
        elif name == "basic.consume":
            tag = arguments["consumer-tag"] or "amq.ctag-capture"
            if not arguments["no-wait"]:
                self.send(method_frame(channel, "basic.consume-ok", consumer_tag=tag))
            self.deliver(channel, tag, arguments["queue"])
        elif name == "basic.cancel":
            if not arguments["no-wait"]:
                self.send(method_frame(channel, "basic.cancel-ok", consumer_tag=arguments["consumer-tag"]))
        elif name == "basic.publish":
            self.published[channel] = self.published.get(channel, 0) + 1
        elif name == "confirm.select":
            self.confirming.add(channel)
            if not arguments["no-wait"]:
                self.send(method_frame(channel, "confirm.select-ok"))
        elif name in REPLIES:
            reply, reply_arguments = REPLIES[name]
            if not arguments.get("no-wait", False):
                self.send(method_frame(channel if reply.split(".")[0] != "connection" else 0, reply, **reply_arguments))
        return True

    def deliver(self, channel, tag, queue):
        body = b"delivered"
        self.send(method_frame(channel, "basic.deliver", consumer_tag=tag, delivery_tag=1, routing_key=queue))
        self.send(wire.frame(2, channel, struct.pack(">HHQ", 60, 0, len(body)) + wire.encode_properties({})))
        self.send(wire.frame(3, channel, body))

    def confirm_if_complete(self, channel):
        if self.pending_body.get(channel) == 0 and channel in self.confirming:
            del self.pending_body[channel]
            self.send(method_frame(channel, "basic.ack", delivery_tag=self.published.get(channel, 0)))


class FakeBroker:
    def __init__(self, heartbeat=0):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.heartbeat = heartbeat
        self.sessions = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            sock, _ = self.listener.accept()
            session = Session(sock, self.heartbeat)
            self.sessions.append(session)
            threading.Thread(target=self.serve, args=(session,), daemon=True).start()

    def serve(self, session):
        try:
            session.run()
        finally:
            session.sock.close()


# MARK: - The clients

PROPERTY_TIME = datetime.datetime(2024, 5, 17, 12, 0, 0, tzinfo=datetime.timezone.utc)


def pika_session(port):
    import pika

    parameters = pika.ConnectionParameters(
        host="127.0.0.1", port=port, credentials=pika.PlainCredentials("guest", "guest"),
        heartbeat=2, client_properties={"connection_name": "vector-capture"})
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    channel.exchange_declare("orders", exchange_type="topic", durable=True, arguments={"alternate-exchange": "unrouted"})
    channel.queue_declare("orders.created", durable=True,
                          arguments={"x-message-ttl": 60000, "x-queue-type": "classic", "x-max-length": 2**40})
    channel.queue_bind("orders.created", "orders", routing_key="order.*.created")
    channel.basic_qos(prefetch_count=10)
    channel.confirm_delivery()
    channel.basic_publish(
        "orders", "order.eu.created", b'{"id": 42}', mandatory=True,
        properties=pika.BasicProperties(
            content_type="application/json", content_encoding="utf-8", delivery_mode=2, priority=5,
            correlation_id="corr-1", reply_to="replies", expiration="60000", message_id="msg-1",
            timestamp=int(PROPERTY_TIME.timestamp()), type="order.created", user_id="guest", app_id="capture",
            cluster_id="cluster-a",
            headers={"text": "hello", "count": 7, "negative": -40000, "big": 2**40, "flag": True,
                     "price": decimal.Decimal("12.50"), "raw": b"\x00\xff", "when": PROPERTY_TIME,
                     "nothing": None, "list": [1, "two", False], "nested": {"k": "v"}}))
    received = []
    channel.basic_consume("orders.created", lambda ch, method, props, body: (
        received.append(body), ch.basic_ack(method.delivery_tag)), auto_ack=False, consumer_tag="pika-consumer")
    connection.process_data_events(time_limit=0.5)
    channel.basic_cancel("pika-consumer")
    channel.basic_get("orders.created", auto_ack=True)
    channel.basic_reject(1, requeue=False)
    channel.basic_nack(2, multiple=True, requeue=True)
    channel.basic_recover(requeue=True)
    channel.exchange_bind("orders", "orders-upstream", routing_key="#")
    channel.exchange_unbind("orders", "orders-upstream", routing_key="#")
    channel.queue_unbind("orders.created", "orders", routing_key="order.*.created")
    channel.queue_purge("orders.created")
    channel.queue_delete("orders.created", if_unused=True, if_empty=True)
    channel.exchange_delete("orders", if_unused=True)
    tx = connection.channel()
    tx.tx_select()
    tx.basic_publish("", "work", b"", properties=pika.BasicProperties(delivery_mode=1))
    tx.tx_commit()
    tx.tx_rollback()
    tx.close()
    connection.sleep(2.5)  # long enough for a heartbeat from the client
    channel.close()
    connection.close()
    return received


async def aio_pika_session(port):
    import aio_pika

    connection = await aio_pika.connect(f"amqp://guest:guest@127.0.0.1:{port}/",
                                        client_properties={"connection_name": "vector-capture-aio"})
    channel = await connection.channel(publisher_confirms=True)
    await channel.set_qos(prefetch_count=5)
    exchange = await channel.declare_exchange("events", aio_pika.ExchangeType.FANOUT, auto_delete=True)
    queue = await channel.declare_queue("", exclusive=True, arguments={"x-max-priority": 10})
    await queue.bind(exchange)
    await exchange.publish(aio_pika.Message(
        b"\x00\x01binary\xff", content_type="application/octet-stream", priority=3, correlation_id="c-2",
        message_id="m-2", expiration=datetime.timedelta(seconds=30), timestamp=PROPERTY_TIME,
        headers={"small": 5, "short": -300, "ushort": 60000, "int": -100000, "uint": 3000000000,
                 "long": -2**40, "float": 0.25, "text": "ünïcode", "bytes": bytearray(b"\x01\x02"),
                 "flag": False, "none": None, "array": [1, 2.5, "x"], "table": {"inner": 1}}),
        routing_key="")
    messages = []
    consumer_tag = await queue.consume(lambda message: messages.append(message), no_ack=False)
    await asyncio.sleep(0.3)
    for message in messages:
        await message.ack()
    await queue.cancel(consumer_tag)
    await channel.close()
    await connection.close()


def main():
    from importlib.metadata import version

    captured = {}
    broker = FakeBroker(heartbeat=2)
    pika_session(broker.port)
    time.sleep(0.2)
    captured[f"pika {version('pika')} capture"] = broker.sessions[-1].frames

    asyncio.run(aio_pika_session(broker.port))
    time.sleep(0.2)
    label = f"aio-pika {version('aio-pika')} (aiormq {version('aiormq')}, pamqp {version('pamqp')}) capture"
    captured[label] = broker.sessions[-1].frames

    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(captured, out, indent=1)
        out.write("\n")
    for source, frames in captured.items():
        print(f"{source}: {len(frames)} frames")


if __name__ == "__main__":
    main()
