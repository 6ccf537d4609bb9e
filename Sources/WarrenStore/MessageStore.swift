import Glibc

/// The persistence engine: definitions log, message segments, index journal, recovery
/// and group commit, in one data directory. See docs/storage.md for the format.
///
/// ## Thread confinement
/// A `MessageStore` belongs to one thread, the event loop's: every method and property
/// is called there and only there. It is deliberately not `Sendable`. Internally it runs
/// one syncer thread, which shares nothing with it but a mutex-guarded request queue,
/// some atomic counters and the eventfd (`Syncer`).
///
/// ## Durability
/// Appends are write(2)s into the page cache and return a `SyncTicket`; nothing on the
/// calling thread waits for the disk. The syncer fdatasyncs every file written since its
/// last round and reports through `notificationFD`; the loop then calls
/// `drainCompletions()` and confirms what is durable. An append that throws stored
/// nothing; a write or sync that fails after an append returned is reported per ticket
/// in `SyncResult.failed`. Neither closes the store.
public final class MessageStore {
    let directory: DataDirectory
    let options: StoreOptions
    private let lock: DirectoryLock
    private let syncer: Syncer
    /// Readable when sync results wait: register it with the loop for readability and
    /// call `drainCompletions()`. Unregister it before `close()`, which closes it.
    public let notificationFD: Int32
    let segments: SegmentLog
    var journal: IndexJournal
    private let definitionsFile: AppendFile
    var queues: [String: QueueLedger]
    /// The highest message id stored; the next append needs a higher one.
    public private(set) var highestMessageID: UInt64
    private var lastTicket: UInt64 = 0
    private var handedOffThrough: UInt64 = 0
    var pending = PendingHandoff()
    private var nextSerial: UInt64 = 16
    var nextJournalGeneration: UInt64
    var rotateHeadBeforeNextAppend = false
    var journalRotationBackoff = 0
    private var liveEntries: Int
    private var isClosed = false
    private var finalResult = SyncResult()
    var counters = StoreStatistics()
    private var scratchLedgers: [QueueLedger] = []
    private var scratchIDs: [UInt64] = []

    /// What the next sync request carries besides the live files.
    struct PendingHandoff {
        var targets: [SyncTarget] = []
        var directories: Set<String> = []
        var retirements: [Retirement] = []
        var isEmpty: Bool { targets.isEmpty && directories.isEmpty && retirements.isEmpty }
    }

    init(directory: DataDirectory, options: StoreOptions, lock: DirectoryLock, syncer: Syncer,
         segments: SegmentLog, journal: IndexJournal, definitionsFile: AppendFile,
         queues: [String: QueueLedger], highestMessageID: UInt64) {
        self.directory = directory
        self.options = options
        self.lock = lock
        self.syncer = syncer
        self.notificationFD = syncer.notificationFD
        self.segments = segments
        self.journal = journal
        self.definitionsFile = definitionsFile
        self.queues = queues
        self.highestMessageID = highestMessageID
        self.nextJournalGeneration = journal.generation + 1
        self.liveEntries = queues.values.reduce(0) { $0 + $1.liveCount }
    }

    deinit {
        if !isClosed { close() }
    }

    /// The ticket of the latest append.
    public var lastAppendedTicket: SyncTicket { SyncTicket(rawValue: lastTicket) }

    // MARK: Appending

    public func appendDefinition(_ change: DefinitionChange) throws(StoreError) -> SyncTicket {
        try checkOpen()
        try DefinitionsLog.encode(change, into: &definitionsFile.buffer)
        try write(definitionsFile)
        return issueTicket()
    }

