"""A small AMQP 0-9-1 codec in Python, driven by Protocol/amqp-0-9-1.json.

It exists so that the golden vectors do not depend on Warren: the capture
tool uses it to answer clients and to describe what they sent, and the
vector builder uses it to encode hand-written cases. It shares no code with
Warren's Swift codec and follows Protocol/README.md directly.

Meanings are JSON-ready values (see README.md in this folder):
  shortstr  -> str
  longstr   -> str when the bytes are UTF-8, else {"hex": "..."}
  table     -> [[name, {tag: value}], ...]   (a list, so order survives JSON)
  bit       -> bool;  integers -> int
"""

import json
import os
import struct

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "amqp-0-9-1.json")

with open(SPEC_PATH, encoding="utf-8") as spec_file:
    SPEC = json.load(spec_file)

METHODS = {}   # (class id, method id) -> (class spec, method spec)
BY_NAME = {}   # "class.method" -> (class spec, method spec)
for _class in SPEC["classes"]:
    for _method in _class["methods"]:
        METHODS[(_class["id"], _method["id"])] = (_class, _method)
        BY_NAME[f"{_class['name']}.{_method['name']}"] = (_class, _method)
PROPERTIES = next(c for c in SPEC["classes"] if c["name"] == "basic")["properties"]

FRAME_END = 0xCE
FRAME_TYPES = {1: "method", 2: "header", 3: "body", 8: "heartbeat"}
FRAME_CODES = {name: code for code, name in FRAME_TYPES.items()}


class DecodeError(Exception):
    pass


# MARK: - Bytes and their JSON form

