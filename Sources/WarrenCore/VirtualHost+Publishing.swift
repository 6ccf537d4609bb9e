import AMQPProtocol

/// What became of one `basic.publish`.
public struct PublishResult {
    public let message: Message
    /// Queues it was enqueued on (in a transaction: will be, at commit).
    public let queueCount: Int
    /// Mandatory and routed nowhere: the server sends `basic.return` with
    /// 312 NO_ROUTE (before the confirm, in confirm mode).
    public let mustReturn: Bool
    /// Persistent and routed to a durable queue: the confirm waits for the store.
    public let needsDurableConfirm: Bool
    /// Held by a transaction until `tx.commit`.
    public let isHeldInTransaction: Bool
    /// In confirm mode, the sequence number its confirm carries.
    public internal(set) var confirmSequence: UInt64?
    /// A queue it was routed to refused it (`x-overflow` `reject-publish` or
    /// `reject-publish-dlx`): in confirm mode the server sends `basic.nack`
    /// instead of `basic.ack`, at once. It still counts as routed, so a
    /// mandatory publish is not returned.
    public let mustNack: Bool
    /// Persisted for its durable queues (nil when not): the confirm waits for this
    /// ticket to be on disk, and is a basic.nack if it failed.
    public internal(set) var durability: DurabilityTicket?
    /// It joined a backlog that consumers are already working through (see
    /// `Queue.isBehindConsumers`): the server reads no more from this publisher
    /// until the loop's next turn, so the consumers' acks come before more publishes.
    public internal(set) var joinedBacklog = false

    init(message: Message, queueCount: Int, mustReturn: Bool, reachedDurableQueue: Bool,
         isHeldInTransaction: Bool = false, mustNack: Bool = false) {
        self.message = message
        self.queueCount = queueCount
        self.mustReturn = mustReturn
        self.needsDurableConfirm = message.isPersistent && reachedDurableQueue
        self.isHeldInTransaction = isHeldInTransaction
        self.mustNack = mustNack
    }

    public var isRouted: Bool { queueCount > 0 }
}

extension VirtualHost {
    /// Publishes outside any channel (the HTTP API, a shovel, tests). Channels
    /// publish through `Session.publish`, which adds confirms and transactions.
    /// 404 for a missing exchange, 403 for an internal one, 406 for an
    /// invalid `expiration`.
    @discardableResult
    public func publish(exchange: String, routingKey: String, properties: BasicProperties = .none,
                        body: [UInt8], mandatory: Bool = false) throws(AMQPError) -> PublishResult {
        let source = try publishableExchange(named: exchange)
        let message = try Self.withEncoded(properties) { encoded, summary throws(AMQPError) in
            if let expiration = summary.expiration { try Expiration.validate(expiration) }
            return body.withUnsafeBytes { body in
                makeMessage(source: source, routingKey: routingKey, encodedProperties: encoded, summary: summary, body: body)
            }
        }
        return publish(message, through: source, mandatory: mandatory)
    }

    /// Calls `body` with `properties` in wire form and their summary, for the
    /// publish paths that start from decoded properties.
    static func withEncoded<R>(_ properties: BasicProperties,
                               _ body: (UnsafeRawBufferPointer, PropertySummary) throws(AMQPError) -> R) throws(AMQPError) -> R {
        var writer = ByteWriter(capacity: 64)
        writer.writeBasicProperties(properties)
        var reader = ByteReader(writer.bytes)
        let summary = try reader.readPropertySummary()
        let result = writer.bytes.withUnsafeBytes { encoded in
            Result { () throws(AMQPError) in try body(encoded, summary) }
        }
        return try result.get()
    }

    func publishableExchange(named name: String) throws(AMQPError) -> Exchange {
        let exchange = try existingExchange(name)
        guard !exchange.isInternal else { throw .internalExchange(name, vhost: self.name) }
        return exchange
    }

    /// Makes the message for a publish to `source`. It names the exchange
    /// with the exchange's own string, so a long name is stored once, not once
    /// per message; the properties are encoded through a reused scratch writer.
    /// A message without a `message-id` gets one (`MessageID`) before encoding.
    func makeMessage(source: Exchange, routingKey: String, encodedProperties: UnsafeRawBufferPointer,
                     summary: PropertySummary, body: UnsafeRawBufferPointer) -> Message {
        let sequence = sequencer.take()
        counters.published &+= 1
        return Message.make(exchange: source.name, routingKey: routingKey, encodedProperties: encodedProperties,
                            summary: summary, body: body, sequence: sequence, idClock: sequencer.millisecondClock,
                            scratch: &propertyScratch)
    }

    /// Routes, enqueues, then dispatches to consumers. The hot path: it
    /// allocates nothing but what routing a new topic key or headers needs,
    /// and reads no clock unless a queue uses TTL, limits or priorities or the
    /// message has its own TTL.
    func publish(_ message: Message, through source: Exchange, mandatory: Bool) -> PublishResult {
        collect(message, through: source)
        let durability = persistRouted(message)
        var reachedDurable = false
        var refused = false
        var joinedBacklog = false
        var time: BrokerTime?
        for queue in collector.queues {
            joinedBacklog = joinedBacklog || queue.isBehindConsumers
            if !enqueue(message, on: queue, time: &time) {
                refused = true
                recordRemoval(message, from: queue)
            }
            reachedDurable = reachedDurable || queue.isDurable
            if !queue.consumers.isEmpty { scheduler.schedule(queue) }
        }
        let count = collector.queues.count
        scheduler.run()
        var result = PublishResult(message: message, queueCount: count, mustReturn: mandatory && count == 0,
                                   reachedDurableQueue: reachedDurable, mustNack: refused)
        result.durability = durability
        result.joinedBacklog = joinedBacklog
        return result
    }

    /// The queues `message` reaches from `source`, as a new array (for transactions).
    func route(_ message: Message, through source: Exchange) -> [Queue] {
        collect(message, through: source)
        return collector.queues
    }

    /// Enqueues on queues routed earlier (a committed transaction), skipping deleted
    /// ones. A persistent message for durable queues is persisted first, under a new
    /// sequence (the log's ids follow persist order, and others were persisted since
    /// this one was published); returns its ticket.
    func enqueue(_ message: Message, on queues: [Queue]) -> DurabilityTicket? {
        var message = message
        var durability: DurabilityTicket?
        if message.isPersistent, self.durability != nil, queues.contains(where: { $0.isDurable && !$0.isDeleted }) {
            message = message.withSequence(sequencer.take())
            durability = persist(message, on: queues)
        }
        var time: BrokerTime?
        for queue in queues where !queue.isDeleted {
            if !enqueue(message, on: queue, time: &time) { recordRemoval(message, from: queue) }
            if !queue.consumers.isEmpty { scheduler.schedule(queue) }
        }
        return durability
    }

    /// Walks the exchange graph from `source` into `collector`: each
    /// exchange's own bindings, then the exchanges they lead to, each exchange
    /// once (so cycles end), each queue once. An exchange whose bindings match
    /// nothing hands the message to its alternate exchange, if it has one.
    func collect(_ message: Message, through source: Exchange) {
        var input = RoutingInput(routingKey: message.routingKey, message: message)
        collector.begin(at: source)
        while let exchange = collector.nextExchange() {
            let matched = exchange.route(&input, into: &collector)
            if matched == 0, let alternate = exchange.alternateExchange, let next = self.exchange(named: alternate) {
                collector.add(next)
            }
        }
    }
}