    /// Stores a persistent message once for all of `queues` (durable queue keys, for
    /// example `MessageStore.queueKey(vhost:queue:)`). Ids must increase strictly.
    public func appendMessage(_ message: StoredMessage, queues keys: [String]) throws(StoreError) -> SyncTicket {
        try checkOpen()
        guard message.id > highestMessageID, message.id < 1 << 63 else {
            throw .messageIDNotIncreasing(id: message.id, highest: highestMessageID)
        }
        // Work on a local array (swapped out of the property and back) so the loop below
        // pays no exclusivity check per queue.
        var ledgers: [QueueLedger] = []
        swap(&ledgers, &scratchLedgers)
        defer {
            ledgers.removeAll(keepingCapacity: true)
            swap(&ledgers, &scratchLedgers)
        }
        for key in keys {
            let ledger = try ledger(for: key)
            if !ledgers.contains(where: { $0 === ledger }) { ledgers.append(ledger) }
        }
        guard !ledgers.isEmpty else { throw .noQueues }
        guard let payload = MessageRecord.payloadSize(message, queueKeys: ledgers) else {
            throw .tooLarge(field: "message", size: message.body.count + message.properties.count)
        }
        let head = try headSegment(forRecordOf: payload + RecordFormat.headerSize, firstID: message.id)
        guard let file = head.file else { throw .closed }
        let offset = file.size
        MessageRecord.encode(message, queues: ledgers, payloadSize: payload, into: &file.buffer)
        head.size = file.size
        try write(file)
        head.ids.append(message.id)
        head.offsets.append(UInt32(truncatingIfNeeded: offset))
        head.livePairs += ledgers.count
        for ledger in ledgers { ledger.append(message.id) }
        liveEntries += ledgers.count
        highestMessageID = message.id
        counters.messagesAppended += 1
        return issueTicket()
    }

    /// Records that the message may have been delivered from `queue`, so that it comes
    /// back with redelivered=true after a crash. Only the first call per message writes.
    public func markDelivered(queue key: String, messageID: UInt64) throws(StoreError) -> SyncTicket {
        try checkOpen()
        guard let ledger = queues[key], ledger.markDelivered(messageID) else { return lastAppendedTicket }
        journal.appendIDs(IndexJournal.delivered, key: ledger.keyBytes, ids: CollectionOfOne(messageID))
        return try finishJournalAppend()
    }

    /// Takes messages out of `queue` for good: ack, reject or nack without requeue,
    /// expiry, dead-lettering (the dead-lettered copy is a new append). Ids the queue
    /// does not hold are ignored. A segment whose last live message goes is deleted
    /// after the sync that makes this removal durable.
    ///
    /// The store's view changes even when this throws (the write of the removal failed):
    /// the message is gone for this run, and may come back, redelivered, after a crash.
    public func remove(queue key: String, messageIDs: [UInt64]) throws(StoreError) -> SyncTicket {
        try remove(queue: key, ids: messageIDs)
    }

    /// `remove(queue:messageIDs:)` of one message (an ack), without an array.
    public func remove(queue key: String, messageID: UInt64) throws(StoreError) -> SyncTicket {
        try remove(queue: key, ids: CollectionOfOne(messageID))
    }

    private func remove(queue key: String, ids messageIDs: some Collection<UInt64>) throws(StoreError) -> SyncTicket {
        try checkOpen()
        guard let ledger = queues[key] else { return lastAppendedTicket }
        scratchIDs.removeAll(keepingCapacity: true)
        for id in messageIDs where ledger.remove(id) {
            scratchIDs.append(id)
            release(id)
        }
        guard !scratchIDs.isEmpty else { return lastAppendedTicket }
        journal.appendIDs(IndexJournal.removed, key: ledger.keyBytes, ids: scratchIDs)
        return try finishJournalAppend()
    }

    /// Removes every message of the queue and forgets it.
    public func deleteQueue(_ key: String) throws(StoreError) -> SyncTicket {
        try drop(key, forget: true)
    }

    /// Removes every message of the queue, which stays known (the same journal record
    /// as `deleteQueue`: "every message up to the current id is gone from this queue").
    public func purge(queue key: String) throws(StoreError) -> SyncTicket {
        try drop(key, forget: false)
    }

