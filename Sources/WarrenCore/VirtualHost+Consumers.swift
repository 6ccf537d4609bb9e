import AMQPProtocol

/// What `basic.get-ok` carries.
public struct GetResult {
    public let delivery: Delivery
    /// Ready messages left in the queue.
    public let messageCount: UInt32
}

extension VirtualHost {
    /// `basic.consume` on `session`'s channel; returns the consumer tag (a
    /// server-made `amq.ctag-…` when `tag` is empty).
    ///
    /// Checks, in RabbitMQ's order: a tag already used on this channel is 530
    /// NOT_ALLOWED (a connection error); then 404 / 405 for the queue; then
    /// 403 `in exclusive use` when asking for exclusivity on a queue that has
    /// consumers, or joining a queue with an exclusive consumer.
    ///
    /// `beforeDelivery` runs once the consumer is registered and before any
    /// message goes to it: the server sends `basic.consume-ok` there, so that
    /// the client hears of the tag before its first delivery.
    @discardableResult
    public func consume(queue queueName: String, tag: String = "", noAck: Bool = false, exclusive: Bool = false,
                        arguments: FieldTable = FieldTable(), session: Session,
                        beforeDelivery: (String) -> Void = { _ in }) throws(AMQPError) -> String {
        if !tag.isEmpty, session.consumer(tagged: tag) != nil { throw .reusedConsumerTag(tag) }
        let queue = try accessibleQueue(queueName, for: session.connection)
        if queue.hasExclusiveConsumer || (exclusive && queue.consumerCount > 0) {
            throw .exclusiveConsumer(queue: queueName, vhost: self.name)
        }
        let actualTag = tag.isEmpty ? uniqueConsumerTag(in: session) : tag
        let consumer = Consumer(tag: actualTag, queue: queue, session: session, noAck: noAck, exclusive: exclusive,
                                arguments: arguments, prefetchLimit: noAck ? 0 : session.consumerPrefetch)
        queue.add(consumer)
        session.register(consumer)
        beforeDelivery(actualTag)
        scheduler.schedule(queue)
        scheduler.run()
        return actualTag
    }

    private func uniqueConsumerTag(in session: Session) -> String {
        var candidate = names.make(prefix: "amq.ctag")
        while session.consumer(tagged: candidate) != nil { candidate = names.make(prefix: "amq.ctag") }
        return candidate
    }

    /// `basic.cancel`: false when the tag is unknown, which the spec says to
    /// ignore (the server still answers cancel-ok). An auto-delete queue that
    /// loses its last consumer is deleted.
    @discardableResult
    public func cancel(tag: String, session: Session) -> Bool {
        guard let consumer = session.unregister(tag: tag) else { return false }
        detach(consumer)
        return true
    }

    /// Takes a consumer off its queue, deleting the queue if it is auto-delete and now unused.
    func detach(_ consumer: Consumer) {
        let queue = consumer.queue
        queue.remove(consumer)
        if queue.shouldAutoDelete { return removeQueue(queue) }
        if queue.consumers.isEmpty { markUsed(queue) }
    }

    /// `basic.get`: the first ready message, or nil for `basic.get-empty`.
    /// It is recorded on the session unless `noAck`; no prefetch limit applies.
    /// Expired messages at the head are dropped (or dead-lettered) first, and
    /// behind the one taken, so the count reported leaves them out.
    public func get(queue queueName: String, noAck: Bool = false, session: Session) throws(AMQPError) -> GetResult? {
        let queue = try accessibleQueue(queueName, for: session.connection)
        markUsed(queue)
        guard queue.usesFeaturePath else {
            guard let entry = queue.takeFirst() else { return nil }
            let delivery = session.deliverForGet(entry, from: queue, noAck: noAck)
            return GetResult(delivery: delivery, messageCount: UInt32(clamping: queue.messageCount))
        }
        let now = clock.now()
        queue.dropExpiredHeads(now)
        defer { scheduler.run() }
        guard let entry = queue.takeFirst() else { return nil }
        let delivery = session.deliverForGet(entry, from: queue, noAck: noAck)
        queue.dropExpiredHeads(now)
        noteDeadline(of: queue)
        return GetResult(delivery: delivery, messageCount: UInt32(clamping: queue.messageCount))
    }
}
