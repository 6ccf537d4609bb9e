import AMQPProtocol
import Testing
@testable import WarrenCore

/// `x-max-length`, `x-max-length-bytes` and `x-overflow`: only ready messages count.
struct MaxLengthTests {
    @Test func dropHeadKeepsTheNewestMessages() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length": .int(2)])
        for text in ["a", "b", "c", "d"] { try vhost.send(to: "q", text) }
        #expect(vhost.readyTexts("q") == ["c", "d"])
    }

    @Test func bytesCountBodiesOnlyAndAnOversizedMessageDropsItself() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length-bytes": .int(10)])
        for text in ["aaaa", "bbbb"] { try vhost.send(to: "q", text, BasicProperties(contentType: "text/plain")) }
        try vhost.send(to: "q", "cccc")
        #expect(vhost.readyTexts("q") == ["bbbb", "cccc"])
        try vhost.send(to: "q", "dddddddddddd")
        #expect(vhost.readyTexts("q") == [])
        try vhost.send(to: "q", "")
        #expect(vhost.readyTexts("q") == [""])
        #expect(vhost.queue(named: "q")?.readyBytes == 0)
    }

    @Test func unacknowledgedMessagesDoNotCount() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length": .int(1)])
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "q", "a")
        _ = try vhost.get(queue: "q", session: session)
        try vhost.send(to: "q", "b")
        #expect(vhost.readyTexts("q") == ["b"])
        try session.nack(deliveryTag: 1)  // requeued ahead of b: over the limit, so the head goes
        #expect(vhost.readyTexts("q") == ["b"])
    }

    @Test func aWaitingConsumerTakesWhatTheQueueCouldNotHold() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length": .int(0)])
        try vhost.send(to: "q", "dropped")
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 1, global: false)
        try vhost.consume(queue: "q", session: session)
        try vhost.send(to: "q", "delivered")
        try vhost.send(to: "q", "dropped too")
        #expect(sink.bodies == ["delivered"])
        #expect(vhost.queue(named: "q")?.messageCount == 0)
    }

    @Test func rejectPublishRefusesAndTheResultSaysNack() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length": .int(2), "x-overflow": .string("reject-publish")])
        try vhost.makeQueue("other")
        try vhost.bind("q", to: "amq.fanout")
        try vhost.bind("other", to: "amq.fanout")
        let results = try ["a", "b", "c"].map { try vhost.send("amq.fanout", "", $0, mandatory: true) }
        #expect(results.map(\.mustNack) == [false, false, true])
        #expect(results.map(\.mustReturn) == [false, false, false])
        #expect(vhost.readyTexts("q") == ["a", "b"])
        #expect(vhost.readyTexts("other") == ["a", "b", "c"])
        #expect(vhost.refusedEnqueues == 1)
    }

    @Test func rejectPublishRefusesEvenWithAWaitingConsumer() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length": .int(0), "x-overflow": .string("reject-publish")])
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", noAck: true, session: session)
        #expect(try vhost.send(to: "q", "m").mustNack)
        #expect(sink.bodies == [])
    }

    @Test func rejectPublishInConfirmModeCarriesTheSequence() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length-bytes": .int(3), "x-overflow": .string("reject-publish")])
        let (session, _) = makeSession(vhost)
        try session.selectConfirm()
        let first = try session.publish(exchange: "", routingKey: "q", body: Array("abc".utf8))
        let second = try session.publish(exchange: "", routingKey: "q", body: Array("d".utf8))
        #expect(first.confirmSequence == 1 && !first.mustNack)
        #expect(second.confirmSequence == 2 && second.mustNack)
    }

    @Test func aRefusedPublishFailsTheTransactionAfterTheRestCommits() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-length": .int(1), "x-overflow": .string("reject-publish")])
        let (session, _) = makeSession(vhost)
        try session.selectTransaction()
        _ = try session.publish(exchange: "", routingKey: "q", body: Array("t1".utf8))
        _ = try session.publish(exchange: "", routingKey: "q", body: Array("t2".utf8))
        #expect(throws: error(.preconditionFailed, "partial tx completion")) { try session.commit() }
        #expect(vhost.readyTexts("q") == ["t1"])
    }
}
