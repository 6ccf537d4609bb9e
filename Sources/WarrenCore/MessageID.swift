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

    /// Makes a message whose encoded properties carry a message-id: the
    /// publisher's, or one made from `sequence` and `idClock()` (read only
    /// then). Without properties (the common case) the id is the whole
    /// property list; otherwise it is spliced into the encoding at its place,
    /// so the properties are still encoded once.
    static func make(exchange: String, routingKey: String, properties: BasicProperties, body: UnsafeRawBufferPointer,
                     sequence: UInt64, idClock: () -> UInt64, scratch: inout ByteWriter) -> Message {
        scratch.bytes.removeAll(keepingCapacity: true)
        if properties.messageID != nil {
            scratch.writeBasicProperties(properties)
        } else if properties == .none {
            scratch.writeUInt16(messageIDFlag)
            MessageID.writeShortString(milliseconds: idClock(), sequence: sequence, to: &scratch)
        } else {
            scratch.writeBasicProperties(properties)
            spliceMessageID(milliseconds: idClock(), sequence: sequence, into: &scratch)
        }
        return scratch.bytes.withUnsafeBytes { encoded in
            make(exchange: exchange, routingKey: routingKey, encodedProperties: encoded,
                 isPersistent: properties.isPersistent, priority: properties.priority ?? 0, body: body, sequence: sequence)
        }
    }

    /// Inserts an id into encoded properties that have none: sets its flag and
    /// puts the short string after the fields that precede it. The encoding
    /// is Warren's own, so it is well formed; if it were not, it is left alone.
    private static func spliceMessageID(milliseconds: UInt64, sequence: UInt64, into scratch: inout ByteWriter) {
        guard let offset = messageIDOffset(in: scratch.bytes) else { return }
        let flags = (UInt16(scratch.bytes[0]) << 8 | UInt16(scratch.bytes[1])) | messageIDFlag
        scratch.bytes.insert(contentsOf: repeatElement(0, count: MessageID.length + 1), at: offset)
        scratch.bytes[0] = UInt8(flags >> 8)
        scratch.bytes[1] = UInt8(flags & 0xFF)
        scratch.bytes[offset] = UInt8(MessageID.length)
        scratch.bytes.withUnsafeMutableBytes { bytes in
            MessageID.write(milliseconds: milliseconds, sequence: sequence,
                            into: UnsafeMutableRawBufferPointer(rebasing: bytes[(offset + 1)...]))
        }
    }

    /// Where message-id goes in encoded properties: after content-type,
    /// content-encoding, headers, delivery-mode, priority, correlation-id,
    /// reply-to and expiration, whichever are present.
    private static func messageIDOffset(in encoded: [UInt8]) -> Int? {
        var reader = ByteReader(encoded)
        do {
            let flags = try reader.readUInt16()
            if flags & (1 << 15) != 0 { try skipShortString(&reader) }
            if flags & (1 << 14) != 0 { try skipShortString(&reader) }
            if flags & (1 << 13) != 0 { _ = try reader.readBytes(Int(try reader.readUInt32())) }
            if flags & (1 << 12) != 0 { _ = try reader.readUInt8() }
            if flags & (1 << 11) != 0 { _ = try reader.readUInt8() }
            if flags & (1 << 10) != 0 { try skipShortString(&reader) }
            if flags & (1 << 9) != 0 { try skipShortString(&reader) }
            if flags & (1 << 8) != 0 { try skipShortString(&reader) }
        } catch {
            return nil
        }
        return reader.index
    }

    private static func skipShortString(_ reader: inout ByteReader) throws(AMQPError) {
        _ = try reader.readBytes(Int(try reader.readUInt8()))
    }
}
