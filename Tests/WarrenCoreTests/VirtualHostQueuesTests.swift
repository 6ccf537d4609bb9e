import AMQPProtocol
import Testing
@testable import WarrenCore

struct VirtualHostQueuesTests {
    @Test func emptyNameGetsAServerName() throws {
        let vhost = makeVirtualHost()
        let result = try vhost.declareQueue(name: "", exclusive: true, owner: connectionA)
        #expect(result.name.hasPrefix("amq.gen-"))
        #expect(result.name.utf8.count == "amq.gen-".utf8.count + 22)
        let suffix = result.name.dropFirst("amq.gen-".count)
        #expect(suffix.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(try vhost.declareQueue(name: "", owner: connectionA).name != result.name)
    }

    @Test func declareReportsCounts() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.send("", "q", "1")
        try vhost.send("", "q", "2")
        let (session, _) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        try vhost.send("", "q", "3")
        let result = try vhost.declareQueue(name: "q", owner: connectionA)
        #expect(result == QueueDeclareResult(name: "q", messageCount: 0, consumerCount: 1))
        #expect(session.unackedCount == 3)
    }

    @Test func amqPrefixIsReservedEvenForExistingNames() {
        let vhost = makeVirtualHost()
        #expect(throws: error(.accessRefused, "queue name 'amq.q' contains reserved prefix 'amq.*'")) {
            try vhost.declareQueue(name: "amq.q", owner: connectionA)
        }
    }

    @Test func passiveDeclareOfAMissingQueueIsNotFound() {
        let vhost = makeVirtualHost()
        #expect(throws: error(.notFound, "no queue 'q' in vhost '/'")) {
            try vhost.declareQueue(name: "q", passive: true, owner: connectionA)
        }
    }

    static let locked = error(.resourceLocked,
                              "cannot obtain exclusive access to locked queue 'q' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.")

    @Test func exclusiveQueueIsLockedToItsConnection() throws {
        let vhost = makeVirtualHost()
        try vhost.declareQueue(name: "q", exclusive: true, owner: connectionA)
        try vhost.declareQueue(name: "q", exclusive: true, owner: connectionA)
        try vhost.declareQueue(name: "q", passive: true, owner: connectionA)
        #expect(throws: Self.locked) { try vhost.declareQueue(name: "q", exclusive: true, owner: connectionB) }
        #expect(throws: Self.locked) { try vhost.declareQueue(name: "q", passive: true, owner: connectionB) }
        #expect(throws: Self.locked) { try vhost.declareQueue(name: "q", owner: connectionA) }
        #expect(throws: Self.locked) { try vhost.purgeQueue(name: "q", connection: connectionB) }
        #expect(throws: Self.locked) { try vhost.deleteQueue(name: "q", connection: connectionB) }
        #expect(throws: Self.locked) {
            try vhost.bindQueue(queue: "q", exchange: "amq.direct", routingKey: "", connection: connectionB)
        }
        let (other, _) = makeSession(vhost, connection: connectionB)
        #expect(throws: Self.locked) { try vhost.consume(queue: "q", session: other) }
        #expect(throws: Self.locked) { try vhost.get(queue: "q", session: other) }
    }

    @Test func declaringAnExistingQueueExclusiveIsLocked() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        #expect(throws: Self.locked) { try vhost.declareQueue(name: "q", exclusive: true, owner: connectionA) }
    }

    @Test func exclusiveQueuesAreNeverDurable() throws {
        let vhost = makeVirtualHost()
        try vhost.declareQueue(name: "q", durable: true, exclusive: true, owner: connectionA)
        #expect(vhost.queue(named: "q")?.isDurable == false)
        try vhost.declareQueue(name: "q", durable: true, exclusive: true, owner: connectionA)
    }

    @Test func redeclaringWithDifferentFlagsIsInequivalent() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true' but current is 'false'")) {
            try vhost.declareQueue(name: "q", durable: true, owner: connectionA)
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'auto_delete' for queue 'q' in vhost '/': received 'true' but current is 'false'")) {
            try vhost.declareQueue(name: "q", autoDelete: true, owner: connectionA)
        }
    }

    @Test func redeclaringWithDifferentArgumentsIsInequivalent() throws {
        let vhost = makeVirtualHost()
        try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .int32(1000)], owner: connectionA)
        try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .int64(1000), "x-custom": .int32(1)],
                               owner: connectionA)
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '2000' but current is '1000'")) {
            try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .int32(2000)], owner: connectionA)
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received none but current is the value '1000' of type 'signedint'")) {
            try vhost.declareQueue(name: "q", owner: connectionA)
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'x-max-length' for queue 'q' in vhost '/': received the value '5' of type 'long' but current is none")) {
            try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .int32(1000), "x-max-length": .int64(5)],
                                   owner: connectionA)
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '1000' but current is '1000'")) {
            try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .string("1000")], owner: connectionA)
        }
    }

    @Test func classicQueueTypeEqualsNoQueueType() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.declareQueue(name: "q", arguments: ["x-queue-type": .string("classic")], owner: connectionA)
    }

    @Test func deleteReportsReadyMessagesAndHonoursConditions() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.send("", "q", "1")
        #expect(throws: error(.preconditionFailed, "queue 'q' in vhost '/' not empty")) {
            try vhost.deleteQueue(name: "q", ifUnused: true, ifEmpty: true, connection: connectionA)
        }
        _ = try vhost.purgeQueue(name: "q", connection: connectionA)
        let (session, _) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        #expect(throws: error(.preconditionFailed, "queue 'q' in vhost '/' in use")) {
            try vhost.deleteQueue(name: "q", ifUnused: true, ifEmpty: true, connection: connectionA)
        }
        vhost.cancel(tag: session.consumers[0].tag, session: session)
        try vhost.send("", "q", "2")
        try vhost.send("", "q", "3")
        #expect(try vhost.deleteQueue(name: "q", connection: connectionA) == 2)
        #expect(vhost.queue(named: "q") == nil)
        #expect(try vhost.deleteQueue(name: "q", connection: connectionA) == 0)
    }

    @Test func deletingAQueueCancelsItsConsumersThroughTheirSinks() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, sink) = makeSession(vhost)
        let tag = try vhost.consume(queue: "q", tag: "c1", session: session)
        try vhost.deleteQueue(name: "q", connection: connectionA)
        #expect(sink.cancelledTags == [tag])
        #expect(session.consumers.isEmpty)
        try vhost.makeQueue("q")
        try vhost.consume(queue: "q", tag: "c1", session: session)
    }

    @Test func bindingNamesTheMissingExchangeOrQueue() throws {
        let vhost = makeVirtualHost()
        #expect(throws: error(.notFound, "no exchange 'x' in vhost '/'")) { try vhost.bind("q", to: "x") }
        #expect(throws: error(.notFound, "no queue 'q' in vhost '/'")) { try vhost.bind("q", to: "amq.direct") }
        try vhost.unbindQueue(queue: "q", exchange: "x", routingKey: "", connection: connectionA)
    }

    @Test func bindingTwiceIsOneBinding() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "amq.direct", "k", arguments: ["b": .int32(1), "a": .int32(2)])
        try vhost.bind("q", to: "amq.direct", "k", arguments: ["a": .int32(2), "b": .int32(1)])
        #expect(vhost.exchange(named: "amq.direct")?.bindings.count == 1)
    }

    @Test func closingAConnectionDeletesItsExclusiveQueues() throws {
        let vhost = makeVirtualHost()
        try vhost.declareQueue(name: "mine", exclusive: true, owner: connectionA)
        try vhost.declareQueue(name: "theirs", exclusive: true, owner: connectionB)
        try vhost.declareQueue(name: "shared", owner: connectionA)
        try vhost.bindQueue(queue: "mine", exchange: "amq.fanout", routingKey: "", connection: connectionA)
        vhost.connectionClosed(connectionA)
        #expect(vhost.queues.map(\.name) == ["shared", "theirs"])
        #expect(vhost.exchange(named: "amq.fanout")?.bindings.isEmpty == true)
    }

    @Test func purgeCountsOnlyReadyMessages() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        for text in ["1", "2", "3"] { try vhost.send("", "q", text) }
        let (session, _) = makeSession(vhost)
        _ = try vhost.get(queue: "q", session: session)
        #expect(try vhost.purgeQueue(name: "q", connection: connectionA) == 2)
        #expect(vhost.queue(named: "q")?.unackedCount == 1)
        try session.nack(deliveryTag: 1)
        #expect(vhost.readyTexts("q") == ["1"])
    }
}
