"""Writes vectors.json: constructed cases written by hand below, plus every
distinct frame that capture.py recorded from real clients.

    python3 Protocol/vectors/build_vectors.py

Constructed cases: the meaning is written here by hand and wire.py encodes
it; Warren's codec is never run. Captured cases: the bytes are what the
client sent, and the meaning is wire.py's reading of them, which was checked
against the arguments capture.py gave the client. When pamqp is importable
(the capture venv), every method vector is also decoded with pamqp and
compared, and so is every content header: two codecs that are not Warren
agree on each meaning.
"""

import json
import os
import struct

import wire

HERE = os.path.dirname(os.path.abspath(__file__))


# MARK: - Constructed cases

def method(channel, name, **arguments):
    """A method frame's meaning. Argument names are the spec's, with - as _
    (and a trailing _ where the name is a Python keyword: global_)."""
    return {"type": "method", "channel": channel, "method": name,
            "arguments": {key.rstrip("_").replace("_", "-"): value for key, value in arguments.items()}}


def header(channel, body_size, properties, class_id=60, weight=0):
    return {"type": "header", "channel": channel, "class-id": class_id, "weight": weight,
            "body-size": body_size, "properties": properties}


def S(text): return {"S": text}
def t(value): return {"t": value}


SERVER_PROPERTIES = [
    ["product", S("Warren")], ["version", S("0.1.0")], ["platform", S("Swift")],
    ["capabilities", {"F": [
        ["publisher_confirms", t(True)], ["exchange_exchange_bindings", t(True)], ["basic.nack", t(True)],
        ["consumer_cancel_notify", t(True)], ["per_consumer_qos", t(True)],
        ["authentication_failure_close", t(True)]]}],
]

EVERY_FIELD_TYPE = [
    ["boolean", t(True)], ["int8", {"b": -128}], ["uint8", {"B": 255}], ["int16", {"s": -32768}],
    ["uint16", {"u": 65535}], ["int32", {"I": -2147483648}], ["uint32", {"i": 4294967295}],
    ["int64", {"l": -9223372036854775808}], ["float", {"f": -0.375}], ["double", {"d": 6.02214076e23}],
    ["decimal", {"D": {"scale": 2, "value": 123456}}], ["long string", S("größe ✓")],
    ["byte array", {"x": {"hex": "00ff80"}}],
    ["array", {"A": [t(False), {"b": 1}, S("two"), {"A": []}, {"F": [["in", {"V": None}]]}]}],
    ["timestamp", {"T": 1715947200}], ["table", {"F": [["nested", {"F": [["deep", {"u": 7}]]}]]}],
    ["void", {"V": None}],
]

ALL_PROPERTIES = {
    "content-type": "application/json", "content-encoding": "gzip",
    "headers": [["x-trace", S("abc")], ["x-retries", {"I": 3}], ["x-first", t(True)]],
    "delivery-mode": 2, "priority": 9, "correlation-id": "corr-7", "reply-to": "amq.rabbitmq.reply-to",
    "expiration": "60000", "message-id": "msg-7", "timestamp": 1715947200, "type": "order.created",
    "user-id": "guest", "app-id": "warren-vectors", "cluster-id": "c1",
}

