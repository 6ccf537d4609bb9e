import AMQPProtocol
import Testing
@testable import WarrenCore

struct VirtualHostConsumersTests {
    @Test func emptyTagGetsAServerTag() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        let tag = try vhost.consume(queue: "q", session: session)
        #expect(tag.hasPrefix("amq.ctag-"))
        #expect(tag.utf8.count == "amq.ctag-".utf8.count + 22)
        #expect(session.consumer(tagged: tag) != nil)
    }

    @Test func reusingATagOnTheChannelIsNotAllowed() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        try vhost.consume(queue: "q", tag: "c", session: session)
        #expect(throws: error(.notAllowed, "attempt to reuse consumer tag 'c'")) {
            try vhost.consume(queue: "missing", tag: "c", session: session)
        }
        let (other, _) = makeSession(vhost)
        try vhost.consume(queue: "q", tag: "c", session: other)
    }

    @Test func consumingFromAMissingQueueIsNotFound() {
        let vhost = makeVirtualHost()
        let (session, _) = makeSession(vhost)
        #expect(throws: error(.notFound, "no queue 'q' in vhost '/'")) { try vhost.consume(queue: "q", session: session) }
    }

    @Test func exclusiveConsumerNeedsTheQueueToItself() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        let inUse = error(.accessRefused, "queue 'q' in vhost '/' in exclusive use")
        try vhost.consume(queue: "q", tag: "first", session: session)
        #expect(throws: inUse) { try vhost.consume(queue: "q", tag: "x", exclusive: true, session: session) }
        vhost.cancel(tag: "first", session: session)
        try vhost.consume(queue: "q", tag: "x", exclusive: true, session: session)
        #expect(throws: inUse) { try vhost.consume(queue: "q", tag: "y", session: session) }
    }

    @Test func consumeOKComesBeforeTheFirstDelivery() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.send("", "q", "waiting")
        let (session, sink) = makeSession(vhost)
        var deliveriesAtConsumeOK = -1
        try vhost.consume(queue: "q", tag: "c", session: session) { tag in
            #expect(tag == "c")
            deliveriesAtConsumeOK = sink.deliveries.count
        }
        #expect(deliveriesAtConsumeOK == 0)
        #expect(sink.bodies == ["waiting"])
    }

    @Test func cancellingAnUnknownTagIsIgnored() {
        let vhost = makeVirtualHost()
        let (session, _) = makeSession(vhost)
        #expect(!vhost.cancel(tag: "nope", session: session))
    }

    @Test func autoDeleteQueueGoesWithItsLastConsumer() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", autoDelete: true)
        let (session, _) = makeSession(vhost)
        try vhost.consume(queue: "q", tag: "a", session: session)
        try vhost.consume(queue: "q", tag: "b", session: session)
        vhost.cancel(tag: "a", session: session)
        #expect(vhost.queue(named: "q") != nil)
        vhost.cancel(tag: "b", session: session)
        #expect(vhost.queue(named: "q") == nil)
    }

    @Test func autoDeleteQueueWithoutConsumersYetStays() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", autoDelete: true)
        let (session, _) = makeSession(vhost)
        try vhost.send("", "q", "m")
        _ = try vhost.get(queue: "q", session: session)
        session.close()
        #expect(vhost.queue(named: "q") != nil)
        #expect(vhost.readyTexts("q") == ["m"])
    }

    @Test func closingTheSessionAutoDeletesItsQueues() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", autoDelete: true)
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        session.close()
        #expect(vhost.queue(named: "q") == nil)
        #expect(sink.cancelledTags.isEmpty)
    }

    @Test func getReturnsTheFirstMessageAndTheRemainingCount() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        #expect(try vhost.get(queue: "q", session: session) == nil)
        try vhost.send("", "q", "1")
        try vhost.send("", "q", "2")
        let first = try #require(try vhost.get(queue: "q", session: session))
        #expect(first.delivery.text == "1")
        #expect(first.delivery.deliveryTag == 1)
        #expect(first.messageCount == 1)
        #expect(!first.delivery.redelivered)
        let second = try #require(try vhost.get(queue: "q", noAck: true, session: session))
        #expect(second.delivery.deliveryTag == 2)
        #expect(session.unackedCount == 1)
        try session.reject(deliveryTag: 1)
        let again = try #require(try vhost.get(queue: "q", session: session))
        #expect(again.delivery.redelivered)
        #expect(again.delivery.deliveryTag == 3)
    }
}
