import Glibc

extension MessageStore {
    /// Opens (creating if needed) the store in `directory` and recovers it.
    ///
    /// Steps: lock the directory; replay and compact the definitions log; read the
    /// index journal; scan every segment, truncating torn tails and skipping damaged
    /// records; decide each message's live queues; write a fresh journal generation
    /// holding a checkpoint of the result (fsynced before anything old is deleted);
    /// delete old journal generations and segments with nothing live; start the syncer.
    /// Damage never makes this fail: it is described in `RecoveredState.notes`. It fails
    /// only on a locked directory, an unreadable or unwritable directory, or files
    /// written by a newer format.
    public static func open(directory path: String,
                            options: StoreOptions = StoreOptions()) throws(StoreError) -> (MessageStore, RecoveredState) {
        var options = options
        options.segmentTargetSize = min(max(options.segmentTargetSize, 4096), 1 << 30)
        let directory = DataDirectory(root: path)
        try FileIO.makeDirectory(path)
        let lock = try DirectoryLock.acquire(directory)
        do throws(StoreError) {
            return try recover(directory, options: options, lock: lock)
        } catch {
            lock.release()
            throw error
        }
    }

    /// The pid of another process holding `directory`'s lock, for error messages;
    /// nil when no other process holds it (or it cannot be told).
    public static func lockHolder(directory path: String) -> Int32? {
        DirectoryLock.holder(of: DataDirectory(root: path))
    }

    private static func recover(_ directory: DataDirectory, options: StoreOptions,
                                lock: DirectoryLock) throws(StoreError) -> (MessageStore, RecoveredState) {
        try FileIO.makeDirectory(directory.segmentsPath)
        try FileIO.makeDirectory(directory.indexPath)
        var notes: [RecoveryNote] = []
        let definitions = try DefinitionsLog.recover(directory, notes: &notes)
        try DefinitionsLog.compact(definitions, in: directory)

        let journalState = try JournalRecovery.recover(directory, notes: &notes)
        let recovered = try SegmentRecovery.recover(directory, journal: journalState, notes: &notes)
        if journalState.files.isEmpty && recovered.filesFound > 0 {
            notes.append(RecoveryNote(kind: .indexFallback, path: directory.indexPath,
                detail: "index journal missing; messages return to the queues their records name, redelivered"))
        }
        var ledgers: [String: QueueLedger] = [:]
        var queues: [String: [RecoveredMessage]] = [:]
        for (key, queue) in recovered.queues {
            if queue.missing > 0 {
                notes.append(RecoveryNote(kind: .missingMessages, path: directory.segmentsPath,
                    detail: "\(queue.missing) messages of queue \(key) were not found in any segment"))
            }
            guard !queue.recovered.isEmpty else { continue }
            let ledger = QueueLedger(key: key)
            for entry in queue.recovered { ledger.append(entry.message.id, delivered: entry.redelivered) }
            ledgers[key] = ledger
            queues[key] = queue.recovered
        }
        let highestID = max(recovered.highestID, journalState.highestID, recovered.segments.last?.firstID ?? 0)

        let journal = try startJournal(directory, generation: journalState.highestGeneration + 1,
                                       watermark: highestID, ledgers: ledgers.values, options: options)
        let definitionsFile: AppendFile
        let notificationFD: Int32
        var live: [Segment] = []
        do throws(StoreError) {
            for path in journalState.files { try FileIO.remove(path) }
            for segment in recovered.segments {
                if segment.livePairs > 0 { live.append(segment) } else { try FileIO.remove(segment.path) }
            }
            definitionsFile = try AppendFile.openForAppend(directory.definitionsPath, serial: 2,
                                                           faults: options.faultInjector)
            do throws(StoreError) {
                notificationFD = try EventFD.make()
            } catch {
                definitionsFile.closeUnshared()
                throw error
            }
        } catch {
            journal.file.closeUnshared()
            throw error
        }
        let syncer = Syncer(notificationFD: notificationFD, faults: options.faultInjector)
        syncer.start()
        let store = MessageStore(
            directory: directory, options: options, lock: lock, syncer: syncer,
            segments: SegmentLog(directory: directory, targetSize: options.segmentTargetSize, recovered: live),
            journal: journal, definitionsFile: definitionsFile, queues: ledgers, highestMessageID: highestID)
        let state = RecoveredState(definitions: definitions.definitions, queues: queues,
                                   highestMessageID: highestID, notes: notes)
        return (store, state)
    }

    /// Writes the first journal generation of this run: a checkpoint of the recovered
    /// state, made durable (file and directory) before the caller deletes older files.
    private static func startJournal(_ directory: DataDirectory, generation: UInt64, watermark: UInt64,
                                     ledgers: some Sequence<QueueLedger>, options: StoreOptions) throws(StoreError) -> IndexJournal {
        let path = directory.journalPath(generation: generation)
        if FileIO.fileExists(path) { try FileIO.remove(path) }
        let file = try AppendFile.create(path, header: FileHeader(kind: .journal, value: generation),
                                         serial: 1, faults: options.faultInjector)
        do throws(StoreError) {
            try IndexJournal.writeCheckpoint(to: file, generation: generation, watermark: watermark, ledgers: ledgers,
                                             flushAt: options.writeBufferSize) { file throws(StoreError) in try file.flush() }
            try file.flush()
            let synced = FileIO.syncData(file.fd)
            guard synced == 0 else { throw .io(call: "fdatasync", path: path, errno: synced) }
            let directorySynced = FileIO.syncDirectory(directory.indexPath)
            guard directorySynced == 0 else { throw .io(call: "fsync", path: directory.indexPath, errno: directorySynced) }
        } catch {
            file.closeUnshared()
            throw error
        }
        file.isDirty = false
        return IndexJournal(generation: generation, file: file)
    }
}
