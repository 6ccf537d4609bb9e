import Glibc

/// One segment file and what the store remembers of it: where each record starts (12
/// bytes per message) and how many (queue, message) pairs still reference it.
final class Segment {
    /// The lower bound of the ids it holds, and its file name.
    let firstID: UInt64
    let path: String
    var ids: [UInt64] = []
    /// Record start offsets, parallel to `ids`.
    var offsets: [UInt32] = []
    /// End of its valid data (the file size for a sealed segment).
    var size: Int
    /// Live (queue, message) pairs in it; the file is deleted when this reaches 0 and
    /// the segment is no longer the head.
    var livePairs = 0
    /// The open file, for the head segment only.
    var file: AppendFile?

    init(firstID: UInt64, path: String, size: Int) {
        self.firstID = firstID
        self.path = path
        self.size = size
    }

    func index(of id: UInt64) -> Int? {
        var low = 0
        var high = ids.count
        while low < high {
            let middle = low + (high - low) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? low : nil
    }

    /// Where record `index` lies: up to the next record (or the end), which may include
    /// skipped damaged bytes; the reader checks the record's own length.
    func span(of index: Int) -> Range<Int> {
        let start = Int(offsets[index])
        let next = index + 1 < offsets.count ? Int(offsets[index + 1]) : size
        return start..<max(start, next)
    }
}

/// The segment files of a store, oldest first, the last being the head that appends go
/// to. Loop-confined, like the store.
final class SegmentLog {
    let directory: DataDirectory
    let targetSize: Int
    private(set) var segments: [Segment]

    init(directory: DataDirectory, targetSize: Int, recovered: [Segment]) {
        self.directory = directory
        self.targetSize = targetSize
        self.segments = recovered
    }

    var head: Segment? {
        guard let last = segments.last, last.file != nil else { return nil }
        return last
    }

    /// True when a record of `size` bytes should start a new segment rather than join
    /// the head: the head is full, or the record alone is bigger than a segment.
    func needsNewHead(forRecordOf size: Int) -> Bool {
        guard let head else { return true }
        guard !head.ids.isEmpty else { return false }
        return head.size + size > targetSize
    }

    /// Opens a new head segment whose first record will be message `firstID`. The
    /// caller has sealed the previous head.
    func startHead(firstID: UInt64, serial: UInt64, faults: FaultInjector?) throws(StoreError) -> Segment {
        let path = directory.segmentPath(firstID: firstID)
        let file = try AppendFile.create(path, header: FileHeader(kind: .segment, value: firstID),
                                         serial: serial, faults: faults)
        let segment = Segment(firstID: firstID, path: path, size: file.size)
        segment.file = file
        segments.append(segment)
        return segment
    }

    /// The segment holding message `id`, found by its first id (ids are ordered).
    func segment(holding id: UInt64) -> Segment? {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = low + (high - low) / 2
            if segments[middle].firstID <= id { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : segments[low - 1]
    }

    /// Drops one reference to message `id`. Returns the segment when it just became
    /// garbage (no live pair, not the head); it has been removed from the list and the
    /// caller retires its file.
    func release(_ id: UInt64) -> Segment? {
        guard let segment = segment(holding: id) else { return nil }
        segment.livePairs -= 1
        guard segment.livePairs <= 0, segment.file == nil else { return nil }
        segments.removeAll { $0 === segment }
        return segment
    }

    /// Removes a sealed segment the caller found to be garbage.
    func forget(_ segment: Segment) {
        segments.removeAll { $0 === segment }
    }

    /// After a failed write, forgets the offsets of records that never reached the file.
    func discardUnwritten(in segment: Segment) {
        guard let file = segment.file else { return }
        while let last = segment.offsets.last, Int(last) >= file.writtenSize {
            segment.offsets.removeLast()
            segment.ids.removeLast()
        }
        segment.size = file.size
    }

    /// Reads and checks one stored message.
    func read(_ id: UInt64, flushHead: (AppendFile) throws(StoreError) -> Void) throws(StoreError) -> StoredMessage {
        guard let segment = segment(holding: id), let index = segment.index(of: id) else {
            throw .messageNotFound(id)
        }
        let span = segment.span(of: index)
        var bytes: [UInt8]
        if let file = segment.file {
            if let read = try file.read(count: span.count, at: span.lowerBound) {
                bytes = read
            } else {
                try flushHead(file)
                bytes = try file.read(count: span.count, at: span.lowerBound) ?? []
            }
        } else {
            let fd = try FileIO.openFile(segment.path, flags: O_RDONLY)
            defer { close(fd) }
            bytes = try FileIO.read(fd, count: span.count, at: span.lowerBound, path: segment.path)
        }
        let message: StoredMessage? = bytes.withUnsafeBytes { buffer in
            var scanner = RecordScanner(buffer, from: 0, maxPayload: Int(UInt32.max)) { _, _ in false }
            guard case .record(type: MessageRecord.type, start: 0, payload: let payload)? = scanner.next(),
                  let fields = MessageRecord.parse(buffer, payload: payload), fields.id == id
            else { return nil }
            return MessageRecord.message(buffer, fields)
        }
        guard let message else { throw .corruptRecord(path: segment.path, offset: span.lowerBound) }
        return message
    }
}
