import AMQPProtocol
import Testing
import WarrenCore

/// What the core reports to its `DurabilityLog`, with no store: exactly the durable
/// changes, and nothing at all for transient messages or transient queues.
struct DurabilityLogTests {
    final class RecordingLog: DurabilityLog {
        var events: [String] = []
        private var nextPosition: UInt64 = 0

        func definitionChanged(_ change: DurableDefinitionChange, in virtualHost: VirtualHost) {
            switch change {
            case .exchangeDeclared(let exchange): events.append("declare exchange \(exchange.name)")
            case .exchangeDeleted(let exchange): events.append("delete exchange \(exchange.name)")
            case .queueDeclared(let queue): events.append("declare queue \(queue.name)")
            case .queueDeleted(let queue): events.append("delete queue \(queue.name)")
            case .bound(let binding): events.append("bind \(binding.source) \(binding.destination.name)")
            case .unbound(let binding): events.append("unbind \(binding.source) \(binding.destination.name)")
            }
        }

        func persist(_ message: Message, on queues: [Queue], in virtualHost: VirtualHost) -> DurabilityTicket {
            nextPosition += 1
            events.append("persist \(String(decoding: message.body, as: UTF8.self)) \(queues.map(\.name).sorted())")
            return .position(nextPosition)
        }

        func removed(_ message: Message, from queue: Queue, in virtualHost: VirtualHost) {
            events.append("removed \(String(decoding: message.body, as: UTF8.self)) \(queue.name)")
        }

        func delivered(_ message: Message, from queue: Queue, in virtualHost: VirtualHost) {
            events.append("delivered \(String(decoding: message.body, as: UTF8.self)) \(queue.name)")
        }

        func purged(_ queue: Queue, in virtualHost: VirtualHost) {
            events.append("purged \(queue.name)")
        }

        func take() -> [String] {
            defer { events.removeAll() }
            return events
        }
    }

    final class Sink: DeliverySink {
        var deliveries: [Delivery] = []
        func deliver(_ delivery: Delivery) { deliveries.append(delivery) }
        func consumerCancelled(tag: String) {}
    }

    let owner = ConnectionID(1)
    let persistent = BasicProperties(deliveryMode: 2)

    private func broker() -> (Broker, VirtualHost, RecordingLog) {
        let broker = Broker()
        let log = RecordingLog()
        broker.durability = log
        return (broker, broker.defaultVirtualHost, log)
    }

    @Test func onlyDurableDefinitionsAreReported() throws {
        let (_, host, log) = broker()
        try host.declareExchange(name: "dx", type: "fanout", durable: true)
        try host.declareExchange(name: "tx", type: "fanout", durable: false)
        try host.declareQueue(name: "dq", durable: true, owner: owner)
        try host.declareQueue(name: "tq", durable: false, owner: owner)
        try host.declareQueue(name: "xq", durable: true, exclusive: true, owner: owner)
        try host.bindQueue(queue: "dq", exchange: "dx", routingKey: "", connection: owner)
        try host.bindQueue(queue: "tq", exchange: "dx", routingKey: "", connection: owner)
        try host.bindQueue(queue: "dq", exchange: "tx", routingKey: "", connection: owner)
        try host.bindExchange(destination: "dx", source: "amq.fanout", routingKey: "")
        try host.declareQueue(name: "dq", durable: true, owner: owner)  // redeclare: nothing new
        #expect(log.take() == ["declare exchange dx", "declare queue dq", "bind dx dq", "bind amq.fanout dx"])
        try host.deleteExchange(name: "dx")
        try host.deleteQueue(name: "dq", connection: owner)
        try host.deleteQueue(name: "tq", connection: owner)
        #expect(log.take() == ["unbind dx dq", "unbind amq.fanout dx", "delete exchange dx", "delete queue dq"])
    }

    @Test func persistentMessagesArePersistedOnceForTheirDurableQueuesOnly() throws {
        let (_, host, log) = broker()
        try host.declareExchange(name: "fan", type: "fanout", durable: true)
        for (name, durable) in [("d1", true), ("d2", true), ("t", false)] {
            try host.declareQueue(name: name, durable: durable, owner: owner)
            try host.bindQueue(queue: name, exchange: "fan", routingKey: "", connection: owner)
        }
        _ = log.take()
        let result = try host.publish(exchange: "fan", routingKey: "", properties: persistent, body: Array("p".utf8))
        #expect(result.durability == .position(1))
        let transient = try host.publish(exchange: "fan", routingKey: "", body: Array("t".utf8))
        #expect(transient.durability == nil)
        let onlyTransient = try host.publish(exchange: "", routingKey: "t", properties: persistent, body: Array("x".utf8))
        #expect(onlyTransient.durability == nil)
        #expect(log.take() == ["persist p [\"d1\", \"d2\"]"])
    }

