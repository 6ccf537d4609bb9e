import AMQPProtocol

/// The broker's view of one AMQP channel: delivery tags, unacknowledged
/// deliveries, prefetch, consumers, and the confirm and transaction modes.
///
/// The server's channel owns its session and must call `close()` when the
/// channel ends: that requeues what was unacknowledged, cancels the
/// consumers, and lets go of the sink (the session holds it strongly until
/// then, which is what keeps the channel and session alive together).
public final class Session {
    public let connection: ConnectionID
    public let virtualHost: VirtualHost
    private var sink: DeliverySink?

    @exclusivity(unchecked) private var nextDeliveryTag: UInt64 = 1
    @exclusivity(unchecked) private var unacked = UnackedLog()
    @exclusivity(unchecked) private var taken: [PendingAck] = []
    /// Consumers in the order they were made, and by tag.
    public private(set) var consumers: [Consumer] = []
    private var consumersByTag: [ExactKey: Consumer] = [:]
    @exclusivity(unchecked) private var rotation = 0

    /// `basic.qos` with global = false: the limit given to consumers made after it.
    public private(set) var consumerPrefetch: UInt16 = 0
    /// `basic.qos` with global = true: one limit shared by all this channel's consumers.
    public private(set) var globalPrefetch: UInt16 = 0
    /// Consumer deliveries awaiting ack (what the global limit counts; `basic.get` is not counted).
    @exclusivity(unchecked) public private(set) var globalUnackedCount = 0

    public internal(set) var isConfirmMode = false
    /// The sequence number the next publish will have in confirm mode, from 1.
    public internal(set) var nextPublishSequence: UInt64 = 1
    var transaction: Transaction?
    /// What the last `commit` persisted: the server sends commit-ok once it is on
    /// disk (nil: nothing persistent reached a durable queue).
    public internal(set) var commitDurability: DurabilityTicket?
    public private(set) var isClosed = false

    public init(connection: ConnectionID, virtualHost: VirtualHost, sink: DeliverySink) {
        self.connection = connection
        self.virtualHost = virtualHost
        self.sink = sink
    }

    public var isTransactional: Bool { transaction != nil }
    /// Deliveries (to consumers and by `basic.get`) awaiting ack, nack or reject.
    public var unackedCount: Int { unacked.count }

    public func consumer(tagged tag: String) -> Consumer? { consumersByTag[ExactKey(tag)] }

    /// Set by the server while the channel's connection cannot take more
    /// output: this session's consumers, no-ack ones included, get nothing
    /// until it is cleared, and then their queues dispatch again.
    public var isDeliveryPaused = false {
        didSet {
            guard oldValue, !isDeliveryPaused, !isClosed else { return }
            scheduleConsumedQueues()
            virtualHost.scheduler.run()
        }
    }

    var hasGlobalCredit: Bool { globalPrefetch == 0 || globalUnackedCount < Int(globalPrefetch) }

    // MARK: basic.qos

    /// RabbitMQ's meaning: global = false sets the limit for consumers made
    /// from now on, and also lifts any global limit (rabbit_channel unlimits
    /// the channel limiter); global = true sets the channel-wide limit. So
    /// both are in force only when set in that order. 0 means no limit.
    public func qos(prefetchSize: UInt32 = 0, prefetchCount: UInt16, global: Bool) throws(AMQPError) {
        guard prefetchSize == 0 else { throw .prefetchSizeUnsupported(prefetchSize) }
        if global {
            globalPrefetch = prefetchCount
        } else {
            consumerPrefetch = prefetchCount
            globalPrefetch = 0
        }
        scheduleConsumedQueues()
        virtualHost.scheduler.run()
    }

    // MARK: Acknowledgements

    /// `basic.ack`. Tag 0 with `multiple` acknowledges everything outstanding.
    public func ack(deliveryTag: UInt64, multiple: Bool = false) throws(AMQPError) {
        try settle(deliveryTag, multiple: multiple, as: .ack)
    }

