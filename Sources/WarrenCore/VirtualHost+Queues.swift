import AMQPProtocol

/// What `queue.declare-ok` reports.
public struct QueueDeclareResult: Equatable, Sendable {
    public let name: String
    public let messageCount: UInt32
    public let consumerCount: UInt32
}

extension VirtualHost {
    /// The queue arguments a classic queue compares on redeclaration, in
    /// RabbitMQ's order (rabbit_classic_queue's queue_arguments); others are ignored.
    static let equivalenceArguments = [
        "x-expires", "x-message-ttl", "x-dead-letter-exchange", "x-dead-letter-routing-key",
        "x-max-length", "x-max-length-bytes", "x-max-priority", "x-overflow", "x-queue-mode",
        "x-queue-version", "x-single-active-consumer", "x-queue-type", "x-queue-master-locator",
        "x-queue-leader-locator",
    ]

    /// `queue.declare` from `owner`'s connection.
    ///
    /// An empty name gets a server name, `amq.gen-` and 22 random characters;
    /// a given name starting `amq.` is 403 (even when the queue exists). An
    /// exclusive queue is never durable (RabbitMQ ignores durable with it).
    /// Redeclaring needs the same exclusive owner (405 otherwise, checked
    /// first), then the same durable and auto_delete and equivalent arguments
    /// (406). Passive: 404 when missing, 405 when another connection's
    /// exclusive queue. (The server expands `""` to the channel's last queue
    /// for passive declares before calling.) A new queue's arguments are
    /// checked as RabbitMQ checks them (`QueueSettings`, 406); any declare
    /// renews an `x-expires` lease.
    @discardableResult
    public func declareQueue(name: String, passive: Bool = false, durable: Bool = false, exclusive: Bool = false,
                             autoDelete: Bool = false, arguments: FieldTable = FieldTable(),
                             owner: ConnectionID) throws(AMQPError) -> QueueDeclareResult {
        if passive {
            let queue = try accessibleQueue(name, for: owner)
            markUsed(queue)
            return Self.declareResult(queue)
        }
        guard name.isEmpty || !name.hasReservedPrefix else { throw .reservedName(.queue, name) }
        let actualName = name.isEmpty ? uniqueQueueName() : name
        let isDurable = durable && !exclusive
        let exclusiveOwner = exclusive ? owner : nil
        if let existing = queueRegistry[actualName] {
            guard existing.exclusiveOwner == exclusiveOwner else { throw .locked(queue: actualName, vhost: self.name) }
            try Equivalence.assertField("durable", current: existing.isDurable, received: isDurable,
                                        .queue, actualName, vhost: self.name)
            try Equivalence.assertField("auto_delete", current: existing.isAutoDelete, received: autoDelete,
                                        .queue, actualName, vhost: self.name)
            try Equivalence.assertArguments(Self.equivalenceArguments, current: existing.arguments,
                                            received: arguments, .queue, actualName, vhost: self.name)
            markUsed(existing)
            return Self.declareResult(existing)
        }
        if let deadLetter = arguments["x-dead-letter-exchange"], deadLetter.stringValue == nil {
            throw .invalidArgumentType(deadLetter, argument: "x-dead-letter-exchange", .queue, actualName,
                                       vhost: self.name)
        }
        let settings = try QueueSettings.parse(arguments, queue: actualName, vhost: self.name)
        let queue = Queue(name: actualName, durable: isDurable, exclusiveOwner: exclusiveOwner,
                          autoDelete: autoDelete, arguments: arguments, settings: settings)
        queue.virtualHost = self
        queueRegistry[actualName] = queue
        recordDefinition(.queueDeclared(queue))
        markUsed(queue)
        return Self.declareResult(queue)
    }

    private func uniqueQueueName() -> String {
        var candidate = names.make(prefix: "amq.gen")
        while queueRegistry[candidate] != nil { candidate = names.make(prefix: "amq.gen") }
        return candidate
    }

