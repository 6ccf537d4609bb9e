/// Walks the records of one log file held in memory, checking each one's length and CRC,
/// and reports damage as byte ranges instead of stopping.
///
/// A record that fails its check is handled in two steps:
/// 1. If its length field is plausible and the position after it holds a valid record
///    (or is the exact end of the file), only the payload was damaged: skip it by length.
/// 2. Otherwise the length itself is suspect. Resynchronise: slide forward one byte at a
///    time to the next position where a whole record verifies. Positions are first
///    screened by `isCandidate` (known type, plausible length, payload prefix that makes
///    sense for the log, such as a message id in the segment's range) so the CRC runs
///    only where a record could really start; a false match needs a 32-bit CRC collision
///    on top of the screen.
/// A damaged range that runs to the end of the file is a torn tail; the caller
/// truncates it. Nothing here traps on hostile input.
struct RecordScanner {
    enum Event {
        case record(type: UInt8, start: Int, payload: Range<Int>)
        case damaged(Range<Int>)
    }

    let bytes: UnsafeRawBufferPointer
    let maxPayload: Int
    /// Cheap screen used while resynchronising: type, and payload bytes (already known
    /// to lie within the file, but not yet checksummed).
    let isCandidate: (UInt8, UnsafeRawBufferPointer) -> Bool
    private(set) var position: Int
    /// The end of the last record that verified: where a torn file is cut.
    private(set) var validEnd: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int, maxPayload: Int,
         isCandidate: @escaping (UInt8, UnsafeRawBufferPointer) -> Bool) {
        self.bytes = bytes
        self.maxPayload = maxPayload
        self.isCandidate = isCandidate
        self.position = min(start, bytes.count)
        self.validEnd = self.position
    }

    mutating func next() -> Event? {
        guard position < bytes.count else { return nil }
        if let event = verifiedRecord(at: position) { return event }
        let damageStart = position
        if let length = plausibleLength(at: position) {
            let skip = position + RecordFormat.headerSize + length
            if skip == bytes.count || verifiedRecord(at: skip) != nil {
                position = skip
                return .damaged(damageStart..<skip)
            }
        }
        var candidate = damageStart + 1
        while candidate + RecordFormat.headerSize <= bytes.count {
            if screen(candidate), verifiedRecord(at: candidate) != nil {
                position = candidate
                return .damaged(damageStart..<candidate)
            }
            candidate += 1
        }
        position = bytes.count
        return .damaged(damageStart..<bytes.count)
    }

    /// The payload length at `start` if the header fits and the payload would too.
    private func plausibleLength(at start: Int) -> Int? {
        guard start >= 0, start + RecordFormat.headerSize <= bytes.count else { return nil }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
        guard length <= maxPayload, length <= bytes.count - start - RecordFormat.headerSize else { return nil }
        return length
    }

    private func screen(_ start: Int) -> Bool {
        guard let length = plausibleLength(at: start) else { return false }
        let payloadStart = start + RecordFormat.headerSize
        return isCandidate(bytes[start + 8], UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<(payloadStart + length)]))
    }

    /// The record at `start` if its CRC matches; advances past it.
    private mutating func verifiedRecord(at start: Int) -> Event? {
        guard let length = plausibleLength(at: start) else { return nil }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self))
        guard RecordFormat.checksum(of: bytes, at: start, payloadLength: length) == stored else { return nil }
        let payloadStart = start + RecordFormat.headerSize
        let end = payloadStart + length
        if start == position {
            position = end
            validEnd = end
        }
        return .record(type: bytes[start + 8], start: start, payload: payloadStart..<end)
    }
}
