/// What recovery learned about one queue key from the index journal, and the messages
/// it recovers for that queue from the segments.
///
/// Segment records arrive in increasing id order, and every list here is sorted, so
/// each question ("is this id in the checkpoint? removed? delivered?") is answered by
/// advancing a cursor: a merge join, with no hashing per message.
final class RecoveryQueue {
    let key: String
    /// Checkpoint entries: id | delivered << 63.
    var checkpoint: [UInt64] = []
    var removed: [UInt64] = []
    var delivered: [UInt64] = []
    var droppedThrough: UInt64 = 0
    private var checkpointCursor = 0
    private var removedCursor = 0
    private var deliveredCursor = 0
    /// Checkpoint entries whose message was not found in any segment.
    private(set) var missing = 0
    var recovered: [RecoveredMessage] = []

    init(key: String) { self.key = key }

    func prepareForMerge() {
        let mask: UInt64 = (1 << 63) - 1
        if !zip(checkpoint, checkpoint.dropFirst()).allSatisfy({ $0 & mask < $1 & mask }) {
            checkpoint.sort { $0 & mask < $1 & mask }
        }
        removed.sort()
        delivered.sort()
    }

    /// Whether the message `id`, whose segment record names this queue, is live here:
    /// nil if not, else whether it may have been delivered.
    func liveness(of id: UInt64, watermark: UInt64, hasCheckpoint: Bool) -> Bool? {
        guard id > droppedThrough else { return nil }
        var wasDelivered = !hasCheckpoint
        if hasCheckpoint && id <= watermark {
            let mask: UInt64 = (1 << 63) - 1
            while checkpointCursor < checkpoint.count, checkpoint[checkpointCursor] & mask < id {
                checkpointCursor += 1
                missing += 1
            }
            guard checkpointCursor < checkpoint.count, checkpoint[checkpointCursor] & mask == id else { return nil }
            wasDelivered = checkpoint[checkpointCursor] >> 63 == 1
            checkpointCursor += 1
        }
        while removedCursor < removed.count, removed[removedCursor] < id { removedCursor += 1 }
        if removedCursor < removed.count, removed[removedCursor] == id { return nil }
        while deliveredCursor < delivered.count, delivered[deliveredCursor] < id { deliveredCursor += 1 }
        if deliveredCursor < delivered.count, delivered[deliveredCursor] == id { wasDelivered = true }
        return wasDelivered
    }

    /// Call after every segment was read: counts checkpoint entries never matched.
    func finishMerge() {
        missing += checkpoint.count - checkpointCursor
        checkpointCursor = checkpoint.count
    }
}

/// The index journal as recovery reads it.
struct JournalState {
    /// Messages with ids up to here are live only where the checkpoint lists them.
    var watermark: UInt64 = 0
    /// False when no generation had a complete checkpoint: every message in the segments
    /// goes back to the queues its record names, marked redelivered.
    var hasCheckpoint = false
    var queues: [String: RecoveryQueue] = [:]
    var highestID: UInt64 = 0
    var highestGeneration: UInt64 = 0
    /// Every journal file found: all are replaced by the checkpoint written at open.
    var files: [String] = []
}

enum JournalRecovery {
    private enum Event {
        case delivered(String, [UInt64])
        case removed(String, [UInt64])
        case dropped(String, UInt64)
    }

    private struct Generation {
        var number: UInt64
        var checkpoint: (watermark: UInt64, queues: [(String, [UInt64])])?
        var events: [Event] = []
    }

    static func recover(_ directory: DataDirectory, notes: inout [RecoveryNote]) throws(StoreError) -> JournalState {
        var state = JournalState()
        var generations: [Generation] = []
        for name in try FileIO.listDirectory(directory.indexPath) {
            guard let number = DataDirectory.number(in: name, suffix: ".idx") else { continue }
            let path = directory.journalPath(generation: number)
            state.files.append(path)
            state.highestGeneration = max(state.highestGeneration, number)
            if let generation = try read(path, number: number, notes: &notes) { generations.append(generation) }
        }
        generations.sort { $0.number < $1.number }
        let chosen = generations.lastIndex { $0.checkpoint != nil }
        if let chosen, let checkpoint = generations[chosen].checkpoint {
            state.hasCheckpoint = true
            state.watermark = checkpoint.watermark
            state.highestID = checkpoint.watermark
            for (key, entries) in checkpoint.queues {
                queue(key, in: &state).checkpoint += entries
                for entry in entries { state.highestID = max(state.highestID, entry & ((1 << 63) - 1)) }
            }
        } else if !generations.isEmpty {
            notes.append(RecoveryNote(kind: .indexFallback, path: directory.indexPath,
                detail: "no complete checkpoint in the index journal; messages return to the queues their records name, redelivered"))
        }
        for generation in generations[(chosen ?? 0)...] {
            for event in generation.events { apply(event, to: &state) }
        }
        for recoveryQueue in state.queues.values { recoveryQueue.prepareForMerge() }
        return state
    }

