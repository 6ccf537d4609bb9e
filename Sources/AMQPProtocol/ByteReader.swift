/// A bounds-checked cursor over a frame payload.
///
/// Every read checks the remaining length first and throws a frame error
/// (501, as RabbitMQ does for arguments it cannot decode) when the input runs
/// out, so a hostile length can never make a read go past the end of the
/// frame, and nothing larger than the frame is ever allocated.
public struct ByteReader: Sendable {
    public let bytes: ArraySlice<UInt8>
    public private(set) var index: Int

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    public var remaining: Int { bytes.endIndex - index }
    public var isAtEnd: Bool { index >= bytes.endIndex }

    @inline(__always)
    private mutating func need(_ count: Int, _ what: StaticString) throws(AMQPError) {
        guard count >= 0, count <= remaining else {
            throw .frameError("\(what) runs past the end of its frame")
        }
    }

    public mutating func readUInt8() throws(AMQPError) -> UInt8 {
        try need(1, "octet")
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func readUInt16() throws(AMQPError) -> UInt16 {
        try need(2, "short")
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    public mutating func readUInt32() throws(AMQPError) -> UInt32 {
        try need(4, "long")
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 8 | UInt32(bytes[index + offset]) }
        index += 4
        return value
    }

    public mutating func readUInt64() throws(AMQPError) -> UInt64 {
        try need(8, "longlong")
        var value: UInt64 = 0
        for offset in 0..<8 { value = value << 8 | UInt64(bytes[index + offset]) }
        index += 8
        return value
    }

    public mutating func readBytes(_ count: Int) throws(AMQPError) -> ArraySlice<UInt8> {
        try need(count, "byte run")
        defer { index += count }
        return bytes[index..<index + count]
    }

    /// A `shortstr`: one length octet, then that many bytes, decoded as UTF-8
    /// (invalid sequences are repaired, never trapped on).
    public mutating func readShortString() throws(AMQPError) -> String {
        let length = Int(try readUInt8())
        try need(length, "short string")
        defer { index += length }
        return String(decoding: bytes[index..<index + length], as: UTF8.self)
    }

    /// Passes over a `shortstr`, with the same checks as `readShortString()`.
    public mutating func skipShortString() throws(AMQPError) {
        let length = Int(try readUInt8())
        try need(length, "short string")
        index += length
    }

    /// A `longstr`: a 32-bit length, then that many bytes.
    public mutating func readLongString() throws(AMQPError) -> [UInt8] {
        let length = Int(try readUInt32())
        try need(length, "long string")
        defer { index += length }
        return Array(bytes[index..<index + length])
    }
}

/// Big-endian appends onto a growable byte array.
public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public init(appendingTo bytes: [UInt8]) { self.bytes = bytes }

    public var count: Int { bytes.count }

    @inline(__always) public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    @inline(__always) public mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always) public mutating func writeUInt32(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always) public mutating func writeUInt64(_ value: UInt64) {
        writeUInt32(UInt32(truncatingIfNeeded: value >> 32))
        writeUInt32(UInt32(truncatingIfNeeded: value))
    }

    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    /// Writes a `shortstr`. Text longer than 255 bytes is cut at the last
    /// whole UTF-8 character that fits, as RabbitMQ cuts long reply texts.
    public mutating func writeShortString(_ string: String) {
        let utf8 = string.utf8
        guard utf8.count > 255 else {
            bytes.append(UInt8(utf8.count))
            bytes.append(contentsOf: utf8)
            return
        }
        var end = utf8.index(utf8.startIndex, offsetBy: 255)
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) { end = utf8.index(before: end) }
        let kept = utf8[..<end]
        bytes.append(UInt8(kept.count))
        bytes.append(contentsOf: kept)
    }

    public mutating func writeLongString<C: Collection>(_ data: C) where C.Element == UInt8 {
        writeUInt32(UInt32(truncatingIfNeeded: data.count))
        bytes.append(contentsOf: data)
    }

    /// Overwrites four bytes at `offset` with `value`, for lengths known only
    /// after the payload is written.
    public mutating func patchUInt32(_ value: UInt32, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