FRAMES = [
    # connection (class 10), channel 0
    ("connection.start with Warren's server properties", method(
        0, "connection.start", version_major=0, version_minor=9, server_properties=SERVER_PROPERTIES,
        mechanisms="PLAIN AMQPLAIN", locales="en_US")),
    ("connection.start-ok, PLAIN", method(
        0, "connection.start-ok", client_properties=[["product", S("hand-written")]], mechanism="PLAIN",
        response="\u0000guest\u0000guest", locale="en_US")),
    ("connection.secure with a binary challenge", method(0, "connection.secure", challenge={"hex": "00ff10"})),
    ("connection.secure-ok", method(0, "connection.secure-ok", response="answer")),
    ("connection.tune as Warren proposes it", method(0, "connection.tune", channel_max=2047, frame_max=131072,
                                                      heartbeat=60)),
    ("connection.tune-ok", method(0, "connection.tune-ok", channel_max=2047, frame_max=131072, heartbeat=60)),
    ("connection.open", method(0, "connection.open", virtual_host="/", reserved_1="", reserved_2=False)),
    ("connection.open-ok", method(0, "connection.open-ok", reserved_1="")),
    ("connection.close, vhost not found", method(
        0, "connection.close", reply_code=530, reply_text="NOT_ALLOWED - vhost nope not found",
        class_id=10, method_id=40)),
    ("connection.close-ok", method(0, "connection.close-ok")),
    ("connection.blocked", method(0, "connection.blocked", reason="low on memory")),
    ("connection.unblocked", method(0, "connection.unblocked")),
    ("connection.update-secret", method(0, "connection.update-secret", new_secret="s3cr3t-token",
                                        reason="token refresh")),
    ("connection.update-secret-ok", method(0, "connection.update-secret-ok")),
    # channel (class 20)
    ("channel.open", method(1, "channel.open", reserved_1="")),
    ("channel.open-ok, longstr reserved field", method(1, "channel.open-ok", reserved_1="")),
    ("channel.flow", method(2047, "channel.flow", active=True)),
    ("channel.flow-ok", method(2047, "channel.flow-ok", active=True)),
    ("channel.close, queue not found", method(
        1, "channel.close", reply_code=404, reply_text="NOT_FOUND - no queue 'missing' in vhost '/'",
        class_id=50, method_id=10)),
    ("channel.close-ok on the highest channel", method(65535, "channel.close-ok")),
    # exchange (class 40)
    ("exchange.declare with every bit set but passive and no-wait", method(
        1, "exchange.declare", reserved_1=0, exchange="logs", type="headers", passive=False, durable=True,
        auto_delete=True, internal=True, no_wait=False, arguments=[["alternate-exchange", S("unrouted")]])),
    ("exchange.declare-ok", method(1, "exchange.declare-ok")),
    ("exchange.delete", method(1, "exchange.delete", reserved_1=0, exchange="logs", if_unused=True, no_wait=True)),
    ("exchange.delete-ok", method(1, "exchange.delete-ok")),
    ("exchange.bind", method(1, "exchange.bind", reserved_1=0, destination="dest", source="src", routing_key="rk",
                             no_wait=False, arguments=[["x-match", S("all")]])),
    ("exchange.bind-ok", method(1, "exchange.bind-ok")),
    ("exchange.unbind", method(1, "exchange.unbind", reserved_1=0, destination="dest", source="src",
                               routing_key="rk", no_wait=True, arguments=[])),
    ("exchange.unbind-ok is method 51", method(1, "exchange.unbind-ok")),
    # queue (class 50)
    ("queue.declare with arguments", method(
        1, "queue.declare", reserved_1=0, queue="tasks", passive=False, durable=True, exclusive=False,
        auto_delete=False, no_wait=False,
        arguments=[["x-queue-type", S("quorum")], ["x-max-length", {"I": 1000}],
                   ["x-overflow", S("reject-publish")]])),
    ("queue.declare-ok with a server-named queue", method(
        1, "queue.declare-ok", queue="amq.gen-JzTY20BRgKO-HjmUJj0wLg", message_count=3, consumer_count=1)),
    ("queue.bind, no-wait", method(1, "queue.bind", reserved_1=0, queue="tasks", exchange="amq.topic",
                                   routing_key="*.urgent", no_wait=True, arguments=[])),
    ("queue.bind-ok", method(1, "queue.bind-ok")),
    ("queue.purge", method(1, "queue.purge", reserved_1=0, queue="tasks", no_wait=False)),
    ("queue.purge-ok", method(1, "queue.purge-ok", message_count=17)),
    ("queue.delete if empty", method(1, "queue.delete", reserved_1=0, queue="tasks", if_unused=False,
                                     if_empty=True, no_wait=False)),
    ("queue.delete-ok", method(1, "queue.delete-ok", message_count=0)),
    ("queue.unbind", method(1, "queue.unbind", reserved_1=0, queue="tasks", exchange="amq.topic",
                            routing_key="*.urgent", arguments=[["x-match", S("any")]])),
    ("queue.unbind-ok", method(1, "queue.unbind-ok")),
    # basic (class 60)
    ("basic.qos, global", method(1, "basic.qos", prefetch_size=0, prefetch_count=100, global_=True)),
    ("basic.qos-ok", method(1, "basic.qos-ok")),
    ("basic.consume, exclusive, server-named tag", method(
        1, "basic.consume", reserved_1=0, queue="tasks", consumer_tag="", no_local=False, no_ack=False,
        exclusive=True, no_wait=False, arguments=[["x-priority", {"I": 5}]])),
    ("basic.consume-ok", method(1, "basic.consume-ok", consumer_tag="amq.ctag-abc")),
    ("basic.cancel from the server, no-wait", method(1, "basic.cancel", consumer_tag="amq.ctag-abc", no_wait=True)),
    ("basic.cancel-ok", method(1, "basic.cancel-ok", consumer_tag="amq.ctag-abc")),
    ("basic.publish, mandatory", method(1, "basic.publish", reserved_1=0, exchange="amq.direct",
                                        routing_key="tasks", mandatory=True, immediate=False)),
    ("basic.return, no route", method(1, "basic.return", reply_code=312, reply_text="NO_ROUTE",
                                      exchange="amq.direct", routing_key="nowhere")),
    ("basic.deliver, redelivered, tag above 2^53", method(
        1, "basic.deliver", consumer_tag="amq.ctag-abc", delivery_tag=9007199254740993, redelivered=True,
        exchange="amq.direct", routing_key="tasks")),
    ("basic.get, no-ack", method(1, "basic.get", reserved_1=0, queue="tasks", no_ack=True)),
    ("basic.get-ok", method(1, "basic.get-ok", delivery_tag=5, redelivered=False, exchange="",
                            routing_key="tasks", message_count=41)),
    ("basic.get-empty", method(1, "basic.get-empty", reserved_1="")),
    ("basic.ack, multiple", method(1, "basic.ack", delivery_tag=42, multiple=True)),
    ("basic.reject", method(1, "basic.reject", delivery_tag=43, requeue=False)),
    ("basic.recover-async", method(1, "basic.recover-async", requeue=True)),
    ("basic.recover", method(1, "basic.recover", requeue=True)),
    ("basic.recover-ok", method(1, "basic.recover-ok")),
    ("basic.nack, multiple, no requeue", method(1, "basic.nack", delivery_tag=44, multiple=True, requeue=False)),
    # confirm (class 85) and tx (class 90)
    ("confirm.select, no-wait", method(1, "confirm.select", no_wait=True)),
    ("confirm.select-ok", method(1, "confirm.select-ok")),
    ("tx.select", method(1, "tx.select")),
    ("tx.select-ok", method(1, "tx.select-ok")),
    ("tx.commit", method(1, "tx.commit")),
    ("tx.commit-ok", method(1, "tx.commit-ok")),
    ("tx.rollback", method(1, "tx.rollback")),
    ("tx.rollback-ok", method(1, "tx.rollback-ok")),
    # tables, content and heartbeats
    ("a table with every field type", method(
        1, "exchange.declare", reserved_1=0, exchange="types", type="direct", passive=False, durable=False,
        auto_delete=False, internal=False, no_wait=False, arguments=EVERY_FIELD_TYPE)),
    ("content header with all 14 properties", header(1, 5, ALL_PROPERTIES)),
    ("content header with no properties, empty body", header(3, 0, {})),
    ("content header, 1 MiB body, persistent", header(1, 1048576, {"delivery-mode": 2})),
    ("body frame, text", {"type": "body", "channel": 1, "payload": "hello"}),
    ("body frame, binary", {"type": "body", "channel": 1, "payload": {"hex": "00ffce0801"}}),
    ("body frame, empty", {"type": "body", "channel": 1, "payload": ""}),
    ("heartbeat", {"type": "heartbeat", "channel": 0}),
]

