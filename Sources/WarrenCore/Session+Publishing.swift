import AMQPProtocol

/// A channel's uncommitted work in tx mode.
struct Transaction {
    struct Publish {
        let message: Message
        let mandatory: Bool
        /// Routed when published, as RabbitMQ does; enqueued at commit.
        let queues: [Queue]
    }

    var publishes: [Publish] = []
    /// Acks, nacks and rejects in the order received, each with what it took.
    var settlements: [(pendings: [PendingAck], outcome: Settlement)] = []
}

extension Session {
    /// `basic.publish` on this channel: checks the exchange now (404, or 403
    /// for an internal one) and the `expiration` property (406), then routes
    /// and enqueues, or in tx mode routes and holds the message until `commit`.
    public func publish(exchange: String, routingKey: String, properties: BasicProperties = .none,
                        body: [UInt8], mandatory: Bool = false) throws(AMQPError) -> PublishResult {
        try VirtualHost.withEncoded(properties) { encoded, summary throws(AMQPError) in
            let result = body.withUnsafeBytes { body in
                Result { () throws(AMQPError) in
                    try publish(exchange: exchange, routingKey: routingKey, encodedProperties: encoded, summary: summary,
                                body: body, mandatory: mandatory)
                }
            }
            return try result.get()
        }
    }

    /// `basic.publish` with the property list as it came off the wire (`summary`
    /// read from it), kept as it is: the server's path, which decodes no properties.
    public func publish(exchange: String, routingKey: String, encodedProperties: UnsafeRawBufferPointer,
                        summary: PropertySummary, body: UnsafeRawBufferPointer,
                        mandatory: Bool = false) throws(AMQPError) -> PublishResult {
        let source = try virtualHost.publishableExchange(named: exchange)
        if let expiration = summary.expiration { try Expiration.validate(expiration) }
        let message = virtualHost.makeMessage(source: source, routingKey: routingKey, encodedProperties: encodedProperties,
                                              summary: summary, body: body)
        guard transaction != nil else {
            var result = virtualHost.publish(message, through: source, mandatory: mandatory)
            if isConfirmMode { result.confirmSequence = takePublishSequence() }
            return result
        }
        let queues = virtualHost.route(message, through: source)
        transaction?.publishes.append(Transaction.Publish(message: message, mandatory: mandatory, queues: queues))
        return PublishResult(message: message, queueCount: queues.count, mustReturn: false,
                             reachedDurableQueue: queues.contains { $0.isDurable }, isHeldInTransaction: true)
    }

    // MARK: confirm.select

    /// `confirm.select`: from now on each publish carries a sequence number
    /// (`PublishResult.confirmSequence`) for the server to confirm.
    public func selectConfirm() throws(AMQPError) {
        guard transaction == nil else { throw .transactionToConfirm }
        isConfirmMode = true
    }

    private func takePublishSequence() -> UInt64 {
        defer { nextPublishSequence &+= 1 }
        return nextPublishSequence
    }

    // MARK: tx

    /// `tx.select`: publishes and settlements are held until commit. Selecting again is harmless.
    public func selectTransaction() throws(AMQPError) {
        guard !isConfirmMode else { throw .confirmToTransaction }
        if transaction == nil { transaction = Transaction() }
    }

    /// `tx.commit`: enqueues the held publishes, then applies the held acks,
    /// nacks and rejects, in order. Returns the mandatory messages that
    /// reached no queue, for the server to send back with `basic.return`
    /// (312 NO_ROUTE) before `tx.commit-ok`. When a queue refused a publish
    /// (`x-overflow` `reject-publish`), the rest still commits, and then the
    /// commit fails with RabbitMQ's 406 `partial tx completion`.
    public func commit() throws(AMQPError) -> [Message] {
        guard let work = transaction else { throw .notTransactional }
        transaction = Transaction()
        var returned: [Message] = []
        var durability: DurabilityTicket?
        let refusedBefore = virtualHost.refusedEnqueues
        for publish in work.publishes {
            if publish.queues.isEmpty, publish.mandatory { returned.append(publish.message) }
            durability = .combine(durability, virtualHost.enqueue(publish.message, on: publish.queues))
        }
        commitDurability = durability
        let isPartial = virtualHost.refusedEnqueues != refusedBefore
        for (pendings, outcome) in work.settlements {
            Self.apply(outcome, to: pendings) { apply($0, outcome) }
        }
        virtualHost.scheduler.run()
        if isPartial { throw AMQPError(.preconditionFailed, "partial tx completion") }
        return returned
    }

    /// `tx.rollback`: drops the held publishes; held acks are undone, so those
    /// deliveries are outstanding again.
    public func rollback() throws(AMQPError) {
        guard let work = transaction else { throw .notTransactional }
        transaction = Transaction()
        restoreUnacked(work.settlements.flatMap(\.pendings))
    }
}
