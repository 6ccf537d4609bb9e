/// The ids Warren gives messages that arrive without a `message-id` property.
///
import AMQPProtocol

/// An id is 15 characters of Crockford base32 (`0-9A-Z` without `I L O U`,
/// which sorts in ASCII order): 9 characters of wall-clock milliseconds since
/// 1970 (45 bits, good until the year 3084), then 6 characters of the low 30
/// bits of the broker-wide message sequence number. So ids sort in the order
/// Warren took the messages in, and two ids can only collide if a billion
/// messages arrive within one millisecond.
///
/// On the publish path the id is written straight into the encoded properties
/// (`Message.make(…idClock:…)`): no `String`, no second encoding. Fifteen
/// ASCII bytes is also the most a Swift `String` holds inline, so `make`
/// allocates nothing either.
public enum MessageID {
    /// Characters in an id Warren makes.
    public static let length = 15

    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The id for the message with broker sequence number `sequence`, taken at
    /// `milliseconds` since the Unix epoch.
    public static func make(milliseconds: UInt64, sequence: UInt64) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            write(milliseconds: milliseconds, sequence: sequence, into: UnsafeMutableRawBufferPointer(buffer))
            return length
        }
    }

    /// Writes the `length` characters of an id into `buffer`.
    @inline(__always)
    static func write(milliseconds: UInt64, sequence: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        alphabet.withUnsafeBufferPointer { digits in
            var time = milliseconds
            for index in stride(from: 8, through: 0, by: -1) {
                buffer[index] = digits[Int(time & 31)]
                time >>= 5
            }
            var counter = sequence
            for index in stride(from: 14, through: 9, by: -1) {
                buffer[index] = digits[Int(counter & 31)]
                counter >>= 5
            }
        }
    }

    /// Appends an id as an AMQP short string (length octet, then the characters).
    static func writeShortString(milliseconds: UInt64, sequence: UInt64, to writer: inout ByteWriter) {
        withUnsafeTemporaryAllocation(byteCount: length + 1, alignment: 1) { buffer in
            buffer[0] = UInt8(length)
            write(milliseconds: milliseconds, sequence: sequence, into: UnsafeMutableRawBufferPointer(rebasing: buffer[1...]))
            writer.bytes.append(contentsOf: UnsafeRawBufferPointer(buffer))
        }
    }

    /// The milliseconds part of an id Warren made, or nil for another string.
    public static func milliseconds(of id: String) -> UInt64? {
        let bytes = Array(id.utf8)
        guard bytes.count == length else { return nil }
        var value: UInt64 = 0
        for byte in bytes.prefix(9) {
            guard let digit = alphabet.firstIndex(of: byte) else { return nil }
            value = value << 5 | UInt64(digit)
        }
        return value
    }
}

extension Message {
    /// The message-id property's flag bit.
    private static let messageIDFlag: UInt16 = 1 << 7

    /// Makes a message whose properties carry a message-id: the publisher's, or
    /// one made from `sequence` and `idClock()` (read only then). `encoded` is a
    /// property list `summary` was read from. Without properties (the common case)
    /// the id is the whole list; otherwise it is spliced in at its place, so the
    /// publisher's encoding is kept as it came.
    static func make(exchange: String, routingKey: String, encodedProperties encoded: UnsafeRawBufferPointer,
                     summary: PropertySummary, body: UnsafeRawBufferPointer, sequence: UInt64,
                     idClock: () -> UInt64, scratch: inout ByteWriter) -> Message {
        let isPersistent = summary.isPersistent, priority = summary.priority ?? 0
        guard !summary.hasMessageID else {
            return make(exchange: exchange, routingKey: routingKey, encodedProperties: encoded,
                        isPersistent: isPersistent, priority: priority, body: body, sequence: sequence)
        }
        scratch.bytes.removeAll(keepingCapacity: true)
        let offset = min(max(summary.messageIDOffset, 2), encoded.count)
        scratch.writeUInt16(summary.flags | messageIDFlag)
        if offset > 2 { scratch.writeBytes(UnsafeRawBufferPointer(rebasing: encoded[2..<offset])) }
        MessageID.writeShortString(milliseconds: idClock(), sequence: sequence, to: &scratch)
        if offset < encoded.count { scratch.writeBytes(UnsafeRawBufferPointer(rebasing: encoded[offset...])) }
        return scratch.bytes.withUnsafeBytes { withID in
            make(exchange: exchange, routingKey: routingKey, encodedProperties: withID,
                 isPersistent: isPersistent, priority: priority, body: body, sequence: sequence)
        }
    }
}