# Decodable, but Warren does not write the same bytes back.
NON_CANONICAL = [
    ("field tag L is read as int64 (written back as l)", "L", {"L": -2},
     "Warren writes int64 as l; RabbitMQ reads L as int64 too but never writes it"),
    ("boolean octet 0x07 is true (written back as 0x01)", "t07", t(True),
     "any non-zero boolean octet is true; Warren writes 1"),
]


def non_canonical_cases():
    cases = []
    for name, kind, value, reason in NON_CANONICAL:
        meaning = method(1, "queue.declare", reserved_1=0, queue="q", passive=False, durable=False, exclusive=False,
                         auto_delete=False, no_wait=False, arguments=[["v", value]])
        data = bytearray(wire.encode_frame(meaning))
        if kind == "t07":
            data[-2] = 0x07  # the table is the last argument: its boolean octet precedes the frame-end
        cases.append((name, bytes(data), meaning, reason))
    return cases


# MARK: - Error cases: bytes Warren must refuse, and the reply code

def error_cases():
    publish = wire.encode_frame(method(1, "basic.publish", reserved_1=0, exchange="", routing_key="q",
                                       mandatory=False, immediate=False))
    header_frame = wire.encode_frame(header(1, 3, {}))
    cases = []

    def add(name, data, code, detail):
        cases.append({"name": name, "hex": data.hex(), "error": {"code": code, "detail": detail},
                      "source": "constructed"})

    add("frame-end octet is not 0xCE", wire.frame(8, 0, b"")[:-1] + b"\xcd", 501, "frame")
    add("unknown frame type 4", struct.pack(">BHI", 4, 0, 0) + b"\xce", 501, "frame")
    add("frame larger than frame_max, refused from its header", struct.pack(">BHI", 3, 1, 131073), 501, "frame")
    add("heartbeat on channel 1", wire.frame(8, 1, b""), 505, "frame")
    add("heartbeat with a payload", wire.frame(8, 0, b"\x00"), 501, "frame")
    add("method payload shorter than its ids", wire.frame(1, 1, b"\x00\x3c\x00"), 501, "method")
    add("basic.publish whose routing key runs past the frame",
        wire.frame(1, 1, bytes.fromhex("003c0028 0000 00 05 6b65")), 501, "method")
    add("basic.ack with bytes after its arguments",
        wire.frame(1, 1, bytes.fromhex("003c0050 000000000000000b 00 aabb")), 501, "method")
    add("unknown field tag U in a table", wire.frame(1, 1, bytes.fromhex(
        "0032000a 0000 0171 00 00000004 01 76 55 00")), 501, "method")
    deep = {"F": []}
    for _ in range(32):
        deep = {"F": [["n", deep]]}
    add("field tables nested 34 deep (the cap is 32)", wire.encode_frame(method(
        1, "queue.declare", reserved_1=0, queue="q", passive=False, durable=False, exclusive=False,
        auto_delete=False, no_wait=False, arguments=[["n", deep]])), 501, "method")
    add("content header with property flag bit 0", wire.frame(2, 1, struct.pack(">HHQH", 60, 0, 0, 1)), 501, "header")
    add("content header with trailing bytes", wire.frame(2, 1, struct.pack(">HHQH", 60, 0, 0, 0) + b"\x00"), 501,
        "header")
    add("content header with no content method", header_frame, 505, "content")
    add("body frame right after the method", publish + wire.frame(3, 1, b"abc"), 505, "content")
    add("content header for class 50", publish + wire.encode_frame(header(1, 3, {}, class_id=50)), 505, "content")
    add("body longer than the header said", publish + header_frame + wire.frame(3, 1, b"abcd"), 501, "content")
    add("method in the middle of a body", publish + header_frame + wire.frame(3, 1, b"a") + publish, 505, "content")
    add("body size over the 128 MiB default", publish + wire.encode_frame(header(1, 134217729, {})), 406, "content")
    return cases


