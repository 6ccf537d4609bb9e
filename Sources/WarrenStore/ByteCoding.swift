// Little-endian encoding into byte arrays and bounds-checked decoding out of them. Every
// on-disk integer is little-endian (the native order of the machines we run on).
//
// The reader treats its input as hostile: a length read from disk is compared with what
// is left before anything is sliced, and every failure is a `nil`, never a trap.

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// A string or byte field with a 16-bit length prefix. Callers check the size first
    /// (`ByteLimits.checkShort`), so the truncating conversion never loses bytes.
    mutating func appendShortField(_ bytes: [UInt8]) {
        appendLittleEndian(UInt16(truncatingIfNeeded: bytes.count))
        append(contentsOf: bytes)
    }

    /// A byte field with a 32-bit length prefix (argument tables, properties, bodies).
    mutating func appendLongField(_ bytes: [UInt8]) {
        appendLittleEndian(UInt32(truncatingIfNeeded: bytes.count))
        append(contentsOf: bytes)
    }

    /// Overwrites four bytes at `index` with `value`, little-endian.
    mutating func patchLittleEndian(_ value: UInt32, at index: Int) {
        withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: value.littleEndian, toByteOffset: index, as: UInt32.self)
        }
    }
}

/// Writes fields through a raw pointer into space already reserved in a byte array:
/// one capacity check and one uniqueness check per record instead of one per field,
/// which is what makes encoding a message record cheap on the loop.
struct RawWriter {
    private let base: UnsafeMutableRawBufferPointer
    private(set) var position: Int

    init(_ base: UnsafeMutableRawBufferPointer, at position: Int) {
        self.base = base
        self.position = position
    }

    @inline(__always)
    mutating func put<T: FixedWidthInteger>(_ value: T) {
        base.storeBytes(of: value.littleEndian, toByteOffset: position, as: T.self)
        position += MemoryLayout<T>.size
    }

    @inline(__always)
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, let target = base.baseAddress, bytes.count > 0 else { return }
        (target + position).copyMemory(from: source, byteCount: bytes.count)
        position += bytes.count
    }

    mutating func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { put($0) }
    }

    mutating func put(_ string: String) {
        var string = string
        string.withUTF8 { put(UnsafeRawBufferPointer($0)) }
    }
}

extension Array where Element == UInt8 {
    /// Grows the array by `count` zero bytes with block copies, then lets `body` fill
    /// them through a `RawWriter` starting at the old end.
    mutating func appendRaw(count: Int, _ body: (inout RawWriter) -> Void) {
        let start = self.count
        var remaining = count
        while remaining > 0 {
            let chunk = Swift.min(remaining, zeroPage.count)
            zeroPage.withUnsafeBytes { append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<chunk])) }
            remaining -= chunk
        }
        withUnsafeMutableBytes { bytes in
            var writer = RawWriter(bytes, at: start)
            body(&writer)
        }
    }
}

private let zeroPage = [UInt8](repeating: 0, count: 16 << 10)

/// Size limits of the length-prefixed fields, checked before encoding so that a record
/// is either written whole or not at all.
enum ByteLimits {
    static func checkShort(_ bytes: [UInt8], _ field: String) throws(StoreError) {
        if bytes.count > Int(UInt16.max) { throw .tooLarge(field: field, size: bytes.count) }
    }

    static func checkLong(_ bytes: [UInt8], _ field: String) throws(StoreError) {
        if bytes.count > Int(UInt32.max) - 64 { throw .tooLarge(field: field, size: bytes.count) }
    }
}

/// A forward reader over untrusted bytes. Positions are offsets into `bytes`.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position == end }

    @inline(__always)
    mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { return nil }
        defer { position += size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// The range of the next `count` bytes, consumed.
    mutating func take(_ count: Int) -> Range<Int>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func shortField() -> Range<Int>? {
        guard let count = read(UInt16.self) else { return nil }
        return take(Int(count))
    }

    mutating func longField() -> Range<Int>? {
        guard let count = read(UInt32.self) else { return nil }
        return take(Int(count))
    }

    func array(_ range: Range<Int>) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// The bytes as text; invalid UTF-8 is repaired rather than rejected, because the
    /// record already passed its checksum and a name is better slightly wrong than lost.
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    mutating func shortString() -> String? {
        shortField().map { string($0) }
    }
}
