import AMQPProtocol

/// Where a persistent message stands with the durability log once it was handed over.
public enum DurabilityTicket: Equatable, Sendable {
    /// Written (perhaps only buffered). It is on disk once the log reports this
    /// position synced; the publisher's confirm waits for that.
    case position(UInt64)
    /// It could not be written (disk full, I/O error): the publisher gets basic.nack.
    case failed

    /// The ticket that settles when both have: the later position, or failed if either failed.
    static func combine(_ first: DurabilityTicket?, _ second: DurabilityTicket?) -> DurabilityTicket? {
        switch (first, second) {
        case (nil, let only), (let only, nil): only
        case (.failed?, _), (_, .failed?): .failed
        case (.position(let a)?, .position(let b)?): .position(Swift.max(a, b))
        }
    }
}

/// A change to what a restart must bring back, in the core's terms. Only durable things
/// are reported: durable exchanges, durable queues (never exclusive ones), and bindings
/// whose two ends are both durable.
public enum DurableDefinitionChange {
    case exchangeDeclared(Exchange)
    case exchangeDeleted(Exchange)
    case queueDeclared(Queue)
    /// The queue and every message it held are gone.
    case queueDeleted(Queue)
    case bound(Binding)
    case unbound(Binding)
}

/// What the broker tells a persistence layer, as it happens. The core stays pure: it
/// only calls this, and only when something durable changes. The server implements it
/// with `WarrenStore` and sets it on the `Broker` (`Broker.durability`); nil (the
/// default, and what in-process tests keep) means no persistence, and then the hot
/// path pays one nil check per persistent message and nothing per transient one.
///
/// Every call comes on the broker's thread, synchronously, in the order of the
/// operations; implementations must not call back into the broker.
public protocol DurabilityLog: AnyObject {
    func definitionChanged(_ change: DurableDefinitionChange, in virtualHost: VirtualHost)

    /// A persistent message reached `queues` (the durable ones among its routes, at
    /// least one). Called before it is enqueued, so that anything done to it afterwards
    /// (a delivery, an ack, an expiry) is recorded after it. The message's `sequence`
    /// is its id in the log; sequences given here increase strictly.
    func persist(_ message: Message, on queues: [Queue], in virtualHost: VirtualHost) -> DurabilityTicket

    /// A persistent message left a durable queue for good: ack, reject or nack without
    /// requeue, no-ack delivery, purge of a queue with unacked messages, overflow,
    /// expiry, dead-lettering (whose copy is persisted anew).
    func removed(_ message: Message, from queue: Queue, in virtualHost: VirtualHost)

    /// A persistent message is handed out from a durable queue for the first time, so
    /// that after a crash it comes back with redelivered=true.
    func delivered(_ message: Message, from queue: Queue, in virtualHost: VirtualHost)

    /// Every message of a durable queue is gone at once (a purge while nothing is unacked).
    func purged(_ queue: Queue, in virtualHost: VirtualHost)
}

// MARK: - The core's call sites

extension VirtualHost {
    /// Persists a message about to be enqueued on the queues routing collected (see
    /// `publish`): nil when it is transient, when nothing durable is involved or when
    /// there is no log. Call it before enqueueing.
    @inline(__always)
    func persistRouted(_ message: Message) -> DurabilityTicket? {
        guard message.isPersistent, let log = durability else { return nil }
        return persist(message, on: collector.queues, log: log)
    }

    /// For other paths that enqueue a new message (dead-lettering, a shovel):
    /// persists `message` for the durable queues among `queues`, which must be exactly
    /// the queues it is about to be enqueued on. Call it before enqueueing.
    @discardableResult
    func persist(_ message: Message, on queues: [Queue]) -> DurabilityTicket? {
        guard message.isPersistent, let log = durability else { return nil }
        return persist(message, on: queues, log: log)
    }

    private func persist(_ message: Message, on queues: [Queue], log: DurabilityLog) -> DurabilityTicket? {
        guard queues.contains(where: { $0.isDurable && !$0.isDeleted }) else { return nil }
        return log.persist(message, on: queues.filter { $0.isDurable && !$0.isDeleted }, in: self)
    }

    /// A message left `queue` for good. Costs two flag tests for a transient message.
    /// TTL expiry and `x-max-length` drop-head call this for each message they take
    /// out of a queue (dead-lettered or not).
    @inline(__always)
    func recordRemoval(_ message: Message, from queue: Queue) {
        guard message.isPersistent, queue.isDurable, let log = durability else { return }
        log.removed(message, from: queue, in: self)
    }

    /// An ack (or a reject or nack without requeue: `discarded`) took the message out of
    /// `queue`. A discarded message the queue dead-letters is gone from it too: its copy
    /// is persisted anew when dead-lettering routes it (`route(_:)`, through `persist(_:on:)`).
    @inline(__always)
    func recordSettlement(_ message: Message, from queue: Queue, discarded: Bool) {
        recordRemoval(message, from: queue)
    }

    /// A delivery (to a consumer or by basic.get) of an entry: first deliveries of
    /// persistent messages from durable queues are recorded; a no-ack delivery is a removal.
    @inline(__always)
    func recordDelivery(of entry: QueueEntry, from queue: Queue, noAck: Bool) {
        guard entry.message.isPersistent, queue.isDurable, let log = durability else { return }
        if noAck {
            log.removed(entry.message, from: queue, in: self)
        } else if !entry.isRedelivered {
            log.delivered(entry.message, from: queue, in: self)
        }
    }

    /// Call before a purge empties `queue`'s ready list. With nothing unacked the whole
    /// queue goes at once; otherwise only the ready persistent messages do, since the
    /// unacknowledged ones stay the queue's until they are settled.
    func recordPurge(of queue: Queue) {
        guard queue.isDurable, let log = durability else { return }
        guard queue.unackedCount > 0 else { return log.purged(queue, in: self) }
        for message in queue.readyMessages where message.isPersistent {
            log.removed(message, from: queue, in: self)
        }
    }

    /// A durable definition changed; non-durable ones are not reported.
    func recordDefinition(_ change: DurableDefinitionChange) {
        guard let log = durability else { return }
        switch change {
        case .exchangeDeclared(let exchange), .exchangeDeleted(let exchange):
            guard exchange.isDurable else { return }
        case .queueDeclared(let queue), .queueDeleted(let queue):
            guard queue.isDurable else { return }
        case .bound(let binding), .unbound(let binding):
            guard isDurable(binding) else { return }
        }
        log.definitionChanged(change, in: self)
    }

    /// Both ends durable (a binding to a transient queue or exchange dies with it).
    private func isDurable(_ binding: Binding) -> Bool {
        guard let source = exchange(named: binding.source), source.isDurable else { return false }
        switch binding.destination {
        case .queue(let name): return queueRegistry[name]?.isDurable ?? false
        case .exchange(let name): return exchange(named: name)?.isDurable ?? false
        }
    }
}