# MARK: - Captured cases

def captured_cases():
    with open(os.path.join(HERE, "captured.json"), encoding="utf-8") as f:
        captured = json.load(f)
    cases, seen = [], set()
    for source, frames in captured.items():
        client = source.split(" ")[0]
        for index, hex_bytes in enumerate(frames):
            data = bytes.fromhex(hex_bytes)
            if hex_bytes in seen:
                continue
            seen.add(hex_bytes)
            if len(data) == 8 and data.startswith(b"AMQP"):
                meaning = {"type": "protocol-header"}
                name = f"protocol header ({client})"
            else:
                meaning = wire.decode_frame(data)
                what = meaning.get("method", meaning["type"])
                name = f"{what} #{index} ({client})"
            case = {"name": name, "hex": hex_bytes, "frame": meaning, "source": source}
            if not reencodes_in_warren(meaning, data):
                case["canonical"] = False
                case["why"] = "not what Warren writes for this meaning"
            cases.append(case)
    return cases


def reencodes_in_warren(meaning, data):
    """Whether Warren's encoder, which writes l for L and 1 for true, gives `data` back."""
    if meaning["type"] == "protocol-header":
        return True
    text = json.dumps(meaning)
    return '"L":' not in text and wire.encode_frame(meaning) == data


# MARK: - Cross-check with pamqp, when available