    @Test func firstDeliveriesAcksRejectsAndPurgesAreReported() throws {
        let (_, host, log) = broker()
        try host.declareQueue(name: "q", durable: true, owner: owner)
        for body in ["a", "b", "c", "d", "e"] {
            try host.publish(exchange: "", routingKey: "q", properties: persistent, body: Array(body.utf8))
        }
        try host.publish(exchange: "", routingKey: "q", body: Array("transient".utf8))
        _ = log.take()
        let session = Session(connection: owner, virtualHost: host, sink: Sink())
        let a = try #require(try host.get(queue: "q", session: session)).delivery
        let b = try #require(try host.get(queue: "q", session: session)).delivery
        let c = try #require(try host.get(queue: "q", session: session)).delivery
        #expect(log.take() == ["delivered a q", "delivered b q", "delivered c q"])
        try session.ack(deliveryTag: a.deliveryTag)
        try session.nack(deliveryTag: b.deliveryTag, requeue: true)
        try session.reject(deliveryTag: c.deliveryTag, requeue: false)
        #expect(log.take() == ["removed a q", "removed c q"])
        // b was delivered before: its second delivery writes nothing; a no-ack get removes.
        let again = try #require(try host.get(queue: "q", session: session)).delivery
        #expect(again.redelivered)
        _ = try host.get(queue: "q", noAck: true, session: session)
        #expect(log.take() == ["removed d q"])
        // A purge with an unacked message removes only the ready ones.
        try host.purgeQueue(name: "q", connection: owner)
        #expect(log.take() == ["removed e q"])
        try session.ack(deliveryTag: again.deliveryTag)
        try host.publish(exchange: "", routingKey: "q", properties: persistent, body: Array("f".utf8))
        _ = log.take()
        try host.purgeQueue(name: "q", connection: owner)
        #expect(log.take() == ["purged q"])
    }

    final class ManualClock: @unchecked Sendable {
        var milliseconds: UInt64 = 1_000
        var clock: BrokerClock { BrokerClock { [unowned self] in BrokerTime(milliseconds: self.milliseconds, unixSeconds: 0) } }
    }

    @Test func expiryDropHeadAndDeadLetteringRemoveTheOriginalAndPersistTheCopy() throws {
        let (broker, host, log) = broker()
        let time = ManualClock()
        broker.clock = time.clock
        try host.declareExchange(name: "dlx", type: "fanout", durable: true)
        try host.declareQueue(name: "dead", durable: true, owner: owner)
        try host.bindQueue(queue: "dead", exchange: "dlx", routingKey: "", connection: owner)
        try host.declareQueue(name: "ttl", durable: true,
                              arguments: ["x-message-ttl": .int32(100), "x-dead-letter-exchange": .string("dlx")], owner: owner)
        try host.declareQueue(name: "short", durable: true, arguments: ["x-max-length": .int32(1)], owner: owner)
        _ = log.take()
        try host.publish(exchange: "", routingKey: "ttl", properties: persistent, body: Array("old".utf8))
        time.milliseconds += 200
        broker.expire(now: time.clock.now())
        #expect(log.take() == ["persist old [\"ttl\"]", "removed old ttl", "persist old [\"dead\"]"])
        try host.publish(exchange: "", routingKey: "short", properties: persistent, body: Array("first".utf8))
        try host.publish(exchange: "", routingKey: "short", properties: persistent, body: Array("second".utf8))
        #expect(log.take() == ["persist first [\"short\"]", "persist second [\"short\"]", "removed first short"])
    }

    @Test func aCommittedTransactionPersistsUnderAFreshSequenceAndReportsItsTicket() throws {
        let (_, host, log) = broker()
        try host.declareQueue(name: "q", durable: true, owner: owner)
        _ = log.take()
        let session = Session(connection: owner, virtualHost: host, sink: Sink())
        try session.selectTransaction()
        let held = try session.publish(exchange: "", routingKey: "q", properties: persistent, body: Array("in-tx".utf8))
        let outside = try host.publish(exchange: "", routingKey: "q", properties: persistent, body: Array("outside".utf8))
        #expect(log.take() == ["persist outside [\"q\"]"])
        _ = try session.commit()
        #expect(log.take() == ["persist in-tx [\"q\"]"])
        #expect(session.commitDurability == .position(2))
        let first = try #require(try host.get(queue: "q", noAck: true, session: session)).delivery.message
        let second = try #require(try host.get(queue: "q", noAck: true, session: session)).delivery.message
        #expect(first.body == Array("outside".utf8) && second.body == Array("in-tx".utf8))
        #expect(held.message.sequence < outside.message.sequence && outside.message.sequence < second.sequence)
    }
}
