// The framing shared by every Warren log file (segments, index journal, definitions):
//
//   file header (24 bytes): magic (4 ASCII bytes) | version u16 | reserved u16 | value u64
//                           | crc u32 (CRC-32C of the 16 bytes before it) | reserved u32
//   record:                 length u32 | crc u32 | type u8 | payload (length bytes)
//
// `length` counts the payload only. `crc` is CRC-32C over the length field, then the
// type byte and the payload (bytes 0..<4 and 8..<9+length of the record), so a torn
// length, a wrong type and a damaged payload are all caught. See docs/storage.md.

enum RecordFormat {
    static let headerSize = 9
    static let fileHeaderSize = 24
    static let version: UInt16 = 1

    /// Starts a record at the end of `buffer`: reserves the 9-byte header. Returns the
    /// record's start for `finish`.
    @inline(__always)
    static func begin(_ type: UInt8, in buffer: inout [UInt8]) -> Int {
        let start = buffer.count
        buffer.appendLittleEndian(UInt64(0))
        buffer.append(type)
        return start
    }

    /// Fills in the length and CRC of the record begun at `start`, whose payload is
    /// everything appended since. Callers keep payloads below 4 GiB (`ByteLimits`).
    @inline(__always)
    static func finish(at start: Int, in buffer: inout [UInt8]) {
        let length = UInt32(truncatingIfNeeded: buffer.count - start - headerSize)
        buffer.patchLittleEndian(length, at: start)
        let crc = buffer.withUnsafeBytes { bytes in
            checksum(of: bytes, at: start, payloadLength: Int(length))
        }
        buffer.patchLittleEndian(crc, at: start + 4)
    }

    /// The CRC a record at `start` with this payload length should carry. The caller
    /// guarantees the record lies within `bytes`.
    @inline(__always)
    static func checksum(of bytes: UnsafeRawBufferPointer, at start: Int, payloadLength: Int) -> UInt32 {
        let lengthCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + 4)]))
        let body = bytes[(start + 8)..<(start + headerSize + payloadLength)]
        return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: body), continuing: lengthCRC)
    }
}

/// Which log a file belongs to, by its magic.
enum FileKind: UInt32 {
    case segment = 0x4745_5357      // "WSEG" as little-endian bytes
    case journal = 0x5844_4957      // "WIDX"
    case definitions = 0x4645_4457  // "WDEF"
}

/// The 24 bytes at the start of every log file. `value` is the first message id a
/// segment may hold, the journal's generation, or 0 for the definitions log. The
/// header's own CRC tells a damaged header (recovery scans the records anyway) from a
/// version this build does not know (open refuses, rather than misread newer data).
struct FileHeader: Equatable {
    var kind: FileKind
    var version: UInt16 = RecordFormat.version
    var value: UInt64

    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(RecordFormat.fileHeaderSize)
        bytes.appendLittleEndian(kind.rawValue)
        bytes.appendLittleEndian(version)
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(value)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        bytes.appendLittleEndian(UInt32(0))
        return bytes
    }

    /// What the first bytes of a file say about it.
    enum Check {
        case valid(FileHeader)
        /// Shorter than a header: a file created by a crash before its header was written.
        case truncated
        /// Wrong magic or CRC: the header is damaged (the records may still be scanned).
        case wrongMagic
        case unsupportedVersion(UInt16)
    }

    static func check(_ bytes: UnsafeRawBufferPointer, expecting kind: FileKind) -> Check {
        var cursor = ByteCursor(bytes, range: 0..<bytes.count)
        guard let magic = cursor.read(UInt32.self), let version = cursor.read(UInt16.self),
              cursor.read(UInt16.self) != nil, let value = cursor.read(UInt64.self),
              let crc = cursor.read(UInt32.self), cursor.read(UInt32.self) != nil
        else { return .truncated }
        let expected = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<16]))
        guard magic == kind.rawValue, crc == expected else { return .wrongMagic }
        guard version == RecordFormat.version else { return .unsupportedVersion(version) }
        return .valid(FileHeader(kind: kind, version: version, value: value))
    }
}