    /// `basic.nack`: requeue puts the messages back in their original places.
    public func nack(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool = true) throws(AMQPError) {
        try settle(deliveryTag, multiple: multiple, as: requeue ? .requeue : .discard)
    }

    /// `basic.reject`: a nack of one delivery.
    public func reject(deliveryTag: UInt64, requeue: Bool = true) throws(AMQPError) {
        try settle(deliveryTag, multiple: false, as: requeue ? .requeue : .discard)
    }

    /// `basic.recover` / `basic.recover-async`: requeues everything outstanding.
    /// RabbitMQ refuses requeue = false with 540 NOT_IMPLEMENTED.
    public func recover(requeue: Bool) throws(AMQPError) {
        guard requeue else { throw .recoverWithoutRequeue }
        taken.removeAll(keepingCapacity: true)
        unacked.removeAll(into: &taken)
        applyTaken(.requeue)
        virtualHost.scheduler.run()
    }

    /// Unknown or already settled tags fail with 406 `unknown delivery tag N`,
    /// which closes the channel; with `multiple`, the tag itself must be outstanding.
    private func settle(_ tag: UInt64, multiple: Bool, as outcome: Settlement) throws(AMQPError) {
        if !multiple, transaction == nil {
            guard let pending = unacked.remove(tag) else { throw .unknownDeliveryTag(tag) }
            apply(pending, outcome)
            virtualHost.scheduler.run()
            return
        }
        taken.removeAll(keepingCapacity: true)
        if multiple && tag == 0 {
            unacked.removeAll(into: &taken)
        } else if !unacked.contains(tag) {
            throw .unknownDeliveryTag(tag)
        } else if multiple {
            unacked.removeAll(upTo: tag, into: &taken)
        } else if let pending = unacked.remove(tag) {
            taken.append(pending)
        }
        if transaction != nil {
            transaction?.settlements.append((taken, outcome))
            return
        }
        applyTaken(outcome)
        virtualHost.scheduler.run()
    }

    /// Applies `outcome` to everything in `taken`: requeues newest first, so
    /// they land at the front of their queues in O(1); the rest oldest first,
    /// so dead letters leave in delivery order, as RabbitMQ's do.
    private func applyTaken(_ outcome: Settlement) {
        Self.apply(outcome, to: taken) { apply($0, outcome) }
        taken.removeAll(keepingCapacity: true)
    }

    /// Calls `body` for each of `pendings` in the order `outcome` wants (see `applyTaken`).
    static func apply(_ outcome: Settlement, to pendings: [PendingAck], _ body: (PendingAck) -> Void) {
        if outcome == .requeue {
            for pending in pendings.reversed() { body(pending) }
        } else {
            for pending in pendings { body(pending) }
        }
    }

    func apply(_ pending: PendingAck, _ outcome: Settlement) {
        let queue = pending.queue
        queue.unackedCount -= 1
        if let consumer = pending.consumer {
            consumer.unackedCount -= 1
            let wasAtGlobalLimit = !hasGlobalCredit
            globalUnackedCount -= 1
            if wasAtGlobalLimit, hasGlobalCredit { scheduleConsumedQueues() }
        }
        if outcome == .requeue { queue.requeue(pending.entry) }
        if outcome == .discard { queue.discard(pending.entry) }
        if outcome != .requeue { virtualHost.recordSettlement(pending.entry.message, from: queue, discarded: outcome == .discard) }
        if outcome == .ack {
            queue.counters.acknowledged &+= 1
            virtualHost.counters.acknowledged &+= 1
        }
        if !queue.consumers.isEmpty { virtualHost.scheduler.schedule(queue) }
    }

