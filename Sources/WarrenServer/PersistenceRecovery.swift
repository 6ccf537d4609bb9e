import AMQPProtocol
import WarrenCore
import WarrenStore

/// Rebuilds the broker from what the store recovered, at start: exchanges, queues and
/// bindings with their arguments, then each durable queue's messages in publish order
/// with their redelivered flags. Runs on the loop thread before any connection.
///
/// Definitions are replayed while the broker has no durability log, so nothing is
/// logged again (the store compacted its log at open). The log is installed before the
/// messages go back, so that a recovered message a queue drops at once (its TTL ran
/// out, the queue is over its length limit) is recorded as gone.
struct RecoveryReplay {
    let persistence: Persistence
    let broker: Broker
    let state: RecoveredState
    let log: @Sendable (String) -> Void
    /// The owner recovered queues are declared for: no connection (none is exclusive).
    private static let owner = ConnectionID(0)

    func run() {
        for note in state.notes { log("recovery: \(note.kind): \(note)") }
        var queuesByKey: [String: (VirtualHost, Queue)] = [:]
        restoreExchanges()
        for definition in state.definitions.queues where !definition.flags.contains(.exclusive) {
            if let restored = restoreQueue(definition) { queuesByKey[restored.key] = (restored.host, restored.queue) }
        }
        restoreBindings()
        broker.seedMessageSequence(above: state.highestMessageID)
        broker.durability = persistence
        restoreMessages(into: &queuesByKey)
    }

    private func restoreExchanges() {
        for definition in state.definitions.exchanges {
            let host = broker.addVirtualHost(named: definition.vhost)
            do throws(AMQPError) {
                try host.declareExchange(name: definition.name, type: definition.type, durable: true,
                                         autoDelete: definition.flags.contains(.autoDelete),
                                         internal: definition.flags.contains(.internal),
                                         arguments: try Persistence.decode(definition.arguments))
            } catch {
                log("recovery: exchange '\(definition.name)' in vhost '\(definition.vhost)' not restored: \(error)")
            }
        }
    }

    private func restoreQueue(_ definition: QueueDefinition) -> (key: String, host: VirtualHost, queue: Queue)? {
        let host = broker.addVirtualHost(named: definition.vhost)
        do throws(AMQPError) {
            try host.declareQueue(name: definition.name, durable: true, autoDelete: definition.flags.contains(.autoDelete),
                                  arguments: try Persistence.decode(definition.arguments), owner: Self.owner)
        } catch {
            log("recovery: queue '\(definition.name)' in vhost '\(definition.vhost)' not restored: \(error)")
            return nil
        }
        guard let queue = host.queue(named: definition.name) else { return nil }
        let key = MessageStore.queueKey(vhost: definition.vhost, queue: definition.name)
        persistence.remember(queue, key: key)
        return (key, host, queue)
    }

    private func restoreBindings() {
        for binding in state.definitions.bindings {
            let host = broker.addVirtualHost(named: binding.vhost)
            do throws(AMQPError) {
                let arguments = try Persistence.decode(binding.arguments)
                switch binding.destinationKind {
                case .queue:
                    try host.bindQueue(queue: binding.destination, exchange: binding.source, routingKey: binding.routingKey,
                                       arguments: arguments, connection: Self.owner)
                case .exchange:
                    try host.bindExchange(destination: binding.destination, source: binding.source,
                                          routingKey: binding.routingKey, arguments: arguments)
                }
            } catch {
                log("recovery: binding '\(binding.source)' -> '\(binding.destination)' in vhost '\(binding.vhost)' not restored: \(error)")
            }
        }
    }

    /// Each queue's messages, in id order. A message held by several queues is rebuilt
    /// once and shared, as when it was published. Messages of a key with no queue
    /// definition (its declaration was lost to damage) go back to a plain durable queue
    /// of that name rather than be dropped; keys that name nothing are reclaimed.
    private func restoreMessages(into queuesByKey: inout [String: (VirtualHost, Queue)]) {
        var shared: [UInt64: Message] = [:]
        let mayShare = state.queues.count > 1
        var restored = 0
        for (key, messages) in state.queues.sorted(by: { $0.key < $1.key }) {
            guard let (host, queue) = queuesByKey[key] ?? redeclareOrphan(key) else {
                log("recovery: \(messages.count) messages of unknown queue key '\(key)' dropped")
                persistence.forget(storeKey: key)
                continue
            }
            queuesByKey[key] = (host, queue)
            for entry in messages {
                let stored = entry.message
                let message: Message
                if mayShare, let known = shared[stored.id] {
                    message = known
                } else {
                    message = Message.restored(exchange: stored.exchange, routingKey: stored.routingKey,
                                               encodedProperties: stored.properties, body: stored.body, sequence: stored.id)
                    if mayShare { shared[stored.id] = message }
                }
                host.restore(message, on: queue, redelivered: entry.redelivered)
                restored += 1
            }
        }
        if restored > 0 || !state.definitions.queues.isEmpty {
            log("recovery: \(state.definitions.exchanges.count) exchanges, \(state.definitions.queues.count) queues, "
                + "\(state.definitions.bindings.count) bindings, \(restored) messages")
        }
    }

    /// The queue a store key names (`MessageStore.queueKey`: "<vhost length>:<vhost>/<queue>"),
    /// declared durable with no arguments; nil when the key does not parse.
    private func redeclareOrphan(_ key: String) -> (VirtualHost, Queue)? {
        let bytes = Array(key.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
              let length = Int(String(decoding: bytes[..<colon], as: UTF8.self)),
              length >= 0, colon + 1 + length < bytes.count, bytes[colon + 1 + length] == UInt8(ascii: "/") else { return nil }
        let vhost = String(decoding: bytes[(colon + 1)..<(colon + 1 + length)], as: UTF8.self)
        let name = String(decoding: bytes[(colon + 2 + length)...], as: UTF8.self)
        let host = broker.addVirtualHost(named: vhost)
        do throws(AMQPError) {
            try host.declareQueue(name: name, durable: true, owner: Self.owner)
        } catch {
            return nil
        }
        guard let queue = host.queue(named: name), queue.isDurable else { return nil }
        persistence.remember(queue, key: key)
        log("recovery: queue '\(name)' in vhost '\(vhost)' had messages but no definition; declared again (durable, no arguments)")
        return (host, queue)
    }
}
