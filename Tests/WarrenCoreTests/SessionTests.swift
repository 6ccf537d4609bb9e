import AMQPProtocol
import Testing
@testable import WarrenCore

struct SessionTests {
    /// A vhost with queue `q` holding `count` messages "1"…"count".
    func loaded(_ count: Int, queues: [String] = ["q"]) throws -> VirtualHost {
        let vhost = makeVirtualHost()
        for name in queues {
            try vhost.makeQueue(name)
            for index in 0..<count { try vhost.send("", name, "\(index + 1)") }
        }
        return vhost
    }

    @Test func deliveryTagsCountFromOnePerSession() throws {
        let vhost = try loaded(4)
        let (a, aSink) = makeSession(vhost)
        let (b, bSink) = makeSession(vhost)
        try vhost.consume(queue: "q", session: a)
        try vhost.consume(queue: "q", session: b)
        try vhost.send("", "q", "5")
        try vhost.send("", "q", "6")
        #expect(aSink.tags == [1, 2, 3, 4, 5])
        #expect(bSink.tags == [1])
    }

    @Test func consumerPrefetchLimitsEachConsumerMadeAfterIt() throws {
        let vhost = try loaded(10)
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", tag: "unlimited", session: session)
        #expect(sink.deliveries.count == 10)
        let vhost2 = try loaded(10)
        let (limited, limitedSink) = makeSession(vhost2)
        try limited.qos(prefetchCount: 3, global: false)
        try vhost2.consume(queue: "q", tag: "a", session: limited)
        try vhost2.consume(queue: "q", tag: "b", session: limited)
        #expect(limitedSink.deliveries.map(\.consumerTag) == ["a", "a", "a", "b", "b", "b"])
        try limited.ack(deliveryTag: 2)
        #expect(limitedSink.deliveries.count == 7)
        #expect(limitedSink.deliveries.last?.consumerTag == "a")
    }