    /// Schedules every queue this channel consumes from, starting one
    /// consumer further on each time, so that freed global credit does not
    /// always go to the first queue.
    private func scheduleConsumedQueues() {
        guard !consumers.isEmpty else { return }
        rotation = rotation >= consumers.count - 1 ? 0 : rotation + 1
        for offset in 0..<consumers.count {
            virtualHost.scheduler.schedule(consumers[(rotation + offset) % consumers.count].queue)
        }
    }

    // MARK: Deliveries

    /// Records a delivery to one of this session's consumers and hands it to the sink.
    func deliver(_ entry: QueueEntry, from queue: Queue, to consumer: Consumer) {
        let tag = takeDeliveryTag()
        countDelivery(of: entry, from: queue, noAck: consumer.noAck)
        if !consumer.noAck {
            unacked.append(PendingAck(deliveryTag: tag, queue: queue, entry: entry.delivered(), consumer: consumer))
            consumer.unackedCount += 1
            globalUnackedCount += 1
            queue.unackedCount += 1
        }
        sink?.deliver(Delivery(consumerTag: consumer.tag, deliveryTag: tag,
                               redelivered: entry.isRedelivered, message: entry.message))
    }

    /// Records a `basic.get` delivery; the caller returns it to the client.
    func deliverForGet(_ entry: QueueEntry, from queue: Queue, noAck: Bool) -> Delivery {
        let tag = takeDeliveryTag()
        countDelivery(of: entry, from: queue, noAck: noAck)
        if !noAck {
            unacked.append(PendingAck(deliveryTag: tag, queue: queue, entry: entry.delivered(), consumer: nil))
            queue.unackedCount += 1
        }
        return Delivery(consumerTag: "", deliveryTag: tag, redelivered: entry.isRedelivered, message: entry.message)
    }

    private func countDelivery(of entry: QueueEntry, from queue: Queue, noAck: Bool) {
        virtualHost.recordDelivery(of: entry, from: queue, noAck: noAck)
        queue.counters.countDelivery(redelivered: entry.isRedelivered)
        virtualHost.counters.countDelivery(redelivered: entry.isRedelivered)
    }

    func restoreUnacked(_ pendings: [PendingAck]) {
        unacked.restore(pendings)
    }

    private func takeDeliveryTag() -> UInt64 {
        defer { nextDeliveryTag &+= 1 }
        return nextDeliveryTag
    }

    // MARK: Consumers

    func register(_ consumer: Consumer) {
        consumers.append(consumer)
        consumersByTag[ExactKey(consumer.tag)] = consumer
    }

    /// Forgets a consumer; returns it when the tag was known.
    func unregister(tag: String) -> Consumer? {
        guard let consumer = consumersByTag.removeValue(forKey: ExactKey(tag)) else { return nil }
        consumers.removeAll { $0 === consumer }
        return consumer
    }

    /// The broker cancelled a consumer (its queue went away): forget it, tell the client.
    func cancelledByBroker(_ consumer: Consumer) {
        guard unregister(tag: consumer.tag) != nil else { return }
        sink?.consumerCancelled(tag: consumer.tag)
    }

    // MARK: Closing

    /// The channel closed: cancel its consumers (no notification: the client
    /// is gone), requeue every unacknowledged delivery, including acks held in
    /// an uncommitted transaction, and release the sink.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        let cancelled = consumers
        consumers.removeAll()
        consumersByTag.removeAll()
        for consumer in cancelled { virtualHost.detach(consumer) }
        taken.removeAll(keepingCapacity: true)
        unacked.removeAll(into: &taken)
        for (pendings, _) in transaction?.settlements ?? [] { taken.append(contentsOf: pendings) }
        taken.sort { $0.deliveryTag < $1.deliveryTag }
        transaction = nil
        applyTaken(.requeue)
        sink = nil
        virtualHost.scheduler.run()
    }
}

/// What becomes of a settled delivery.
enum Settlement: Equatable {
    case ack
    case requeue
    /// Nack or reject without requeue: dropped, or dead-lettered (reason
    /// `rejected`) when the queue has a dead-letter exchange.
    case discard
}
