import AMQPProtocol
import Testing
@testable import WarrenCore

/// Per-queue and per-message TTL on a manual clock: messages expire only at
/// the head, on the timer's `expire(now:)` or when an operation meets them.
struct MessageTTLTests {
    @Test func queueTTLExpiresMessagesOnTheTimer() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q", ["x-message-ttl": .int(100)])
        try vhost.send(to: "q", "a")
        vhost.advance(clock, by: 50)
        try vhost.send(to: "q", "b")
        #expect(vhost.nextExpiryDeadline == 1_100)
        vhost.advance(clock, by: 49)
        #expect(queue.messageCount == 2)
        vhost.advance(clock, by: 1)
        #expect(vhost.readyTexts("q") == ["b"])
        #expect(vhost.nextExpiryDeadline == 1_150)
        vhost.advance(clock, by: 50)
        #expect(queue.messageCount == 0)
        #expect(vhost.nextExpiryDeadline == nil)
    }

    @Test func getNeverReturnsAnExpiredMessageAndCountsWithoutThoseBehind() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "q", "a", BasicProperties(expiration: "10"))
        try vhost.send(to: "q", "b")
        try vhost.send(to: "q", "c", BasicProperties(expiration: "5"))
        try vhost.send(to: "q", "d")
        clock.milliseconds += 20  // no timer run: get must notice by itself
        let result = try #require(try vhost.get(queue: "q", session: session))
        #expect(result.delivery.text == "b")
        #expect(result.messageCount == 1)
        #expect(try vhost.drain("q", session: session) == ["d"])
    }

    @Test func perMessageTTLExpiresOnlyAtTheHead() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q")
        try vhost.send(to: "q", "long", BasicProperties(expiration: "400"))
        try vhost.send(to: "q", "short", BasicProperties(expiration: "50"))
        vhost.advance(clock, by: 200)
        #expect(queue.messageCount == 2)
        vhost.advance(clock, by: 200)
        #expect(queue.messageCount == 0)
    }

    @Test func theShorterOfQueueAndMessageTTLApplies() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q", ["x-message-ttl": .int(100)])
        try vhost.send(to: "q", "own-shorter", BasicProperties(expiration: "30"))
        try vhost.send(to: "q", "queue-shorter", BasicProperties(expiration: "5000"))
        vhost.advance(clock, by: 30)
        #expect(vhost.readyTexts("q") == ["queue-shorter"])
        vhost.advance(clock, by: 70)
        #expect(vhost.readyTexts("q") == [])
    }

    @Test func ttlZeroIsDeliveredOnlyToAConsumerThatCanTakeItAtOnce() throws {
        let (vhost, _) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q", ["x-message-ttl": .int(0)])
        try vhost.send(to: "q", "nobody")
        #expect(queue.messageCount == 0)
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 1, global: false)
        try vhost.consume(queue: "q", session: session)
        try vhost.send(to: "q", "taken")
        try vhost.send(to: "q", "no-credit")
        #expect(sink.bodies == ["taken"])
        #expect(queue.messageCount == 0)
        try session.ack(deliveryTag: 1)
        #expect(sink.bodies == ["taken"])
    }

    @Test func expirationZeroOnAPlainQueueBehavesTheSame() throws {
        let (vhost, _) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q")
        try vhost.send(to: "q", "gone", BasicProperties(expiration: "0"))
        #expect(queue.messageCount == 0)
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", noAck: true, session: session)
        try vhost.send(to: "q", "taken", BasicProperties(expiration: "0"))
        #expect(sink.bodies == ["taken"])
    }

    @Test func aBlockedConsumerIsNeverHandedAMessageThatExpiredMeanwhile() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q", ["x-message-ttl": .int(100)])
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 1, global: false)
        try vhost.consume(queue: "q", session: session)
        for text in ["a", "b", "c"] { try vhost.send(to: "q", text) }
        clock.milliseconds += 100  // the timer has not run yet
        try session.ack(deliveryTag: 1)
        #expect(sink.bodies == ["a"])
        #expect(vhost.queue(named: "q")?.messageCount == 0)
    }

    @Test func aRequeuedMessageKeepsItsDeadline() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q", ["x-message-ttl": .int(200)])
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "q", "one")
        try vhost.send(to: "q", "two")
        _ = try vhost.get(queue: "q", session: session)
        vhost.advance(clock, by: 100)
        try vhost.send(to: "q", "three")
        vhost.advance(clock, by: 150)
        #expect(vhost.readyTexts("q") == ["three"])
        try session.nack(deliveryTag: 1)  // "one" is past its TTL: dropped, not requeued
        #expect(vhost.readyTexts("q") == ["three"])
        #expect(queue.unackedCount == 0)
    }

    @Test func aRequeuedMessageStillAliveGoesBackToItsPlace() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "q", "one", BasicProperties(expiration: "100"))
        try vhost.send(to: "q", "two")
        _ = try vhost.get(queue: "q", session: session)
        try session.reject(deliveryTag: 1)
        #expect(vhost.readyTexts("q") == ["one", "two"])
        #expect(vhost.nextExpiryDeadline == 1_100)
        vhost.advance(clock, by: 100)
        #expect(vhost.readyTexts("q") == ["two"])
    }

    @Test func aMessageRoutedToSeveralQueuesDiesInEachOnItsOwn() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("short", ["x-message-ttl": .int(10)])
        try vhost.makeQueue("long", ["x-message-ttl": .int(1000)])
        try vhost.makeQueue("plain")
        for name in ["short", "long", "plain"] { try vhost.bind(name, to: "amq.fanout") }
        try vhost.send("amq.fanout", "", "m")
        vhost.advance(clock, by: 10)
        #expect(vhost.readyTexts("short") == [])
        #expect(vhost.readyTexts("long") == ["m"])
        #expect(vhost.readyTexts("plain") == ["m"])
    }

    @Test func aPlainQueueReturnsToItsFastPathOnceItsExpiringMessagesAreGone() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q")
        #expect(!queue.usesFeaturePath)
        try vhost.send(to: "q", "m", BasicProperties(expiration: "10"))
        #expect(queue.usesFeaturePath)
        vhost.advance(clock, by: 10)
        #expect(!queue.usesFeaturePath)
        try vhost.send(to: "q", "plain")
        #expect(!queue.usesFeaturePath)
    }

    @Test func brokerExpiresEveryVhostAndReportsTheEarliestDeadline() throws {
        let broker = Broker(random: SeededGenerator(seed: 1))
        let clock = ManualClock()
        broker.clock = clock.source
        let other = broker.addVirtualHost(named: "other")
        try broker.defaultVirtualHost.declareQueue(name: "a", arguments: ["x-message-ttl": .int(300)], owner: connectionA)
        try other.declareQueue(name: "b", arguments: ["x-message-ttl": .int(100)], owner: connectionA)
        try broker.defaultVirtualHost.publish(exchange: "", routingKey: "a", body: [1])
        try other.publish(exchange: "", routingKey: "b", body: [2])
        #expect(broker.nextExpiryDeadline == 1_100)
        clock.milliseconds += 100
        #expect(broker.expire(now: clock.now) == 1_300)
        #expect(other.queue(named: "b")?.messageCount == 0)
        #expect(broker.defaultVirtualHost.queue(named: "a")?.messageCount == 1)
    }
}