    /// Reads a stored message back (for paging a large backlog out of memory). Works
    /// while appends fail: reads need no free space. A removed message stays readable
    /// until its segment is deleted; callers read only what their queues hold.
    public func readMessage(_ id: UInt64) throws(StoreError) -> StoredMessage {
        try checkOpen()
        return try segments.read(id) { file throws(StoreError) in try flush(file) }
    }

    /// A durable-queue key that cannot collide across vhosts: the vhost's length, the
    /// vhost, and the queue name. Any stable key works; this is the recommended one.
    public static func queueKey(vhost: String, queue: String) -> String {
        "\(vhost.utf8.count):\(vhost)/\(queue)"
    }

    // MARK: Sync and completions

    /// Writes what is buffered and hands everything appended so far to the syncer.
    /// Under `.onRequest` the loop calls this once per turn; under `.afterEveryAppend`
    /// appends do it themselves. Cheap when there is nothing new.
    public func requestSync() {
        guard !isClosed, hasWorkForSyncer else { return }
        for file in liveFiles where !file.buffer.isEmpty {
            try? flush(file)
        }
        handOff()
    }

    /// Resets the eventfd and returns what the syncer settled since the last call.
    public func drainCompletions() -> SyncResult {
        guard !isClosed else { return finalResult }
        EventFD.drain(notificationFD)
        let completions = syncer.takeCompletions()
        if let serial = segments.head?.file?.serial, completions.failedFileSerials.contains(serial) {
            // After a failed fdatasync Linux may drop the dirty pages; start a fresh file.
            rotateHeadBeforeNextAppend = true
        }
        let result = SyncResult(
            resolvedThrough: SyncTicket(rawValue: completions.resolvedThrough),
            failed: completions.failed.map { SyncTicket(rawValue: $0.lowerBound)...SyncTicket(rawValue: $0.upperBound) })
        finalResult.resolvedThrough = result.resolvedThrough
        return result
    }

    /// Blocks until `ticket` is settled or `timeoutMilliseconds` pass, accumulating
    /// results. For tools and tests: never call it on the event loop.
    public func waitUntilSettled(_ ticket: SyncTicket, timeoutMilliseconds: Int32 = 30_000) -> SyncResult {
        requestSync()
        var result = drainCompletions()
        while !isClosed && result.resolvedThrough < ticket {
            var descriptor = pollfd(fd: notificationFD, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, timeoutMilliseconds) == 0 { break }
            let next = drainCompletions()
            result.resolvedThrough = max(result.resolvedThrough, next.resolvedThrough)
            result.failed += next.failed
        }
        return result
    }

    public var statistics: StoreStatistics {
        var statistics = counters
        statistics.syncRounds = syncer.syncRounds.load(ordering: .relaxed)
        statistics.fdatasyncCalls = syncer.fdatasyncCalls.load(ordering: .relaxed)
        statistics.directorySyncs = syncer.directorySyncs.load(ordering: .relaxed)
        statistics.segmentFiles = segments.segments.count
        return statistics
    }

    /// Writes and syncs everything, stops the syncer and releases the directory. Returns
    /// the last completions (check `failed` before trusting the final appends).
    @discardableResult
    public func close() -> SyncResult {
        guard !isClosed else { return finalResult }
        requestSync()
        for file in liveFiles {
            pending.retirements.append(Retirement(fd: file.fd, path: file.path, unlink: false))
        }
        handOff()
        syncer.stopAndWait()
        let result = drainCompletions()
        isClosed = true
        finalResult = result
        Glibc.close(notificationFD)
        lock.release()
        return result
    }

    // MARK: Internals

    private func checkOpen() throws(StoreError) {
        if isClosed { throw .closed }
    }

