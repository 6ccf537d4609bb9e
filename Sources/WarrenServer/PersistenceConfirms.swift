import AMQPProtocol
import WarrenCore
import WarrenStore

/// What one channel waits for from the disk: publisher confirms of persistent messages
/// (in publish order) and at most one `tx.commit-ok`, with the frames that arrived
/// after that commit.
struct DiskWaits {
    struct Confirm {
        let sequence: UInt64
        let position: UInt64
    }

    private(set) var confirms: [Confirm] = []
    private var head = 0
    /// The position the pending `tx.commit-ok` waits for.
    var commit: UInt64?
    /// Frames received while a commit waits: replayed, in order, once it is answered,
    /// so that no reply overtakes commit-ok.
    /// Copied out of the read buffer, so holding them does not pin it.
    var heldFrames: [RawFrame] = []
    /// On the store's list of waiters.
    var isRegistered = false

    var isEmpty: Bool { head == confirms.count && commit == nil }
    var pendingConfirms: Int { confirms.count - head }

    mutating func append(_ confirm: Confirm) {
        confirms.append(confirm)
    }

    /// Takes the confirms settled by `resolved`, oldest first.
    mutating func takeSettled(through resolved: UInt64, into settled: inout [Confirm]) {
        while head < confirms.count, confirms[head].position <= resolved {
            settled.append(confirms[head])
            head += 1
        }
        if head == confirms.count {
            confirms.removeAll(keepingCapacity: confirms.capacity <= 4096)
            head = 0
        } else if head >= 1024, head * 2 >= confirms.count {
            confirms.removeFirst(head)
            head = 0
        }
    }
}

extension ServerChannel {
    /// The confirm of a publish in confirm mode. Transient messages, and persistent
    /// ones that reached no durable queue, are acked at once; a publish a queue refused,
    /// or whose write failed, is nacked at once; a persistent message on a durable queue
    /// waits for the fdatasync that covers it (`diskSettled`). Acks may so leave out of
    /// publish order, which RabbitMQ does too; a `multiple` never covers a tag that is
    /// not confirmed by it.
    func confirm(_ result: PublishResult, sequence: UInt64) {
        if result.mustNack { return send(.basicNack(BasicNack(deliveryTag: sequence, multiple: false, requeue: false))) }
        switch result.durability {
        case nil:
            send(.basicAck(BasicAck(deliveryTag: sequence, multiple: false)))
        case .failed?:
            send(.basicNack(BasicNack(deliveryTag: sequence, multiple: false, requeue: false)))
        case .position(let position)?:
            diskWaits.append(DiskWaits.Confirm(sequence: sequence, position: position))
            registerDiskWait()
        }
    }

    /// After `tx.commit`: commit-ok at once when nothing persistent was committed,
    /// otherwise once the fsync covering it is done. Until then the channel holds the
    /// frames it receives. A commit whose write failed closes the channel with 506.
    func finishCommit() {
        switch session.commitDurability {
        case nil:
            send(.txCommitOk(TxCommitOk()))
        case .failed?:
            failCommit()
        case .position(let position)?:
            diskWaits.commit = position
            registerDiskWait()
        }
    }

    /// True while a commit waits: `receive` keeps the frame for later.
    /// Frames after a tx.commit wait for its fsync; each is checked now, so a
    /// malformed one fails the connection when it arrives, not when replayed.
    func holdWhileCommitting(_ frame: RawFrame) throws(AMQPError) -> Bool {
        guard diskWaits.commit != nil else { return false }
        if frame.type != .body { _ = try Frame(frame) }
        diskWaits.heldFrames.append(RawFrame(type: frame.type, channel: frame.channel, payload: ArraySlice(Array(frame.payload))))
        return true
    }

    private func registerDiskWait() {
        guard !diskWaits.isRegistered, let persistence = connection.server.persistence else { return }
        diskWaits.isRegistered = true
        persistence.addWaiter(self)
    }

    private func failCommit() {
        close(with: AMQPError(.resourceError, "the commit could not be written to disk",
                              classID: TxCommit.classID, methodID: TxCommit.methodID))
    }

    /// The syncer settled every position up to `resolved`; those in `failed` did not
    /// reach the disk. Sends what that settles; returns whether the channel still waits.
    func diskSettled(through resolved: UInt64, failed: [ClosedRange<SyncTicket>]) -> Bool {
        guard isOpenForDiskReplies else {
            diskWaits = DiskWaits()
            return false
        }
        var settled: [DiskWaits.Confirm] = []
        diskWaits.takeSettled(through: resolved, into: &settled)
        sendConfirms(settled, failed: failed)
        if let commit = diskWaits.commit, commit <= resolved {
            diskWaits.commit = nil
            if failed.contains(where: { $0.contains(SyncTicket(rawValue: commit)) }) {
                failCommit()
            } else {
                send(.txCommitOk(TxCommitOk()))
                replayHeldFrames()
            }
        }
        diskWaits.isRegistered = !diskWaits.isEmpty
        return diskWaits.isRegistered
    }

    /// Runs of acks and nacks, each sent as one frame: `multiple` when the run has more
    /// than one tag. Every tag below a run's last that is still unconfirmed is in that
    /// run (earlier runs went first, everything else was confirmed when published).
    private func sendConfirms(_ settled: [DiskWaits.Confirm], failed: [ClosedRange<SyncTicket>]) {
        var index = 0
        while index < settled.count {
            let isAck = !failed.contains { $0.contains(SyncTicket(rawValue: settled[index].position)) }
            var end = index + 1
            while end < settled.count,
                  isAck == !failed.contains(where: { $0.contains(SyncTicket(rawValue: settled[end].position)) }) {
                end += 1
            }
            let tag = settled[end - 1].sequence
            let multiple = end - index > 1
            send(isAck ? .basicAck(BasicAck(deliveryTag: tag, multiple: multiple))
                       : .basicNack(BasicNack(deliveryTag: tag, multiple: multiple, requeue: false)))
            index = end
        }
    }

    private func replayHeldFrames() {
        var held = diskWaits.heldFrames
        diskWaits.heldFrames = []
        var index = 0
        while index < held.count {
            let frame = held[index]
            index += 1
            do throws(AMQPError) {
                try receive(frame)
            } catch {
                connection.fail(error)
                return
            }
            if diskWaits.commit != nil {
                // Another commit waits now: what followed stays held behind it.
                held.removeFirst(index)
                diskWaits.heldFrames = held + diskWaits.heldFrames
                return
            }
        }
    }
}

extension ServerChannel {
    /// Replies may still go out: the channel is not closing and its connection is open.
    var isOpenForDiskReplies: Bool { !isClosing && connection.phase == .open }
}