struct DeadlineIndexTests {
    @Test func popsQueuesInDeadlineOrderAndSkipsStaleEntries() {
        var index = DeadlineIndex()
        let (a, b, c) = (Queue(name: "a"), Queue(name: "b"), Queue(name: "c"))
        index.note(a, deadline: 30)
        index.note(b, deadline: 10)
        index.note(c, deadline: 20)
        index.note(a, deadline: 40)  // later than indexed: ignored
        index.note(c, deadline: 5)   // earlier: the 20 entry goes stale
        #expect(index.next() == 5)
        #expect(index.popDue(now: 15) === c)
        #expect(index.popDue(now: 15) === b)
        #expect(index.popDue(now: 15) == nil)
        #expect(index.next() == 30)
        b.isDeleted = true
        index.note(b, deadline: 1)
        #expect(index.next() == 30)
        #expect(index.popDue(now: 100) === a)
        #expect(index.next() == nil)
    }

    @Test func staysSmallUnderManyEarlierNotes() {
        var index = DeadlineIndex()
        let queue = Queue(name: "q")
        for deadline in stride(from: UInt64(100_000), to: 0, by: -1) { index.note(queue, deadline: deadline) }
        #expect(index.next() == 1)
        #expect(index.popDue(now: 1) === queue)
        #expect(index.next() == nil)
    }
}