    /// Something appended, written or retired since the last hand-off. Checked without
    /// allocating: the loop asks at the end of every turn, most of which append nothing.
    private var hasWorkForSyncer: Bool {
        if lastTicket > handedOffThrough || !pending.isEmpty { return true }
        if Self.hasUnsynced(journal.file) || Self.hasUnsynced(definitionsFile) { return true }
        return segments.head?.file.map(Self.hasUnsynced) ?? false
    }

    private static func hasUnsynced(_ file: AppendFile) -> Bool { file.isDirty || !file.buffer.isEmpty }

    private var liveFiles: [AppendFile] {
        var files = [journal.file, definitionsFile]
        if let head = segments.head?.file { files.append(head) }
        return files
    }

    private func ledger(for key: String) throws(StoreError) -> QueueLedger {
        if let existing = queues[key] { return existing }
        guard key.utf8.count <= Int(UInt16.max) else { throw .tooLarge(field: "queue key", size: key.utf8.count) }
        let created = QueueLedger(key: key)
        queues[key] = created
        return created
    }

    func takeSerial() -> UInt64 {
        nextSerial += 1
        return nextSerial
    }

    /// Writes `file`'s buffer now if the policy or the buffer's size says so.
    private func write(_ file: AppendFile) throws(StoreError) {
        if options.syncPolicy == .afterEveryAppend || file.buffer.count >= options.writeBufferSize {
            try flush(file)
        }
    }

    /// Writes `file`'s buffer; on failure accounts for the lost records: offsets of
    /// unwritten messages are forgotten and every ticket not yet handed to the syncer is
    /// reported failed.
    func flush(_ file: AppendFile) throws(StoreError) {
        do throws(StoreError) {
            try file.flush()
        } catch {
            if let head = segments.head, head.file === file { segments.discardUnwritten(in: head) }
            if lastTicket > handedOffThrough {
                syncer.submit(SyncRequest(through: lastTicket, writeFailed: true))
                handedOffThrough = lastTicket
            }
            throw error
        }
    }

    private func issueTicket() -> SyncTicket {
        lastTicket += 1
        if options.syncPolicy == .afterEveryAppend { handOff() }
        return SyncTicket(rawValue: lastTicket)
    }

    /// Submits one sync request: every dirty live file, plus what is pending.
    private func handOff() {
        var request = SyncRequest(through: lastTicket)
        for file in liveFiles where file.isDirty {
            request.files.append(SyncTarget(fd: file.fd, serial: file.serial, path: file.path))
            file.isDirty = false
        }
        guard lastTicket > handedOffThrough || !request.files.isEmpty || !pending.isEmpty else { return }
        request.files += pending.targets
        request.directories = Array(pending.directories)
        request.retirements = pending.retirements
        pending = PendingHandoff()
        handedOffThrough = lastTicket
        syncer.submit(request)
    }

    private func finishJournalAppend() throws(StoreError) -> SyncTicket {
        try write(journal.file)
        let estimate = liveEntries * 8 + queues.count * 64
        if journal.bytesSinceCheckpoint > max(options.journalTargetSize, 2 * estimate) + journalRotationBackoff {
            rotateJournal()
        }
        return issueTicket()
    }

    private func release(_ id: UInt64) {
        liveEntries -= 1
        if let garbage = segments.release(id) {
            pending.retirements.append(Retirement(fd: -1, path: garbage.path, unlink: true))
            counters.segmentsDeleted += 1
        }
    }

    private func drop(_ key: String, forget: Bool) throws(StoreError) -> SyncTicket {
        try checkOpen()
        guard key.utf8.count <= Int(UInt16.max) else { throw .tooLarge(field: "queue key", size: key.utf8.count) }
        let ledger = queues[key]
        if forget { queues[key] = nil }
        for id in ledger?.removeAll() ?? [] { release(id) }
        journal.appendDropped(key: ledger?.keyBytes ?? Array(key.utf8), through: highestMessageID)
        return try finishJournalAppend()
    }
}
