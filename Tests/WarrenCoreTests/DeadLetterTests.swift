import AMQPProtocol
import Testing
@testable import WarrenCore

/// Dead-lettering: what triggers it, the copy it republishes, and the
/// `x-death` header, entry by entry as RabbitMQ 3.10 writes it (checked
/// against a live broker with the same steps).
struct DeadLetterTests {
    /// q dead-letters through `exchange` (with `routingKey` if given) into "dlq", bound to amq.fanout when that is the exchange.
    private func setUp(_ arguments: FieldTable = [:], exchange: String = "amq.fanout",
                       routingKey: String? = nil) throws -> (VirtualHost, ManualClock, Session) {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("dlq")
        if exchange == "amq.fanout" { try vhost.bind("dlq", to: "amq.fanout") }
        var arguments = arguments
        arguments["x-dead-letter-exchange"] = .string(exchange)
        if let routingKey { arguments["x-dead-letter-routing-key"] = .string(routingKey) }
        try vhost.makeQueue("q", arguments)
        let (session, _) = makeSession(vhost)
        return (vhost, clock, session)
    }

    private func deadLetters(_ vhost: VirtualHost) -> [Message] { vhost.queue(named: "dlq")?.readyMessages ?? [] }

    private func death(_ count: Int64, _ reason: String, _ queue: String, time: UInt64 = 1_700_000_000,
                       exchange: String = "", keys: [String], originalExpiration: String? = nil) -> FieldValue {
        var entries = [FieldTable.Entry("count", .int64(count)), FieldTable.Entry("reason", .string(reason)),
                       FieldTable.Entry("queue", .string(queue)), FieldTable.Entry("time", .timestamp(time)),
                       FieldTable.Entry("exchange", .string(exchange)),
                       FieldTable.Entry("routing-keys", .array(keys.map { .string($0) }))]
        if let originalExpiration { entries.append(FieldTable.Entry("original-expiration", .string(originalExpiration))) }
        return .table(FieldTable(entries))
    }

