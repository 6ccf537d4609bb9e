/// Rebuilds the segments and the live messages of every queue at open.
///
/// Each segment is read whole, in id order, and every record checked. A message record
/// names its queues; for each, the journal state decides whether the message is still
/// live there and whether it was delivered. A message live in several queues is
/// decoded once and shared. Damage is skipped and noted; a torn tail is truncated.
enum SegmentRecovery {
    struct Result {
        var segments: [Segment] = []
        /// The journal's queues plus any named only by segment records, merged.
        var queues: [String: RecoveryQueue] = [:]
        var highestID: UInt64 = 0
        var filesFound = 0
    }

    static func recover(_ directory: DataDirectory, journal: JournalState,
                        notes: inout [RecoveryNote]) throws(StoreError) -> Result {
        var names: [(UInt64, String)] = []
        for name in try FileIO.listDirectory(directory.segmentsPath) {
            if let firstID = DataDirectory.number(in: name, suffix: ".seg") { names.append((firstID, name)) }
        }
        names.sort { $0.0 < $1.0 }
        var result = Result()
        result.filesFound = names.count
        var keys = KeyCache(journal: journal)
        for (index, (firstID, _)) in names.enumerated() {
            let upperBound = index + 1 < names.count ? names[index + 1].0 : UInt64.max
            let path = directory.segmentPath(firstID: firstID)
            if let segment = try recoverSegment(path, ids: firstID..<upperBound, journal: journal,
                                                keys: &keys, notes: &notes) {
                result.segments.append(segment)
                result.highestID = max(result.highestID, segment.ids.last ?? 0)
            }
        }
        result.queues = keys.journal.queues
        for queue in result.queues.values { queue.finishMerge() }
        return result
    }

    /// Maps queue-key bytes in records to the journal's queues without building a String
    /// per record: the last few keys seen are compared byte for byte first.
    struct KeyCache {
        var journal: JournalState
        private var recent: [([UInt8], RecoveryQueue)] = []

        init(journal: JournalState) { self.journal = journal }

        mutating func queue(for bytes: UnsafeRawBufferPointer) -> RecoveryQueue {
            for (known, queue) in recent where known.elementsEqual(bytes) { return queue }
            let key = String(decoding: bytes, as: UTF8.self)
            let queue: RecoveryQueue
            if let existing = journal.queues[key] {
                queue = existing
            } else {
                queue = RecoveryQueue(key: key)
                journal.queues[key] = queue
            }
            if recent.count == 8 { recent.removeFirst() }
            recent.append((Array(bytes), queue))
            return queue
        }
    }

    private static func recoverSegment(_ path: String, ids: Range<UInt64>, journal: JournalState,
                                       keys: inout KeyCache, notes: inout [RecoveryNote]) throws(StoreError) -> Segment? {
        let contents = try FileIO.readAll(path)
        let segment = Segment(firstID: ids.lowerBound, path: path, size: contents.count)
        var failure: StoreError?
        var truncateTo: Int?
        contents.withUnsafeBytes { bytes in
            switch FileHeader.check(bytes, expecting: .segment) {
            case .valid: break
            case .truncated:
                truncateTo = 0
                return
            case .wrongMagic:
                notes.append(RecoveryNote(kind: .damagedFile, path: path, detail: "damaged header; scanning records anyway"))
            case .unsupportedVersion(let version):
                failure = .unsupportedFormat(path: path, version: version)
                return
            }
            var lastID: UInt64?
            var scanner = RecordScanner(bytes, from: RecordFormat.fileHeaderSize, maxPayload: Int(UInt32.max)) { type, payload in
                MessageRecord.isCandidate(type: type, payload: payload, ids: max(ids.lowerBound, (lastID ?? 0) &+ 1)..<ids.upperBound)
            }
            while let event = scanner.next() {
                switch event {
                case .record(let type, let start, let payload):
                    guard type == MessageRecord.type, let fields = MessageRecord.parse(bytes, payload: payload),
                          ids.contains(fields.id), lastID.map({ fields.id > $0 }) ?? true
                    else {
                        notes.append(RecoveryNote(kind: .damagedRecords, path: path,
                            detail: "record at offset \(start) is not a well-formed message in this segment's id range; skipped"))
                        continue
                    }
                    lastID = fields.id
                    segment.ids.append(fields.id)
                    segment.offsets.append(UInt32(truncatingIfNeeded: start))
                    attach(bytes, fields, to: segment, journal: journal, keys: &keys)
                case .damaged(let range):
                    if range.upperBound == bytes.count {
                        truncateTo = range.lowerBound
                        notes.append(RecoveryNote(kind: .tornTail, path: path,
                            detail: "\(range.count) bytes of torn tail at offset \(range.lowerBound) truncated"))
                    } else {
                        notes.append(RecoveryNote(kind: .damagedRecords, path: path,
                            detail: "\(range.count) damaged bytes at offset \(range.lowerBound) skipped"))
                    }
                }
            }
        }
        if let failure { throw failure }
        if let truncateTo {
            if truncateTo < RecordFormat.fileHeaderSize || segment.ids.isEmpty {
                try FileIO.remove(path)
                if truncateTo == 0 {
                    notes.append(RecoveryNote(kind: .damagedFile, path: path, detail: "shorter than its header; removed"))
                }
                return nil
            }
            try FileIO.truncate(path, to: truncateTo)
            segment.size = truncateTo
        }
        return segment
    }

    /// Puts one message record into every queue where it is still live.
    private static func attach(_ bytes: UnsafeRawBufferPointer, _ fields: MessageRecord.Fields, to segment: Segment,
                               journal: JournalState, keys: inout KeyCache) {
        var message: StoredMessage?
        MessageRecord.forEachQueueKey(bytes, fields) { keyBytes in
            let queue = keys.queue(for: keyBytes)
            guard let delivered = queue.liveness(of: fields.id, watermark: journal.watermark,
                                                 hasCheckpoint: journal.hasCheckpoint) else { return }
            if message == nil { message = MessageRecord.message(bytes, fields) }
            if let message {
                queue.recovered.append(RecoveredMessage(message: message, redelivered: delivered))
                segment.livePairs += 1
            }
        }
    }
}
