import AMQPProtocol

/// A virtual host: its exchanges, queues and bindings, and the operations
/// that mirror the AMQP methods on them, with RabbitMQ's semantics, reply
/// codes and texts.
///
/// Pure and deterministic: no clock, no threads, no I/O. Randomness (server
/// names) comes from an injected generator. Everything is driven from one
/// thread, the one the server runs the broker on.
///
/// The operations are spread over extensions by concept: exchanges, queues,
/// consumers and publishing.
public final class VirtualHost {
    public let name: String
    let configuration: Configuration
    let queueRegistry = QueueRegistry()
    var exchangesByName: [ExactKey: Exchange] = [:]
    let names: NameGenerator
    let sequencer: MessageSequencer
    let scheduler = DispatchScheduler()
    @exclusivity(unchecked) var collector = RouteCollector()
    /// Reused to encode each published message's properties.
    @exclusivity(unchecked) var propertyScratch = ByteWriter(capacity: 256)
    /// Publishes into this vhost, deliveries and acks from its queues.
    @exclusivity(unchecked) public internal(set) var counters = MessageCounters()
    /// Where durable changes and persistent messages are recorded; nil for none.
    @exclusivity(unchecked) public internal(set) var durability: DurabilityLog?
    /// Where TTLs, queue expiry and `x-death` times come from (see `BrokerClock`).
    @exclusivity(unchecked) public var clock = BrokerClock.stopped
    /// The next TTL or expiry deadline of each queue that has one.
    @exclusivity(unchecked) var deadlines = DeadlineIndex()
    /// Copies of published messages a queue refused (`x-overflow` `reject-publish`).
    @exclusivity(unchecked) public internal(set) var refusedEnqueues: UInt64 = 0

    /// The exchanges every vhost starts with: the default one, the `amq.*`
    /// set, and RabbitMQ's internal trace exchange.
    static let builtInExchanges: [(name: String, type: ExchangeType, internal: Bool)] = [
        ("amq.direct", .direct, false), ("amq.fanout", .fanout, false), ("amq.topic", .topic, false),
        ("amq.headers", .headers, false), ("amq.match", .headers, false), ("amq.rabbitmq.trace", .topic, true),
    ]

    init(name: String, configuration: Configuration, names: NameGenerator, sequencer: MessageSequencer) {
        self.name = name
        self.configuration = configuration
        self.names = names
        self.sequencer = sequencer
        exchangesByName[ExactKey("")] = DefaultExchange(queues: queueRegistry)
        scheduler.deadLetterRouter = { [unowned self] letters in self.route(letters) }
        for (exchangeName, type, isInternal) in Self.builtInExchanges {
            exchangesByName[ExactKey(exchangeName)] = Exchange.make(
                name: exchangeName, type: type, durable: true, autoDelete: false, internal: isInternal,
                arguments: FieldTable(), topicCacheCapacity: configuration.topicRouteCacheCapacity)
        }
    }

    /// A standalone vhost (the broker makes its own through `Broker`).
    public convenience init(name: String = "/", configuration: Configuration = Configuration(),
                            random: some RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.init(name: name, configuration: configuration, names: NameGenerator(random: random),
                  sequencer: MessageSequencer())
    }

    // MARK: Lookup

    public func exchange(named name: String) -> Exchange? { exchangesByName[ExactKey(name)] }
    public func queue(named name: String) -> Queue? { queueRegistry[name] }

    /// All exchanges, sorted by name.
    public var exchanges: [Exchange] { exchangesByName.values.sorted { $0.name.bytesPrecede($1.name) } }
    /// All queues, sorted by name.
    public var queues: [Queue] { queueRegistry.all.sorted { $0.name.bytesPrecede($1.name) } }

    /// The queue, or 404 `no queue 'q' in vhost '/'`.
    func existingQueue(_ name: String) throws(AMQPError) -> Queue {
        guard let queue = queueRegistry[name] else { throw .notFound(.queue, name, vhost: self.name) }
        return queue
    }

    /// The exchange, or 404 `no exchange 'x' in vhost '/'`.
    func existingExchange(_ name: String) throws(AMQPError) -> Exchange {
        guard let exchange = exchangesByName[ExactKey(name)] else { throw .notFound(.exchange, name, vhost: self.name) }
        return exchange
    }

    /// The queue, if `connection` may use it: 404 when missing, 405 when
    /// another connection holds it exclusively.
    func accessibleQueue(_ name: String, for connection: ConnectionID) throws(AMQPError) -> Queue {
        let queue = try existingQueue(name)
        try checkExclusiveAccess(queue, for: connection)
        return queue
    }

    /// rabbit_amqqueue:check_exclusive_access/2 (the lax form).
    func checkExclusiveAccess(_ queue: Queue, for connection: ConnectionID) throws(AMQPError) {
        if let owner = queue.exclusiveOwner, owner != connection {
            throw .locked(queue: queue.name, vhost: name)
        }
    }

    // MARK: Connections

    /// A connection closed: delete the queues it declared exclusive.
    /// (Its channels' sessions should be closed first.)
    public func connectionClosed(_ connection: ConnectionID) {
        for queue in queues where queue.exclusiveOwner == connection {
            removeQueue(queue)
        }
    }
}

extension String {
    /// Names starting `amq.` are the broker's (the check is on bytes, as RabbitMQ's).
    var hasReservedPrefix: Bool { utf8.starts(with: "amq.".utf8) }
}