def pamqp_disagreements(cases):
    """Where pamqp reads a method or header vector differently; None without pamqp."""
    try:
        from pamqp import frame as pamqp_frame
    except ImportError:
        return None
    problems = []
    for case in cases:
        meaning = case.get("frame")
        if not meaning or meaning["type"] not in ("method", "header"):
            continue
        try:
            _, _, decoded = pamqp_frame.unmarshal(bytes.fromhex(case["hex"]))
        except Exception as error:  # pamqp refuses what it does not know
            problems.append(f"{case['name']}: pamqp cannot decode: {error}")
            continue
        if meaning["type"] == "header":
            theirs = {name: getattr(decoded.properties, PAMQP_PROPERTY_NAMES.get(name, name.replace("-", "_"))) for name in meaning["properties"]}
            ours = {name: plain_table(v) if name == "headers" else v for name, v in meaning["properties"].items()}
            if decoded.body_size != meaning["body-size"] or plain(theirs) != plain(ours):
                problems.append(f"{case['name']}: pamqp reads {theirs!r}")
            continue
        if decoded.name.lower() != meaning["method"].replace("-", ""):
            problems.append(f"{case['name']}: pamqp reads {decoded.name}")
            continue
        for name, value in meaning["arguments"].items():
            attribute = PAMQP_NAMES.get(name, name.replace("-", "_"))
            if not hasattr(decoded, attribute):
                continue
            theirs = getattr(decoded, attribute)
            if isinstance(value, list):
                ours = plain_table(value)
            elif isinstance(value, dict):
                ours = bytes.fromhex(value["hex"])
            else:
                ours = value
            if isinstance(theirs, bytes) and isinstance(ours, str):
                theirs = theirs.decode("utf-8")
            if plain(theirs) != plain(ours):
                problems.append(f"{case['name']}: {name} is {theirs!r} to pamqp, {ours!r} here")
    return problems


PAMQP_NAMES = {"reserved-1": "ticket", "global": "global_", "type": "exchange_type", "no-wait": "nowait"}
PAMQP_PROPERTY_NAMES = {"type": "message_type"}


def plain_table(pairs):
    return {name: plain_value(value) for name, value in pairs}


def plain_value(value):
    (tag, v), = value.items()
    if tag == "F": return plain_table(v)
    if tag == "A": return [plain_value(x) for x in v]
    if tag in "Sx": return wire.meaning_bytes(v)
    if tag == "D": return ("decimal", v["scale"], v["value"])
    return v


def plain(value):
    import datetime
    import decimal
    if isinstance(value, dict): return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list): return [plain(v) for v in value]
    if isinstance(value, str): return value.encode("utf-8")
    if isinstance(value, bytearray): return bytes(value)
    if isinstance(value, decimal.Decimal):
        sign, digits, exponent = value.as_tuple()
        return ("decimal", -exponent, int("".join(map(str, digits))))
    if isinstance(value, datetime.datetime):
        return int(value.replace(tzinfo=datetime.timezone.utc).timestamp())
    return value


# MARK: - Output

def main():
    cases = [{"name": name, "hex": wire.encode_frame(meaning).hex(), "frame": meaning, "source": "constructed"}
             for name, meaning in FRAMES]
    for name, data, meaning, reason in non_canonical_cases():
        cases.append({"name": name, "hex": data.hex(), "frame": meaning, "source": "constructed",
                      "canonical": False, "why": reason})
    cases += captured_cases()
    cases += error_cases()

    # Every constructed or captured frame must read back as its meaning with wire.py.
    for case in cases:
        if "frame" in case and case["frame"]["type"] != "protocol-header":
            assert wire.decode_frame(bytes.fromhex(case["hex"])) == case["frame"], case["name"]
    covered = {c["frame"]["method"] for c in cases if c.get("frame", {}).get("type") == "method"}
    missing = sorted(set(wire.BY_NAME) - covered)
    assert not missing, f"methods without a vector: {missing}"

    problems = pamqp_disagreements(cases)
    if problems is None:
        print("pamqp not importable: cross-check skipped")
    else:
        for problem in problems:
            print("pamqp:", problem)

    document = {
        "schema": "See README.md in this folder. Generated by build_vectors.py; edit that, not this file.",
        "cases": cases,
    }
    with open(os.path.join(HERE, "vectors.json"), "w", encoding="utf-8") as out:
        json.dump(document, out, indent=1, ensure_ascii=False)
        out.write("\n")
    sources = {}
    for case in cases:
        sources[case["source"]] = sources.get(case["source"], 0) + 1
    print(f"{len(cases)} cases:", ", ".join(f"{n} {s}" for s, n in sources.items()))


if __name__ == "__main__":
    main()