def bytes_meaning(data):
    """A longstr or body as JSON: text when it is UTF-8, hex otherwise."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": data.hex()}


def meaning_bytes(value):
    if isinstance(value, dict):
        return bytes.fromhex(value["hex"])
    return value.encode("utf-8")


# MARK: - Encoding

def shortstr(text):
    data = text.encode("utf-8")
    if len(data) > 255:
        raise ValueError(f"shortstr longer than 255 bytes: {text!r}")
    return bytes([len(data)]) + data


def longstr(data):
    return struct.pack(">I", len(data)) + data


def encode_table(pairs):
    body = b"".join(shortstr(name) + encode_value(value) for name, value in pairs)
    return longstr(body)


def encode_array(values):
    return longstr(b"".join(encode_value(value) for value in values))


def encode_value(value):
    (tag, v), = value.items()
    t = tag.encode("ascii")
    if tag == "t": return t + bytes([1 if v else 0])
    if tag == "b": return t + struct.pack(">b", v)
    if tag == "B": return t + struct.pack(">B", v)
    if tag == "s": return t + struct.pack(">h", v)
    if tag == "u": return t + struct.pack(">H", v)
    if tag == "I": return t + struct.pack(">i", v)
    if tag == "i": return t + struct.pack(">I", v)
    if tag in ("l", "L"): return t + struct.pack(">q", v)
    if tag == "f": return t + struct.pack(">f", v)
    if tag == "d": return t + struct.pack(">d", v)
    if tag == "D": return t + struct.pack(">BI", v["scale"], v["value"])
    if tag in ("S", "x"): return t + longstr(meaning_bytes(v))
    if tag == "A": return t + encode_array(v)
    if tag == "T": return t + struct.pack(">Q", v)
    if tag == "F": return t + encode_table(v)
    if tag == "V": return t
    raise ValueError(f"unknown tag {tag}")


def encode_fields(fields, arguments):
    out = bytearray()
    bits, count = 0, 0
    for field in fields:
        value = arguments[field["name"]]
        if field["type"] == "bit":
            if count == 8:
                out.append(bits)
                bits, count = 0, 0
            bits |= (1 if value else 0) << count
            count += 1
            continue
        if count:
            out.append(bits)
            bits, count = 0, 0
        out += encode_primitive(field["type"], value)
    if count:
        out.append(bits)
    return bytes(out)


def encode_primitive(kind, value):
    if kind == "octet": return struct.pack(">B", value)
    if kind == "short": return struct.pack(">H", value)
    if kind == "long": return struct.pack(">I", value)
    if kind in ("longlong", "timestamp"): return struct.pack(">Q", value)
    if kind == "shortstr": return shortstr(value)
    if kind == "longstr": return longstr(meaning_bytes(value))
    if kind == "table": return encode_table(value)
    raise ValueError(kind)


def encode_method(name, arguments):
    class_spec, method_spec = BY_NAME[name]
    missing = [f["name"] for f in method_spec["fields"] if f["name"] not in arguments]
    extra = set(arguments) - {f["name"] for f in method_spec["fields"]}
    if missing or extra:
        raise ValueError(f"{name}: missing {missing}, unknown {sorted(extra)}")
    return struct.pack(">HH", class_spec["id"], method_spec["id"]) + encode_fields(method_spec["fields"], arguments)


def encode_properties(properties):
    flags, out = 0, bytearray()
    for prop in PROPERTIES:
        if prop["name"] in properties:
            flags |= 1 << prop["bit"]
            out += encode_primitive(prop["type"], properties[prop["name"]])
    unknown = set(properties) - {p["name"] for p in PROPERTIES}
    if unknown:
        raise ValueError(f"unknown properties {sorted(unknown)}")
    return struct.pack(">H", flags) + bytes(out)


def encode_frame(meaning):
    """Bytes of one frame from its meaning (the "frame" object of a vector)."""
    kind = meaning["type"]
    if kind == "method":
        payload = encode_method(meaning["method"], meaning["arguments"])
    elif kind == "header":
        payload = struct.pack(">HHQ", meaning["class-id"], meaning["weight"], meaning["body-size"])
        payload += encode_properties(meaning["properties"])
    elif kind == "body":
        payload = meaning_bytes(meaning["payload"])
    elif kind == "heartbeat":
        payload = b""
    else:
        raise ValueError(kind)
    return frame(FRAME_CODES[kind], meaning["channel"], payload)


def frame(type_code, channel, payload):
    return struct.pack(">BHI", type_code, channel, len(payload)) + payload + bytes([FRAME_END])


# MARK: - Decoding

class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, count):
        if count < 0 or self.pos + count > len(self.data):
            raise DecodeError(f"need {count} bytes at {self.pos}, have {len(self.data) - self.pos}")
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def shortstr(self):
        return self.take(self.unpack(">B")).decode("utf-8", errors="replace")

    def longstr(self):
        return self.take(self.unpack(">I"))

    @property
    def at_end(self):
        return self.pos == len(self.data)


def decode_table(reader):
    inner = Reader(reader.longstr())
    pairs = []
    while not inner.at_end:
        name = inner.shortstr()
        pairs.append([name, decode_value(inner)])
    return pairs


def decode_value(reader):
    tag = chr(reader.unpack(">B"))
    if tag == "t": return {"t": reader.unpack(">B") != 0}
    if tag == "b": return {"b": reader.unpack(">b")}
    if tag == "B": return {"B": reader.unpack(">B")}
    if tag == "s": return {"s": reader.unpack(">h")}
    if tag == "u": return {"u": reader.unpack(">H")}
    if tag == "I": return {"I": reader.unpack(">i")}
    if tag == "i": return {"i": reader.unpack(">I")}
    if tag in "lL": return {tag: reader.unpack(">q")}
    if tag == "f": return {"f": reader.unpack(">f")}
    if tag == "d": return {"d": reader.unpack(">d")}
    if tag == "D":
        scale = reader.unpack(">B")
        return {"D": {"scale": scale, "value": reader.unpack(">I")}}
    if tag in "Sx": return {tag: bytes_meaning(reader.longstr())}
    if tag == "A":
        inner = Reader(reader.longstr())
        values = []
        while not inner.at_end:
            values.append(decode_value(inner))
        return {"A": values}
    if tag == "T": return {"T": reader.unpack(">Q")}
    if tag == "F": return {"F": decode_table(reader)}
    if tag == "V": return {"V": None}
    raise DecodeError(f"unknown field tag {tag!r}")


def decode_primitive(reader, kind):
    if kind == "octet": return reader.unpack(">B")
    if kind == "short": return reader.unpack(">H")
    if kind == "long": return reader.unpack(">I")
    if kind in ("longlong", "timestamp"): return reader.unpack(">Q")
    if kind == "shortstr": return reader.shortstr()
    if kind == "longstr": return bytes_meaning(reader.longstr())
    if kind == "table": return decode_table(reader)
    raise ValueError(kind)


def decode_method(payload):
    reader = Reader(payload)
    class_id, method_id = reader.unpack(">H"), reader.unpack(">H")
    if (class_id, method_id) not in METHODS:
        raise DecodeError(f"unknown method {class_id}.{method_id}")
    class_spec, method_spec = METHODS[(class_id, method_id)]
    arguments, bits, count = {}, 0, 8
    for field in method_spec["fields"]:
        if field["type"] == "bit":
            if count == 8:
                bits, count = reader.unpack(">B"), 0
            arguments[field["name"]] = bool(bits >> count & 1)
            count += 1
            continue
        count = 8
        arguments[field["name"]] = decode_primitive(reader, field["type"])
    if not reader.at_end:
        raise DecodeError("bytes after the arguments")
    return f"{class_spec['name']}.{method_spec['name']}", arguments


def decode_frame(data):
    """The meaning of exactly one frame's bytes."""
    reader = Reader(data)
    type_code, channel, size = reader.unpack(">B"), reader.unpack(">H"), reader.unpack(">I")
    payload = reader.take(size)
    if reader.unpack(">B") != FRAME_END or not reader.at_end:
        raise DecodeError("bad frame end")
    kind = FRAME_TYPES[type_code]
    meaning = {"type": kind, "channel": channel}
    if kind == "method":
        meaning["method"], meaning["arguments"] = decode_method(payload)
    elif kind == "header":
        r = Reader(payload)
        meaning["class-id"], meaning["weight"], meaning["body-size"] = r.unpack(">H"), r.unpack(">H"), r.unpack(">Q")
        flags, properties = r.unpack(">H"), {}
        for prop in PROPERTIES:
            if flags >> prop["bit"] & 1:
                properties[prop["name"]] = decode_primitive(r, prop["type"])
        if flags & 0b11 or not r.at_end:
            raise DecodeError("bad property flags or trailing bytes")
        meaning["properties"] = properties
    elif kind == "body":
        meaning["payload"] = bytes_meaning(payload)
    return meaning


def split_frames(data):
    """Whole frames in a byte stream, as bytes; the rest is left over."""
    frames, pos = [], 0
    while len(data) - pos >= 7:
        size = struct.unpack(">I", data[pos + 3:pos + 7])[0]
        if len(data) - pos < size + 8:
            break
        frames.append(data[pos:pos + size + 8])
        pos += size + 8
    return frames, data[pos:]
