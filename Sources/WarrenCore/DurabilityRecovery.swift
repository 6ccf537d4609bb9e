import AMQPProtocol

// What the server calls at start, after reading the store, to put recovered messages
// back: the core knows nothing of the store's format, only of messages and queues.

extension Message {
    /// A message rebuilt from its stored form: the exchange and routing key it was
    /// published with, its properties in their wire encoding (kept as they are), its
    /// body, and the sequence it had (its id in the store).
    public static func restored(exchange: String, routingKey: String, encodedProperties: [UInt8], body: [UInt8],
                                sequence: UInt64) -> Message {
        var reader = ByteReader(encodedProperties)
        let properties = (try? reader.readBasicProperties()) ?? .none
        // A stored message was persistent; properties that no longer decode say nothing else.
        let isPersistent = properties == .none || properties.isPersistent
        return encodedProperties.withUnsafeBytes { encoded in
            body.withUnsafeBytes { body in
                make(exchange: exchange, routingKey: routingKey, encodedProperties: encoded, isPersistent: isPersistent,
                     priority: properties.priority ?? 0, body: body, sequence: sequence)
            }
        }
    }
}

extension VirtualHost {
    /// Puts a recovered message at the back of `queue` (recovery replays each queue in
    /// publish order). `redelivered` says it may have been delivered before the restart:
    /// it then goes out with the redelivered flag. Its TTL, if any, counts from now; a
    /// queue's limits apply as to a publish. Nothing is persisted: it came from the log.
    public func restore(_ message: Message, on queue: Queue, redelivered: Bool) {
        guard !queue.isDeleted else { return }
        queue.restore(message, redelivered: redelivered)
        if !queue.consumers.isEmpty { scheduler.schedule(queue) }
    }
}

extension Queue {
    func restore(_ message: Message, redelivered: Bool) {
        let ttl: UInt64? = switch (settings.messageTTL, message.expirationTTL) {
        case (let queueTTL?, let ownTTL?): Swift.min(queueTTL, ownTTL)
        case (let queueTTL, let ownTTL): queueTTL ?? ownTTL
        }
        var entry = if let ttl {
            QueueEntry(message: message, sequence: nextSequence, deadline: currentTime.milliseconds &+ ttl)
        } else {
            QueueEntry(message: message, sequence: nextSequence)
        }
        if redelivered { entry = entry.delivered() }
        nextSequence &+= 1
        if usesFeaturePath || entry.hasDeadline {
            requeueWithFeatures(entry)
        } else {
            ready.append(entry)
        }
    }
}

extension Broker {
    /// Makes the next message sequence higher than `id` (the highest id the store has
    /// seen), so that new messages never reuse a stored id.
    public func seedMessageSequence(above id: UInt64) {
        defaultVirtualHost.sequencer.seed(above: id)
    }
}

extension Message {
    /// The same message under another sequence (a transaction's message, persisted at
    /// commit after others published since). Copies the bytes: a slow path.
    func withSequence(_ sequence: UInt64) -> Message {
        withEncodedProperties { properties in
            withBody { body in
                Message.make(exchange: exchange, routingKey: routingKey, encodedProperties: properties,
                             isPersistent: isPersistent, priority: priority, body: body, sequence: sequence)
            }
        }
    }
}