    @Test func aRejectedMessageIsRepublishedWithItsFirstDeath() throws {
        let (vhost, _, session) = try setUp()
        try vhost.send(to: "q", "m", BasicProperties(headers: ["h": .int(1)], deliveryMode: 2, priority: 3))
        _ = try vhost.get(queue: "q", session: session)
        try session.reject(deliveryTag: 1, requeue: false)
        let copy = try #require(deadLetters(vhost).first)
        #expect(copy.text == "m")
        #expect(copy.exchange == "amq.fanout")
        #expect(copy.routingKey == "q")
        #expect(copy.isPersistent && copy.priority == 3)
        #expect(copy.headerTable == FieldTable([
            FieldTable.Entry("h", .int(1)),
            FieldTable.Entry("x-death", .array([death(1, "rejected", "q", keys: ["q"])])),
            FieldTable.Entry("x-first-death-exchange", .string("")),
            FieldTable.Entry("x-first-death-queue", .string("q")),
            FieldTable.Entry("x-first-death-reason", .string("rejected")),
        ]))
    }

    @Test func requeueTrueNeverDeadLettersAndNackMultipleKeepsOrder() throws {
        let (vhost, _, session) = try setUp()
        for text in ["m0", "m1", "m2"] { try vhost.send(to: "q", text) }
        for _ in 0..<3 { _ = try vhost.get(queue: "q", session: session) }
        try session.nack(deliveryTag: 1, requeue: true)
        #expect(deadLetters(vhost).isEmpty)
        _ = try vhost.get(queue: "q", session: session)
        try session.nack(deliveryTag: 4, multiple: true, requeue: false)
        #expect(deadLetters(vhost).map(\.text) == ["m1", "m2", "m0"])
    }

    @Test func expiryDropsTheExpirationAndKeepsItAsOriginalExpiration() throws {
        let (vhost, clock, _) = try setUp(["x-message-ttl": .int(100_000)])
        try vhost.send(to: "q", "m", BasicProperties(headers: ["h": .int(1), "CC": .array([.string("cc1")])],
                                                     expiration: "20"))
        clock.unixSeconds = 1_700_000_005
        vhost.advance(clock, by: 20)
        let copy = try #require(deadLetters(vhost).first)
        #expect(copy.properties.expiration == nil)
        #expect(copy.headerTable.names == ["CC", "h", "x-death", "x-first-death-exchange", "x-first-death-queue",
                                           "x-first-death-reason"])
        #expect(copy.headerTable["x-death"] == .array([death(1, "expired", "q", time: 1_700_000_005,
                                                            keys: ["q", "cc1"], originalExpiration: "20")]))
    }

    @Test func aDeadLetterRoutingKeyReplacesTheKeysAndDropsCC() throws {
        let (vhost, clock, _) = try setUp(["x-message-ttl": .int(10)], exchange: "amq.direct", routingKey: "rk2")
        try vhost.bind("dlq", to: "amq.direct", "rk2")
        try vhost.bind("q", to: "amq.topic", "t.#")
        try vhost.publish(exchange: "amq.topic", routingKey: "t.x", properties: BasicProperties(headers: ["CC": .array([.string("t.y")])]),
                          body: Array("m".utf8))
        vhost.advance(clock, by: 10)
        let copy = try #require(deadLetters(vhost).first)
        #expect(copy.exchange == "amq.direct")
        #expect(copy.routingKey == "rk2")
        #expect(copy.headerTable.names == ["x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason"])
        #expect(copy.headerTable["x-death"] == .array([death(1, "expired", "q", exchange: "amq.topic", keys: ["t.x", "t.y"])]))
        #expect(copy.headerTable["x-first-death-exchange"] == .string("amq.topic"))
    }

    @Test func maxLengthDeadLettersTheDroppedHead() throws {
        let (vhost, _, _) = try setUp(["x-max-length": .int(1)])
        try vhost.send(to: "q", "a")
        try vhost.send(to: "q", "b")
        #expect(deadLetters(vhost).map(\.text) == ["a"])
        #expect(deadLetters(vhost).first?.headerTable["x-first-death-reason"] == .string("maxlen"))
    }

    @Test func rejectPublishDeadLetterRefusesAndDeadLettersTheNewMessage() throws {
        let (vhost, _, _) = try setUp(["x-max-length": .int(1), "x-overflow": .string("reject-publish-dlx")])
        let results = try ["s0", "s1", "s2"].map { try vhost.send(to: "q", $0) }
        #expect(results.map(\.mustNack) == [false, true, true])
        #expect(vhost.readyTexts("q") == ["s0"])
        #expect(deadLetters(vhost).map(\.text) == ["s1", "s2"])
        #expect(deadLetters(vhost).first?.headerTable["x-first-death-reason"] == .string("maxlen"))
    }

    @Test func aSecondDeathForTheSameQueueAndReasonOnlyRaisesItsCount() throws {
        let (vhost, clock, _) = try setUp(["x-message-ttl": .int(10)])
        let earlier = death(1, "expired", "q", time: 1000, exchange: "", keys: ["q"])
        try vhost.send(to: "q", "m", BasicProperties(headers: ["x-death": .array([earlier]), "keep": .string("y")],
                                                     expiration: "5"))
        vhost.advance(clock, by: 10)
        let copy = try #require(deadLetters(vhost).first)
        // Updated in place (time and keys of the first), moved to the front, fields sorted; no x-first-death-*.
        #expect(copy.headerTable == FieldTable([
            FieldTable.Entry("keep", .string("y")),
            FieldTable.Entry("x-death", .array([.table(FieldTable([
                FieldTable.Entry("count", .int64(2)), FieldTable.Entry("exchange", .string("")),
                FieldTable.Entry("queue", .string("q")), FieldTable.Entry("reason", .string("expired")),
                FieldTable.Entry("routing-keys", .array([.string("q")])), FieldTable.Entry("time", .timestamp(1000)),
            ]))])),
        ]))
    }

    @Test func aRetryLoopCountsEachQueueAndReasonApart() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("work", ["x-dead-letter-exchange": .string(""), "x-dead-letter-routing-key": .string("wait")])
        try vhost.makeQueue("wait", ["x-message-ttl": .int(10), "x-dead-letter-exchange": .string(""),
                                     "x-dead-letter-routing-key": .string("work")])
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "work", "job")
        var tag: UInt64 = 0
        for _ in 0..<2 {
            tag += 1
            _ = try vhost.get(queue: "work", session: session)
            try session.reject(deliveryTag: tag, requeue: false)
            vhost.advance(clock, by: 10)
        }
        let copy = try #require(vhost.queue(named: "work")?.readyMessages.first)
        let sorted = { (count: Int64, reason: String, queue: String) -> FieldValue in
            .table(FieldTable([
                FieldTable.Entry("count", .int64(count)), FieldTable.Entry("exchange", .string("")),
                FieldTable.Entry("queue", .string(queue)), FieldTable.Entry("reason", .string(reason)),
                FieldTable.Entry("routing-keys", .array([.string(queue)])),
                FieldTable.Entry("time", .timestamp(1_700_000_000)),
            ]))
        }
        #expect(copy.headerTable["x-death"] == .array([sorted(2, "expired", "wait"), sorted(2, "rejected", "work")]))
        #expect(copy.headerTable["x-first-death-reason"] == .string("rejected"))
        #expect(copy.headerTable["x-first-death-queue"] == .string("work"))
    }

    @Test func anAutomaticCycleBackToTheSameQueueIsDropped() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        let selfCycle = try vhost.makeQueue("self", ["x-message-ttl": .int(10), "x-dead-letter-exchange": .string(""),
                                                     "x-dead-letter-routing-key": .string("self")])
        let first = try vhost.makeQueue("e1", ["x-message-ttl": .int(10), "x-dead-letter-exchange": .string(""),
                                               "x-dead-letter-routing-key": .string("e2")])
        let second = try vhost.makeQueue("e2", ["x-message-ttl": .int(10), "x-dead-letter-exchange": .string(""),
                                                "x-dead-letter-routing-key": .string("e1")])
        try vhost.send(to: "self", "s")
        try vhost.send(to: "e1", "e")
        vhost.advance(clock, by: 10)
        #expect(selfCycle.messageCount == 0)
        #expect(second.messageCount == 1)
        vhost.advance(clock, by: 10)
        #expect(first.messageCount == 0 && second.messageCount == 0)
    }

    @Test func aCycleWithARejectionIsNotACycle() throws {
        let (vhost, _) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q", ["x-dead-letter-exchange": .string(""), "x-dead-letter-routing-key": .string("q")])
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "q", "m")
        for tag: UInt64 in 1...3 {
            _ = try vhost.get(queue: "q", session: session)
            try session.reject(deliveryTag: tag, requeue: false)
        }
        let copy = try #require(queue.readyMessages.first)
        guard case .array(let deaths)? = copy.headerTable["x-death"], case .table(let entry)? = deaths.first else {
            Issue.record("no x-death")
            return
        }
        #expect(entry["count"] == .int64(3))
    }

    @Test func cycleDetectionFollowsRabbitMQsWalk() {
        let expired = { (queue: String) -> FieldValue in .table(["queue": .string(queue), "reason": .string("expired")]) }
        let rejected = { (queue: String) -> FieldValue in .table(["queue": .string(queue), "reason": .string("rejected")]) }
        #expect(XDeath.isCycle("a", deaths: [expired("b"), expired("a")]))
        #expect(!XDeath.isCycle("a", deaths: [expired("b"), rejected("c"), expired("a")]))
        #expect(!XDeath.isCycle("a", deaths: [rejected("a")]))
        #expect(!XDeath.isCycle("a", deaths: [expired("b")]))
        #expect(!XDeath.isCycle("a", deaths: [.string("junk"), expired("a")]))
        #expect(!XDeath.isCycle("a", deaths: [.table(["queue": .byteArray(Array("a".utf8)), "reason": .string("expired")])]))
    }

    @Test func aMissingDeadLetterExchangeDropsTheMessage() throws {
        let (vhost, _) = makeTimedVirtualHost()
        let queue = try vhost.makeQueue("q", ["x-dead-letter-exchange": .string("missing")])
        let (session, _) = makeSession(vhost)
        try vhost.send(to: "q", "m")
        _ = try vhost.get(queue: "q", session: session)
        try session.reject(deliveryTag: 1, requeue: false)
        #expect(queue.messageCount == 0 && queue.unackedCount == 0)
    }

    @Test func anXDeathThatIsNotAnArrayIsReplaced() {
        var headers: FieldTable = ["x-death": .string("mangled by a client")]
        let info = [FieldTable.Entry("reason", .string("rejected")), FieldTable.Entry("queue", .string("q"))]
        let deaths = XDeath.record(info, queue: "q", reason: "rejected", exchange: "", in: &headers)
        #expect(deaths == [.table(FieldTable([FieldTable.Entry("count", .int64(1))] + info))])
        #expect(headers["x-first-death-queue"] == nil)
    }

    @Test func duplicateEntriesFromOldBrokersAreGroupedFirst() {
        let old = FieldValue.table(["queue": .string("q"), "reason": .string("expired")])
        var headers: FieldTable = ["x-death": .array([old, old, .table(["queue": .string("r"), "reason": .string("expired")])])]
        let info = [FieldTable.Entry("reason", .string("rejected")), FieldTable.Entry("queue", .string("q"))]
        let deaths = XDeath.record(info, queue: "q", reason: "expired", exchange: "", in: &headers)
        #expect(deaths.count == 2)
        #expect(deaths.first == .table(FieldTable([FieldTable.Entry("count", .int64(3)), FieldTable.Entry("queue", .string("q")),
                                                   FieldTable.Entry("reason", .string("expired"))])))
    }

    @Test func deadLettersChainThroughQueuesWithTheirOwnFeatures() throws {
        let (vhost, clock) = makeTimedVirtualHost()
        try vhost.makeQueue("first", ["x-message-ttl": .int(10), "x-dead-letter-exchange": .string(""),
                                      "x-dead-letter-routing-key": .string("second")])
        try vhost.makeQueue("second", ["x-max-length": .int(1), "x-dead-letter-exchange": .string(""),
                                       "x-dead-letter-routing-key": .string("third")])
        try vhost.makeQueue("third", ["x-max-priority": .int(5)])
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "third", noAck: true, session: session)
        try vhost.send(to: "first", "a", BasicProperties(priority: 1))
        try vhost.send(to: "first", "b", BasicProperties(priority: 4))
        vhost.advance(clock, by: 10)
        #expect(vhost.readyTexts("second") == ["b"])
        #expect(sink.bodies == ["a"])
        guard case .array(let deaths)? = sink.deliveries.first?.message.headerTable["x-death"] else {
            Issue.record("no x-death")
            return
        }
        #expect(deaths.count == 2)
        #expect(sink.deliveries.first?.redelivered == false)
    }
}
