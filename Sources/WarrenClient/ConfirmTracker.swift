/// Publisher-confirm bookkeeping for one channel in confirm mode.
///
/// The broker numbers publishes 1, 2, 3... from `confirm.select` on, in the
/// order it reads them. The client numbers them in the order it writes them
/// (under the writer's lock), so the two agree.
///
/// A `basic.return` carries no sequence number. RabbitMQ sends it just before
/// the ack of the publish it returns, so it is matched to the oldest
/// unsettled mandatory publish with the same exchange and routing key; that
/// publish then fails with `ClientError.publishReturned` when its ack comes.
struct ConfirmTracker {
    typealias Waiter = CheckedContinuation<Result<Void, ClientError>, Never>

    struct Pending {
        let sequenceNumber: UInt64
        /// Nil for a publish sent by a caller that did not wait for its confirm.
        let waiter: Waiter?
        let mandatory: Bool
        let exchange: String
        let routingKey: String
        var returned: ReturnedMessage?

        /// The outcome once the broker has acked (or nacked) this publish.
        func outcome(nacked: Bool) -> Result<Void, ClientError> {
            if nacked { return .failure(.publishNacked(sequenceNumber: sequenceNumber)) }
            if let returned { return .failure(.publishReturned(returned)) }
            return .success(())
        }
    }

    private(set) var nextSequenceNumber: UInt64 = 1
    /// Publishes in ascending sequence order from `head` on; a settled one
    /// left behind an unsettled one is nil until the head passes it. Acks
    /// settle from the front, so settling is O(1) amortized, not a shift.
    private var pending: [Pending?] = []
    private var head = 0
    /// The sequence number of `pending[0]`.
    private var firstSequenceNumber: UInt64 = 1
    private(set) var unsettledCount = 0
    /// Callers of `waitForConfirms()`, each waiting for every publish up to `through`.
    private var drainWaiters: [(through: UInt64, waiter: Waiter)] = []
    /// The first failure of a publish nobody waited for, reported by the next
    /// `waitForConfirms()` to return.
    private var unwaitedFailure: ClientError?

    mutating func register(_ waiter: Waiter?, mandatory: Bool, exchange: String, routingKey: String) -> UInt64 {
        let number = nextSequenceNumber
        nextSequenceNumber += 1
        pending.append(Pending(sequenceNumber: number, waiter: waiter, mandatory: mandatory,
                               exchange: exchange, routingKey: routingKey))
        unsettledCount += 1
        return number
    }

    /// Takes back one publish (whose write failed), if still unsettled.
    mutating func remove(_ sequenceNumber: UInt64) -> Pending? {
        guard sequenceNumber >= firstSequenceNumber, sequenceNumber - firstSequenceNumber < UInt64(pending.count)
        else { return nil }
        let index = Int(sequenceNumber - firstSequenceNumber)
        guard let publish = pending[index] else { return nil }
        pending[index] = nil
        unsettledCount -= 1
        advanceHead()
        return publish
    }

    /// The publishes an ack or nack with this delivery tag settles.
    mutating func settle(deliveryTag: UInt64, multiple: Bool) -> [Pending] {
        guard multiple else { return remove(deliveryTag).map { [$0] } ?? [] }
        var settled: [Pending] = []
        while head < pending.count {
            if let publish = pending[head] {
                guard publish.sequenceNumber <= deliveryTag else { break }
                settled.append(publish)
                unsettledCount -= 1
            }
            pending[head] = nil
            head += 1
        }
        compact()
        return settled
    }

    private mutating func advanceHead() {
        while head < pending.count, pending[head] == nil { head += 1 }
        compact()
    }

    /// Drops the settled prefix once it is most of the array.
    private mutating func compact() {
        if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            firstSequenceNumber = nextSequenceNumber
            head = 0
        } else if head > 1024, head > pending.count / 2 {
            pending.removeSubrange(..<head)
            firstSequenceNumber += UInt64(head)
            head = 0
        }
    }

    private var oldestUnsettled: UInt64 {
        pending[head...].lazy.compactMap { $0 }.first?.sequenceNumber ?? nextSequenceNumber
    }

    /// Notes a `basic.return` against the publish it most likely answers.
    mutating func markReturned(_ message: ReturnedMessage) {
        guard let index = pending[head...].firstIndex(where: {
            guard let publish = $0 else { return false }
            return publish.mandatory && publish.returned == nil
                && publish.exchange == message.exchange && publish.routingKey == message.routingKey
        }) else { return }
        pending[index]?.returned = message
    }

    /// Notes the failure of a settled publish that had no waiter of its own.
    mutating func recordUnwaited(_ publish: Pending, nacked: Bool) {
        guard publish.waiter == nil, unwaitedFailure == nil, case .failure(let error) = publish.outcome(nacked: nacked)
        else { return }
        unwaitedFailure = error
    }

    /// Registers a `waitForConfirms()` caller; returns its outcome at once
    /// when nothing published so far is unsettled.
    mutating func waitForAll(_ waiter: Waiter) -> Result<Void, ClientError>? {
        drainWaiters.append((nextSequenceNumber - 1, waiter))
        return drainedWaiters().first.map(\.1)
    }

    /// The `waitForConfirms()` callers whose publishes are all settled, with
    /// their outcome: failed if any publish nobody waited for failed meanwhile.
    mutating func drainedWaiters() -> [(Waiter, Result<Void, ClientError>)] {
        let oldestUnsettled = self.oldestUnsettled
        let ready = drainWaiters.filter { $0.through < oldestUnsettled }
        guard !ready.isEmpty else { return [] }
        drainWaiters.removeAll { $0.through < oldestUnsettled }
        let outcome: Result<Void, ClientError> = unwaitedFailure.map { .failure($0) } ?? .success(())
        unwaitedFailure = nil
        return ready.map { ($0.waiter, outcome) }
    }

    /// Every waiter, for failing them all when the channel closes.
    mutating func takeAllWaiters() -> [Waiter] {
        defer {
            pending = []
            firstSequenceNumber = nextSequenceNumber
            head = 0
            unsettledCount = 0
            drainWaiters = []
        }
        return pending[head...].compactMap { $0?.waiter } + drainWaiters.map(\.waiter)
    }
}
