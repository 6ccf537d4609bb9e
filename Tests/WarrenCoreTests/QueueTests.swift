import AMQPProtocol
import Testing
@testable import WarrenCore

struct QueueTests {
    @Test func deliversRoundRobinAcrossConsumers() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (first, firstSink) = makeSession(vhost)
        let (second, secondSink) = makeSession(vhost)
        try vhost.consume(queue: "q", tag: "a", noAck: true, session: first)
        try vhost.consume(queue: "q", tag: "b", noAck: true, session: second)
        try vhost.consume(queue: "q", tag: "c", noAck: true, session: first)
        for index in 1...6 { try vhost.send("", "q", "\(index)") }
        #expect(firstSink.deliveries.map(\.consumerTag) == ["a", "c", "a", "c"])
        #expect(firstSink.bodies == ["1", "3", "4", "6"])
        #expect(secondSink.bodies == ["2", "5"])
    }

    @Test func roundRobinSkipsConsumersWithoutCredit() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (limited, limitedSink) = makeSession(vhost)
        try limited.qos(prefetchCount: 1, global: false)
        let (free, freeSink) = makeSession(vhost)
        try vhost.consume(queue: "q", session: limited)
        try vhost.consume(queue: "q", noAck: true, session: free)
        for index in 1...4 { try vhost.send("", "q", "\(index)") }
        #expect(limitedSink.bodies == ["1"])
        #expect(freeSink.bodies == ["2", "3", "4"])
    }

    @Test func messagesWaitUntilAConsumerArrives() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        for index in 1...3 { try vhost.send("", "q", "\(index)") }
        #expect(vhost.queue(named: "q")?.messageCount == 3)
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        #expect(sink.bodies == ["1", "2", "3"])
        #expect(sink.tags == [1, 2, 3])
        #expect(vhost.queue(named: "q")?.messageCount == 0)
        #expect(vhost.queue(named: "q")?.unackedCount == 3)
    }

    @Test func requeuedMessagesReturnToTheirOriginalPlaces() throws {
        let vhost = makeVirtualHost()
        let queue = try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        for index in 1...6 { try vhost.send("", "q", "\(index)") }
        for _ in 1...4 { _ = try vhost.get(queue: "q", session: session) }
        try session.nack(deliveryTag: 3)
        try session.reject(deliveryTag: 1)
        try vhost.send("", "q", "7")
        try session.nack(deliveryTag: 4)
        #expect(queue.readyMessages.map(\.text) == ["1", "3", "4", "5", "6", "7"])
        let (consumer, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", noAck: true, session: consumer)
        #expect(sink.deliveries.map(\.redelivered) == [true, true, true, false, false, false])
        try session.nack(deliveryTag: 2)
        #expect(sink.bodies.last == "2")
        #expect(sink.deliveries.last?.redelivered == true)
    }

    @Test func requeueInsertsBetweenLaterRequeues() {
        let queue = Queue(name: "q")
        var entries: [QueueEntry] = []
        for index in 0..<8 {
            queue.enqueue(Message.make(exchange: "", routingKey: "q", body: [UInt8(index)], sequence: UInt64(index)))
        }
        for _ in 0..<8 { if let entry = queue.takeFirst() { entries.append(entry) } }
        for index in [5, 1, 7, 3, 0, 6, 2, 4] { queue.requeue(entries[index].delivered()) }
        #expect(queue.readyMessages.map { $0.body[0] } == [0, 1, 2, 3, 4, 5, 6, 7])
    }

    @Test func purgeNeverTouchesUnackedMessages() throws {
        let vhost = makeVirtualHost()
        let queue = try vhost.makeQueue("q")
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 2, global: false)
        try vhost.consume(queue: "q", session: session)
        for index in 1...5 { try vhost.send("", "q", "\(index)") }
        #expect(try vhost.purgeQueue(name: "q", connection: connectionA) == 3)
        #expect(queue.unackedCount == 2)
        try session.nack(deliveryTag: 0, multiple: true)
        #expect(sink.bodies == ["1", "2", "1", "2"])
    }

    @Test func entriesStayThreeWords() {
        #expect(MemoryLayout<QueueEntry>.stride <= 24)
    }
}