struct QueueEntryTests {
    @Test func deliveryCountSaturatesWithoutTouchingTheDeadline() {
        var entry = QueueEntry(message: Message.make(exchange: "", routingKey: "q", body: [], sequence: 1),
                               sequence: 0, deadline: 12_345)
        for _ in 0..<70_000 { entry = entry.delivered() }
        #expect(entry.deliveryCount == 65_535)
        #expect(entry.deadline == 12_345)
        #expect(entry.isRedelivered)
        #expect(!QueueEntry(message: entry.message, sequence: 0).hasDeadline)
        #expect(MemoryLayout<QueueEntry>.stride == 24)
    }
}

/// Random publishes (with and without their own TTL), gets, acks, rejects,
/// requeues and clock steps on a TTL queue that dead-letters into "dlq":
/// no message is ever handed out past its deadline, every message is in
/// exactly one place, and each dead letter says why truthfully.
struct ExpiryModelTests {
    @Test(arguments: 0..<25)
    func randomOperationsNeverDeliverExpiredMessagesAndLoseNothing(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("dlq")
        let queueTTL = UInt64.random(in: 20...200, using: &random)
        try vhost.makeQueue("q", ["x-message-ttl": .int64(Int64(queueTTL)), "x-dead-letter-exchange": .string(""),
                                  "x-dead-letter-routing-key": .string("dlq")])
        let (session, _) = makeSession(vhost)
        var deadlines: [String: UInt64] = [:]
        var unacked: [UInt64: String] = [:]
        var acked = 0
        var rejected: Set<String> = []
        var nextTag: UInt64 = 1
        for step in 0..<400 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                let id = "m\(step)"
                let own = Bool.random(using: &random) ? UInt64.random(in: 1...300, using: &random) : nil
                try vhost.send(to: "q", id, BasicProperties(expiration: own.map { "\($0)" }))
                deadlines[id] = clock.milliseconds + Swift.min(queueTTL, own ?? .max)
            case 4..<6:
                if let result = try vhost.get(queue: "q", session: session) {
                    let id = result.delivery.text
                    #expect(try #require(deadlines[id]) > clock.milliseconds, "seed \(seed): \(id) handed out expired")
                    unacked[nextTag] = id
                    nextTag += 1
                }
            case 6:
                if let tag = unacked.keys.randomElement(using: &random) {
                    try session.ack(deliveryTag: tag)
                    unacked[tag] = nil
                    acked += 1
                }
            case 7:
                if let tag = unacked.keys.randomElement(using: &random), let id = unacked.removeValue(forKey: tag) {
                    let requeue = Bool.random(using: &random)
                    try session.reject(deliveryTag: tag, requeue: requeue)
                    if !requeue { rejected.insert(id) }
                }
            default:
                let step = UInt64.random(in: 1...60, using: &random)
                if Bool.random(using: &random) { vhost.advance(clock, by: step) } else { clock.milliseconds += step }
            }
            let ready = vhost.readyTexts("q").count
            let dead = vhost.queue(named: "dlq")?.messageCount ?? 0
            #expect(ready + unacked.count + acked + dead == deadlines.count, "seed \(seed) step \(step)")
        }
        for letter in vhost.queue(named: "dlq")?.readyMessages ?? [] {
            let reason = letter.headerTable["x-first-death-reason"]
            if rejected.contains(letter.text) {
                #expect(reason == .string("rejected"), "seed \(seed)")
            } else {
                #expect(reason == .string("expired"), "seed \(seed)")
                #expect(try #require(deadlines[letter.text]) <= clock.milliseconds, "seed \(seed)")
            }
        }
    }
}
