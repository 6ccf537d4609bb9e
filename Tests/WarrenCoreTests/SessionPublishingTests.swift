import AMQPProtocol
import Testing
@testable import WarrenCore

struct SessionPublishingTests {
    func publish(_ session: Session, _ text: String, to queue: String = "q", mandatory: Bool = false) throws -> PublishResult {
        try session.publish(exchange: "", routingKey: queue, body: Array(text.utf8), mandatory: mandatory)
    }

    @Test func confirmModeNumbersPublishesFromOne() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        #expect(try publish(session, "before").confirmSequence == nil)
        try session.selectConfirm()
        #expect(try publish(session, "a").confirmSequence == 1)
        #expect(try publish(session, "b", to: "nowhere", mandatory: true).confirmSequence == 2)
        #expect(session.nextPublishSequence == 3)
    }

    @Test func confirmAndTransactionsExcludeEachOther() throws {
        let vhost = makeVirtualHost()
        let (confirming, _) = makeSession(vhost)
        try confirming.selectConfirm()
        #expect(throws: error(.preconditionFailed, "cannot switch from confirm to tx mode")) {
            try confirming.selectTransaction()
        }
        let (transacting, _) = makeSession(vhost)
        try transacting.selectTransaction()
        try transacting.selectTransaction()
        #expect(throws: error(.preconditionFailed, "cannot switch from tx to confirm mode")) {
            try transacting.selectConfirm()
        }
    }

    @Test func commitAndRollbackNeedTxMode() throws {
        let (session, _) = makeSession(makeVirtualHost())
        #expect(throws: error(.preconditionFailed, "channel is not transactional")) { _ = try session.commit() }
        #expect(throws: error(.preconditionFailed, "channel is not transactional")) { try session.rollback() }
    }

    @Test func transactionalPublishesWaitForCommit() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        try session.selectTransaction()
        let held = try publish(session, "1")
        #expect(held.isHeldInTransaction)
        _ = try publish(session, "2")
        #expect(vhost.readyTexts("q").isEmpty)
        #expect(try session.commit().isEmpty)
        #expect(vhost.readyTexts("q") == ["1", "2"])
        _ = try publish(session, "3")
        try session.rollback()
        #expect(try session.commit().isEmpty)
        #expect(vhost.readyTexts("q") == ["1", "2"])
    }

    @Test func transactionalPublishesAreRoutedWhenPublished() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        try session.selectTransaction()
        _ = try session.publish(exchange: "amq.fanout", routingKey: "", body: [1], mandatory: true)
        try vhost.bind("q", to: "amq.fanout")
        _ = try session.publish(exchange: "amq.fanout", routingKey: "", body: [2], mandatory: true)
        let returned = try session.commit()
        #expect(returned.map(\.body) == [[1]])
        #expect(vhost.queue(named: "q")?.readyMessages.map(\.body) == [[2]])
    }

    @Test func missingExchangeFailsAtPublishEvenInATransaction() throws {
        let (session, _) = makeSession(makeVirtualHost())
        try session.selectTransaction()
        #expect(throws: error(.notFound, "no exchange 'x' in vhost '/'")) {
            _ = try session.publish(exchange: "x", routingKey: "", body: [])
        }
    }

    @Test func transactionalAcksApplyAtCommit() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        for text in ["1", "2", "3"] { try vhost.send("", "q", text) }
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 3, global: false)
        try session.selectTransaction()
        try vhost.consume(queue: "q", session: session)
        try session.ack(deliveryTag: 1)
        try session.nack(deliveryTag: 2, requeue: true)
        #expect(throws: error(.preconditionFailed, "unknown delivery tag 1")) { try session.ack(deliveryTag: 1) }
        #expect(vhost.queue(named: "q")?.unackedCount == 3)
        _ = try session.commit()
        #expect(vhost.queue(named: "q")?.unackedCount == 2)
        #expect(sink.bodies == ["1", "2", "3", "2"])
    }

    @Test func rolledBackAcksAreOutstandingAgain() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        for text in ["1", "2", "3"] { try vhost.send("", "q", text) }
        let (session, _) = makeSession(vhost)
        try session.selectTransaction()
        try vhost.consume(queue: "q", session: session)
        try session.ack(deliveryTag: 3, multiple: true)
        #expect(session.unackedCount == 0)
        try session.rollback()
        #expect(session.unackedCount == 3)
        try session.ack(deliveryTag: 2)
        _ = try session.commit()
        #expect(session.unackedCount == 2)
    }

    @Test func closingWithAnOpenTransactionRequeuesItsAcks() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        for text in ["1", "2"] { try vhost.send("", "q", text) }
        let (session, _) = makeSession(vhost)
        try session.selectTransaction()
        try vhost.consume(queue: "q", session: session)
        try session.ack(deliveryTag: 1)
        _ = try publish(session, "never")
        session.close()
        #expect(vhost.readyTexts("q") == ["1", "2"])
    }
}

/// A publish that joins a backlog its queue's consumers are working through says so,
/// so that the server serves their acks before reading more from the publisher.
struct PublishBacklogTests {
    @Test func publishJoinsABacklogOnlyWhenConsumersAreBehind() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (publisher, _) = makeSession(vhost)
        func publish() throws -> PublishResult {
            try publisher.publish(exchange: "", routingKey: "q", body: [1])
        }
        // No consumer: a deep queue is storage, not a backlog.
        for _ in 0..<Queue.backlogThreshold + 10 { #expect(try publish().joinedBacklog == false) }
        let (consumer, sink) = makeSession(vhost)
        try consumer.qos(prefetchCount: 1, global: false)
        try vhost.consume(queue: "q", session: consumer)
        #expect(sink.deliveries.count == 1)
        #expect(try publish().joinedBacklog)
        _ = try vhost.purgeQueue(name: "q", connection: connectionA)
        #expect(try publish().joinedBacklog == false)
    }

    /// Acks cannot help a consumer that needs none, nor one whose connection stopped reading.
    @Test(arguments: [true, false])
    func consumersThatWaitForNoAckDoNotMakeABacklog(noAck: Bool) throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (publisher, _) = makeSession(vhost)
        let (consumer, _) = makeSession(vhost)
        try vhost.consume(queue: "q", noAck: noAck, session: consumer)
        consumer.isDeliveryPaused = true  // its connection's output is full
        for _ in 0..<Queue.backlogThreshold + 10 {
            #expect(try publisher.publish(exchange: "", routingKey: "q", body: [1]).joinedBacklog == false)
        }
    }
}
