// Segment roll-over and journal rotation: the store's housekeeping, run on the loop
// inside the appends that trigger it.
extension MessageStore {
    /// The segment a record of `size` bytes goes to, starting a new one when needed.
    func headSegment(forRecordOf size: Int, firstID: UInt64) throws(StoreError) -> Segment {
        if rotateHeadBeforeNextAppend || segments.needsNewHead(forRecordOf: size) {
            sealHead()
            _ = try segments.startHead(firstID: firstID, serial: takeSerial(), faults: options.faultInjector)
            pending.directories.insert(directory.segmentsPath)
            rotateHeadBeforeNextAppend = false
        }
        guard let head = segments.head else { throw .closed }
        return head
    }

    /// Ends appends to the head segment: its file goes to the syncer (synced, closed,
    /// and deleted if nothing in it is live any more).
    func sealHead() {
        guard let head = segments.head, let file = head.file else { return }
        if !file.buffer.isEmpty { try? flush(file) }
        head.file = nil
        head.size = file.size
        let isGarbage = head.livePairs <= 0
        if file.isDirty && !isGarbage {
            pending.targets.append(SyncTarget(fd: file.fd, serial: file.serial, path: file.path))
        }
        pending.retirements.append(Retirement(fd: file.fd, path: file.path, unlink: isGarbage))
        if isGarbage {
            segments.forget(head)
            counters.segmentsDeleted += 1
        }
    }

    /// Starts the next journal generation with a checkpoint of the live state. The old
    /// file is deleted once the new one is durable; if the checkpoint cannot be written
    /// the old generation simply stays current and rotation is retried later.
    func rotateJournal() {
        let generation = nextJournalGeneration
        nextJournalGeneration += 1
        let path = directory.journalPath(generation: generation)
        let file: AppendFile
        do throws(StoreError) {
            file = try AppendFile.create(path, header: FileHeader(kind: .journal, value: generation),
                                         serial: takeSerial(), faults: options.faultInjector)
        } catch {
            journalRotationBackoff += options.journalTargetSize
            return
        }
        do throws(StoreError) {
            try IndexJournal.writeCheckpoint(to: file, generation: generation, watermark: highestMessageID,
                                             ledgers: queues.values, flushAt: options.writeBufferSize) { file throws(StoreError) in
                try file.flush()
            }
            try file.flush()
        } catch {
            pending.retirements.append(Retirement(fd: file.fd, path: path, unlink: true))
            journalRotationBackoff += options.journalTargetSize
            return
        }
        let old = journal.file
        old.buffer.removeAll()
        pending.retirements.append(Retirement(fd: old.fd, path: old.path, unlink: true))
        journal = IndexJournal(generation: generation, file: file)
        pending.directories.insert(directory.indexPath)
        journalRotationBackoff = 0
        counters.journalRotations += 1
    }
}
