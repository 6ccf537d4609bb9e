import AMQPProtocol
import Testing
@testable import WarrenCore

/// `x-expires`: a queue unused that long (no consumers, no `basic.get`, no
/// redeclaration) is deleted, messages and all, none dead-lettered.
struct QueueExpiryTests {
    @Test func anUnusedQueueIsDeletedWhenItsLeaseRunsOut() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("dead")
        try vhost.makeQueue("q", ["x-expires": .int(300), "x-dead-letter-exchange": .string(""),
                                  "x-dead-letter-routing-key": .string("dead")])
        try vhost.send(to: "q", "kept?")
        #expect(vhost.nextExpiryDeadline == 1_300)
        vhost.advance(clock, by: 299)
        #expect(vhost.queue(named: "q") != nil)
        vhost.advance(clock, by: 1)
        #expect(vhost.queue(named: "q") == nil)
        #expect(vhost.readyTexts("dead") == [])
        #expect(vhost.nextExpiryDeadline == nil)
    }

    @Test func publishingDoesNotCountAsUse() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q", ["x-expires": .int(100)])
        vhost.advance(clock, by: 60)
        try vhost.send(to: "q", "m")
        vhost.advance(clock, by: 40)
        #expect(vhost.queue(named: "q") == nil)
    }

    @Test func getAndRedeclarationsRenewTheLease() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q", ["x-expires": .int(100)])
        let (session, _) = makeSession(vhost)
        vhost.advance(clock, by: 80)
        _ = try vhost.get(queue: "q", session: session)
        vhost.advance(clock, by: 80)
        try vhost.declareQueue(name: "q", passive: true, owner: connectionA)
        vhost.advance(clock, by: 80)
        try vhost.declareQueue(name: "q", arguments: ["x-expires": .int(100)], owner: connectionA)
        vhost.advance(clock, by: 99)
        #expect(vhost.queue(named: "q") != nil)
        vhost.advance(clock, by: 1)
        #expect(vhost.queue(named: "q") == nil)
    }

    @Test func aQueueWithConsumersNeverExpiresAndTheLeaseRestartsWhenTheLastLeaves() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q", ["x-expires": .int(100)])
        let (session, _) = makeSession(vhost)
        let first = try vhost.consume(queue: "q", session: session)
        let second = try vhost.consume(queue: "q", session: session)
        vhost.advance(clock, by: 500)
        #expect(vhost.queue(named: "q") != nil)
        vhost.cancel(tag: first, session: session)
        vhost.advance(clock, by: 500)
        #expect(vhost.queue(named: "q") != nil)
        vhost.cancel(tag: second, session: session)
        vhost.advance(clock, by: 99)
        #expect(vhost.queue(named: "q") != nil)
        vhost.advance(clock, by: 1)
        #expect(vhost.queue(named: "q") == nil)
    }

    @Test func unackedDeliveriesOfAnExpiredQueueAreSimplyForgotten() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q", ["x-expires": .int(100)])
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "q", "m")
        _ = try vhost.get(queue: "q", session: session)
        vhost.advance(clock, by: 100)
        #expect(vhost.queue(named: "q") == nil)
        try session.nack(deliveryTag: 1)
        try vhost.makeQueue("q")
        #expect(vhost.readyTexts("q") == [])
    }
}