    @Test func raisingConsumerPrefetchLeavesExistingConsumersAlone() throws {
        let vhost = try loaded(5)
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 1, global: false)
        try vhost.consume(queue: "q", session: session)
        try session.qos(prefetchCount: 10, global: false)
        #expect(sink.deliveries.count == 1)
    }

    @Test func globalPrefetchIsSharedByTheChannelsConsumers() throws {
        let vhost = try loaded(5, queues: ["q1", "q2"])
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 3, global: true)
        try vhost.consume(queue: "q1", tag: "a", session: session)
        try vhost.consume(queue: "q2", tag: "b", session: session)
        #expect(sink.deliveries.map(\.consumerTag) == ["a", "a", "a"])
        try session.ack(deliveryTag: 1)
        #expect(sink.deliveries.count == 4)
        try session.qos(prefetchCount: 5, global: true)
        #expect(sink.deliveries.count == 6)
        try session.ack(deliveryTag: 0, multiple: true)
        try session.ack(deliveryTag: 0, multiple: true)
        #expect(sink.deliveries.count == 10)
        #expect(sink.deliveries.filter { $0.consumerTag == "b" }.count == 5)
    }

    @Test func bothLimitsHoldWhenSetPerConsumerThenGlobal() throws {
        let vhost = try loaded(10)
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 2, global: false)
        try session.qos(prefetchCount: 3, global: true)
        try vhost.consume(queue: "q", tag: "a", session: session)
        try vhost.consume(queue: "q", tag: "b", session: session)
        #expect(sink.deliveries.map(\.consumerTag) == ["a", "a", "b"])
        try session.ack(deliveryTag: 1)
        #expect(sink.deliveries.map(\.consumerTag) == ["a", "a", "b", "a"])
        #expect(session.globalPrefetch == 3)
    }

    @Test func perConsumerQosLiftsTheGlobalLimitAsRabbitMQDoes() throws {
        let vhost = try loaded(10)
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 2, global: true)
        try vhost.consume(queue: "q", session: session)
        #expect(sink.deliveries.count == 2)
        try session.qos(prefetchCount: 4, global: false)
        #expect(session.globalPrefetch == 0)
        #expect(sink.deliveries.count == 10)
    }

    @Test func basicGetIsNotLimitedOrCountedByPrefetch() throws {
        let vhost = try loaded(5)
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 1, global: true)
        _ = try vhost.get(queue: "q", session: session)
        _ = try vhost.get(queue: "q", session: session)
        try vhost.consume(queue: "q", session: session)
        #expect(sink.deliveries.count == 1)
        #expect(session.globalUnackedCount == 1)
    }

    @Test func noAckConsumersIgnorePrefetch() throws {
        let vhost = try loaded(5)
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 1, global: true)
        try vhost.consume(queue: "q", noAck: true, session: session)
        #expect(sink.deliveries.count == 5)
        #expect(session.unackedCount == 0)
    }

    @Test func prefetchSizeIsNotImplemented() throws {
        let vhost = makeVirtualHost()
        let (session, _) = makeSession(vhost)
        #expect(throws: error(.notImplemented, "prefetch_size!=0 (10)")) {
            try session.qos(prefetchSize: 10, prefetchCount: 1, global: false)
        }
    }

    @Test func unknownOrSettledTagsArePreconditionFailures() throws {
        let vhost = try loaded(3)
        let (session, _) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        #expect(throws: error(.preconditionFailed, "unknown delivery tag 7")) { try session.ack(deliveryTag: 7) }
        try session.ack(deliveryTag: 2)
        #expect(throws: error(.preconditionFailed, "unknown delivery tag 2")) { try session.ack(deliveryTag: 2) }
        #expect(throws: error(.preconditionFailed, "unknown delivery tag 2")) {
            try session.nack(deliveryTag: 2, multiple: true)
        }
        #expect(throws: error(.preconditionFailed, "unknown delivery tag 0")) { try session.ack(deliveryTag: 0) }
        try session.ack(deliveryTag: 3, multiple: true)
        #expect(session.unackedCount == 0)
        try session.ack(deliveryTag: 0, multiple: true)
    }

    @Test func multipleSettlesEverythingUpToTheTag() throws {
        let vhost = try loaded(5)
        let (session, _) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        try session.ack(deliveryTag: 2)
        try session.nack(deliveryTag: 4, multiple: true, requeue: false)
        #expect(session.unackedCount == 1)
        #expect(vhost.queue(named: "q")?.messageCount == 0)
        try session.ack(deliveryTag: 0, multiple: true)
        #expect(vhost.queue(named: "q")?.unackedCount == 0)
    }

    @Test func nackedOutOfOrderMessagesComeBackInOriginalOrder() throws {
        let vhost = try loaded(6)
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 6, global: false)
        try vhost.consume(queue: "q", tag: "c", session: session)
        vhost.cancel(tag: "c", session: session)
        try session.nack(deliveryTag: 5)
        try session.reject(deliveryTag: 2)
        try session.nack(deliveryTag: 4, requeue: true)
        try session.ack(deliveryTag: 1)
        try session.nack(deliveryTag: 6, multiple: true)
        #expect(vhost.readyTexts("q") == ["2", "3", "4", "5", "6"])
        try vhost.consume(queue: "q", session: session)
        #expect(sink.bodies.suffix(5) == ["2", "3", "4", "5", "6"])
        #expect(sink.deliveries.suffix(5).allSatisfy { $0.redelivered })
    }

    @Test func recoverRequeuesEverythingOutstanding() throws {
        let vhost = try loaded(3)
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        try session.ack(deliveryTag: 2)
        try session.recover(requeue: true)
        #expect(sink.bodies == ["1", "2", "3", "1", "3"])
        #expect(sink.tags == [1, 2, 3, 4, 5])
        #expect(throws: error(.notImplemented, "requeue=false")) { try session.recover(requeue: false) }
    }

    @Test func closingRequeuesUnackedAndCancelsConsumers() throws {
        let vhost = try loaded(4)
        let (session, _) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        try session.ack(deliveryTag: 1)
        let (other, otherSink) = makeSession(vhost)
        try vhost.consume(queue: "q", session: other)
        #expect(otherSink.deliveries.isEmpty)
        session.close()
        #expect(session.consumers.isEmpty)
        #expect(vhost.queue(named: "q")?.consumerCount == 1)
        #expect(otherSink.bodies == ["2", "3", "4"])
        #expect(otherSink.deliveries.allSatisfy { $0.redelivered })
    }

    @Test func sinkThatAcksInsideDeliverDoesNotRecurse() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let count = 20_000
        for index in 0..<count { try vhost.send("", "q", "\(index)") }
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 1, global: false)
        sink.onDeliver = { delivery in try? session.ack(deliveryTag: delivery.deliveryTag) }
        try vhost.consume(queue: "q", session: session)
        #expect(sink.deliveries.count == count)
        #expect(session.unackedCount == 0)
    }

    @Test func sinkThatPublishesInsideDeliverDoesNotRecurse() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("ping")
        let (session, sink) = makeSession(vhost)
        var remaining = 20_000
        sink.onDeliver = { _ in
            remaining -= 1
            if remaining > 0 { _ = try? vhost.send("", "ping", "again") }
        }
        try vhost.consume(queue: "ping", noAck: true, session: session)
        try vhost.send("", "ping", "first")
        #expect(sink.deliveries.count == 20_000)
    }
}