    private static func declareResult(_ queue: Queue) -> QueueDeclareResult {
        QueueDeclareResult(name: queue.name, messageCount: UInt32(clamping: queue.messageCount),
                           consumerCount: UInt32(clamping: queue.consumerCount))
    }

    /// `queue.delete`: returns the number of ready messages dropped. A missing
    /// queue is not an error (RabbitMQ answers delete-ok with 0). `ifEmpty`
    /// (checked first) refuses ready messages, `ifUnused` consumers: 406.
    /// Its consumers are cancelled through their sinks.
    @discardableResult
    public func deleteQueue(name: String, ifUnused: Bool = false, ifEmpty: Bool = false,
                            connection: ConnectionID) throws(AMQPError) -> UInt32 {
        guard let queue = queueRegistry[name] else { return 0 }
        try checkExclusiveAccess(queue, for: connection)
        if ifEmpty, queue.messageCount > 0 { throw .notEmpty(queue: name, vhost: self.name) }
        if ifUnused, queue.consumerCount > 0 { throw .inUse(.queue, name, vhost: self.name) }
        let count = UInt32(clamping: queue.messageCount)
        removeQueue(queue)
        return count
    }

    /// `queue.purge`: drops the ready messages, never the unacknowledged ones.
    @discardableResult
    public func purgeQueue(name: String, connection: ConnectionID) throws(AMQPError) -> UInt32 {
        let queue = try accessibleQueue(name, for: connection)
        recordPurge(of: queue)
        return UInt32(clamping: queue.purge())
    }

    /// `queue.bind`. 403 for the default exchange, 404 for a missing
    /// exchange (checked first) or queue, 406 for invalid headers arguments,
    /// 405 for another connection's exclusive queue. Binding twice is harmless.
    public func bindQueue(queue queueName: String, exchange exchangeName: String, routingKey: String,
                          arguments: FieldTable = FieldTable(), connection: ConnectionID) throws(AMQPError) {
        guard !exchangeName.isEmpty else { throw .defaultExchangeRefused }
        let source = try existingExchange(exchangeName)
        let queue = try existingQueue(queueName)
        let binding = Binding(source: exchangeName, destination: .queue(queueName), routingKey: routingKey,
                              arguments: arguments)
        try source.validate(binding)
        try checkExclusiveAccess(queue, for: connection)
        addBinding(binding, from: source, to: .queue(queue))
    }

    /// `queue.unbind`. As in RabbitMQ, unbinding what is not bound, or naming
    /// a missing queue or exchange, succeeds; the default exchange is 403.
    public func unbindQueue(queue queueName: String, exchange exchangeName: String, routingKey: String,
                            arguments: FieldTable = FieldTable(), connection: ConnectionID) throws(AMQPError) {
        guard !exchangeName.isEmpty else { throw .defaultExchangeRefused }
        guard let source = exchange(named: exchangeName), let queue = queueRegistry[queueName] else { return }
        let binding = Binding(source: exchangeName, destination: .queue(queueName), routingKey: routingKey,
                              arguments: arguments)
        guard queue.incomingBindings.contains(binding) else { return }
        try checkExclusiveAccess(queue, for: connection)
        removeBinding(binding, from: source, to: .queue(queue))
        deleteIfAutoDeleteAndUnused([source])
    }

    /// Deletes a queue: its ready messages, its bindings (auto-deleting
    /// exchanges left unused), and its consumers, whose sinks hear of it last,
    /// once the vhost is consistent again.
    func removeQueue(_ queue: Queue) {
        guard !queue.isDeleted else { return }
        queue.isDeleted = true
        recordDefinition(.queueDeleted(queue))
        queueRegistry[queue.name] = nil
        _ = queue.purge()
        var sources: [Exchange] = []
        for binding in queue.incomingBindings {
            if let source = exchange(named: binding.source) {
                removeBinding(binding, from: source, to: .queue(queue))
                sources.append(source)
            }
        }
        deleteIfAutoDeleteAndUnused(sources)
        let cancelled = queue.consumers
        for consumer in cancelled { queue.remove(consumer) }
        for consumer in cancelled { consumer.session.cancelledByBroker(consumer) }
    }
}