    private static func queue(_ key: String, in state: inout JournalState) -> RecoveryQueue {
        if let existing = state.queues[key] { return existing }
        let created = RecoveryQueue(key: key)
        state.queues[key] = created
        return created
    }

    private static func apply(_ event: Event, to state: inout JournalState) {
        switch event {
        case .delivered(let key, let ids):
            queue(key, in: &state).delivered += ids
            state.highestID = max(state.highestID, ids.max() ?? 0)
        case .removed(let key, let ids):
            queue(key, in: &state).removed += ids
            state.highestID = max(state.highestID, ids.max() ?? 0)
        case .dropped(let key, let through):
            let dropped = queue(key, in: &state)
            dropped.droppedThrough = max(dropped.droppedThrough, through)
            state.highestID = max(state.highestID, through)
        }
    }

    /// Parses one generation: its checkpoint (kept only if complete) and its events.
    private static func read(_ path: String, number: UInt64, notes: inout [RecoveryNote]) throws(StoreError) -> Generation? {
        let contents = try FileIO.readAll(path)
        var generation = Generation(number: number)
        var failure: StoreError?
        contents.withUnsafeBytes { bytes in
            switch FileHeader.check(bytes, expecting: .journal) {
            case .valid(let header) where header.value == number: break
            case .valid, .wrongMagic:
                notes.append(RecoveryNote(kind: .damagedFile, path: path, detail: "damaged header; scanning records anyway"))
            case .truncated:
                notes.append(RecoveryNote(kind: .damagedFile, path: path, detail: "shorter than its header; ignored"))
                return
            case .unsupportedVersion(let version):
                failure = .unsupportedFormat(path: path, version: version)
                return
            }
            var checkpointQueues: [(String, [UInt64])] = []
            var watermark: UInt64?
            var checkpointIntact = true
            var scanner = RecordScanner(bytes, from: RecordFormat.fileHeaderSize, maxPayload: IndexJournal.maxPayload,
                                        isCandidate: IndexJournal.isCandidate)
            while let event = scanner.next() {
                guard case .record(let type, let start, let payload) = event else {
                    if case .damaged(let range) = event {
                        if generation.checkpoint == nil { checkpointIntact = false }
                        notes.append(RecoveryNote(kind: range.upperBound == bytes.count ? .tornTail : .damagedRecords,
                            path: path, detail: "\(range.count) damaged bytes at offset \(range.lowerBound) skipped"))
                    }
                    continue
                }
                var cursor = ByteCursor(bytes, range: payload)
                switch type {
                case IndexJournal.checkpointBegin:
                    _ = cursor.read(UInt64.self)
                    watermark = cursor.read(UInt64.self)
                case IndexJournal.checkpointQueue:
                    if let key = cursor.shortString(), let ids = idList(&cursor) {
                        checkpointQueues.append((key, ids))
                    } else {
                        checkpointIntact = false
                    }
                case IndexJournal.checkpointEnd:
                    if let watermark, checkpointIntact, cursor.read(UInt32.self) == UInt32(truncatingIfNeeded: checkpointQueues.count) {
                        generation.checkpoint = (watermark, checkpointQueues)
                    } else {
                        notes.append(RecoveryNote(kind: .damagedRecords, path: path, detail: "incomplete checkpoint ignored"))
                    }
                    checkpointQueues = []
                case IndexJournal.delivered, IndexJournal.removed:
                    if let key = cursor.shortString(), let ids = idList(&cursor) {
                        generation.events.append(type == IndexJournal.delivered ? .delivered(key, ids) : .removed(key, ids))
                    }
                case IndexJournal.dropped:
                    if let key = cursor.shortString(), let through = cursor.read(UInt64.self) {
                        generation.events.append(.dropped(key, through))
                    }
                default:
                    notes.append(RecoveryNote(kind: .damagedRecords, path: path, detail: "unknown record type \(type) at \(start) skipped"))
                }
            }
        }
        if let failure { throw failure }
        return generation
    }

    private static func idList(_ cursor: inout ByteCursor) -> [UInt64]? {
        guard let count = cursor.read(UInt32.self), cursor.remaining == Int(count) * 8 else { return nil }
        var ids: [UInt64] = []
        ids.reserveCapacity(Int(count))
        while let id = cursor.read(UInt64.self) { ids.append(id) }
        return ids
    }
}
