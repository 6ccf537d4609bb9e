/// The index journal: `index/<generation>.idx`, one live generation at a time. It says
/// which of the messages that segment records route to a queue are no longer there,
/// and which were delivered. Record types and payloads (key: u16 length + UTF-8):
///
///     1 checkpointBegin  generation u64, watermark u64
///     2 checkpointQueue  key, count u32, count × entry u64 (id | delivered << 63)
///     3 checkpointEnd    chunk count u32 (number of checkpointQueue records)
///     4 delivered        key, count u32, count × id u64
///     5 removed          key, count u32, count × id u64  (ack, reject, expiry, dead-letter)
///     6 dropped          key, through u64                (purge or delete: every id ≤ through)
///
/// A generation starts with a checkpoint: for every message id ≤ watermark, the live
/// (queue, message) pairs are exactly those listed. Messages above the watermark are
/// live in every queue their segment record names unless a later record removes them.
/// When the journal grows past its target (or twice the checkpoint's size), the store
/// writes the next generation with a fresh checkpoint and retires the old file once
/// the new one is durable; so the journal tracks the backlog, not the history.
final class IndexJournal {
    static let checkpointBegin: UInt8 = 1
    static let checkpointQueue: UInt8 = 2
    static let checkpointEnd: UInt8 = 3
    static let delivered: UInt8 = 4
    static let removed: UInt8 = 5
    static let dropped: UInt8 = 6
    static let maxPayload = 16 << 20
    /// Entries per checkpointQueue record: keeps each record under 1 MiB.
    static let checkpointChunk = 100_000

    let generation: UInt64
    let file: AppendFile
    var bytesSinceCheckpoint = 0

    init(generation: UInt64, file: AppendFile) {
        self.generation = generation
        self.file = file
    }

    func appendIDs(_ type: UInt8, key: [UInt8], ids: some Collection<UInt64>) {
        let before = file.buffer.count
        let start = RecordFormat.begin(type, in: &file.buffer)
        file.buffer.appendShortField(key)
        file.buffer.appendLittleEndian(UInt32(truncatingIfNeeded: ids.count))
        for id in ids { file.buffer.appendLittleEndian(id) }
        RecordFormat.finish(at: start, in: &file.buffer)
        bytesSinceCheckpoint += file.buffer.count - before
    }

    func appendDropped(key: [UInt8], through: UInt64) {
        let before = file.buffer.count
        let start = RecordFormat.begin(Self.dropped, in: &file.buffer)
        file.buffer.appendShortField(key)
        file.buffer.appendLittleEndian(through)
        RecordFormat.finish(at: start, in: &file.buffer)
        bytesSinceCheckpoint += file.buffer.count - before
    }

    /// Writes a whole checkpoint of `ledgers` into `file`, calling `flush` whenever the
    /// buffer passes `flushAt` bytes so a large checkpoint is not held in memory twice.
    static func writeCheckpoint(to file: AppendFile, generation: UInt64, watermark: UInt64,
                                ledgers: some Sequence<QueueLedger>, flushAt: Int,
                                flush: (AppendFile) throws(StoreError) -> Void) throws(StoreError) {
        var start = RecordFormat.begin(checkpointBegin, in: &file.buffer)
        file.buffer.appendLittleEndian(generation)
        file.buffer.appendLittleEndian(watermark)
        RecordFormat.finish(at: start, in: &file.buffer)
        var chunks: UInt32 = 0
        var entries: [UInt64] = []
        for ledger in ledgers where ledger.liveCount > 0 && ledger.keyBytes.count <= Int(UInt16.max) {
            entries.removeAll(keepingCapacity: true)
            ledger.forEachLive { id, delivered in entries.append(delivered ? id | 1 << 63 : id) }
            var index = 0
            while index < entries.count {
                let chunk = entries[index..<min(index + checkpointChunk, entries.count)]
                start = RecordFormat.begin(checkpointQueue, in: &file.buffer)
                file.buffer.appendShortField(ledger.keyBytes)
                file.buffer.appendLittleEndian(UInt32(truncatingIfNeeded: chunk.count))
                for entry in chunk { file.buffer.appendLittleEndian(entry) }
                RecordFormat.finish(at: start, in: &file.buffer)
                chunks &+= 1
                index += chunk.count
                if file.buffer.count >= flushAt { try flush(file) }
            }
        }
        start = RecordFormat.begin(checkpointEnd, in: &file.buffer)
        file.buffer.appendLittleEndian(chunks)
        RecordFormat.finish(at: start, in: &file.buffer)
    }

    /// The screen used to resynchronise a damaged journal scan.
    static func isCandidate(type: UInt8, payload: UnsafeRawBufferPointer) -> Bool {
        switch type {
        case checkpointBegin: return payload.count == 16
        case checkpointEnd: return payload.count == 4
        case checkpointQueue, delivered, removed, dropped:
            guard payload.count >= 2 else { return false }
            let keyLength = Int(UInt16(littleEndian: payload.loadUnaligned(as: UInt16.self)))
            if type == dropped { return payload.count == 2 + keyLength + 8 }
            guard payload.count >= 2 + keyLength + 4 else { return false }
            let count = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 2 + keyLength, as: UInt32.self)))
            return payload.count == 2 + keyLength + 4 + 8 * count
        default:
            return false
        }
    }
}
