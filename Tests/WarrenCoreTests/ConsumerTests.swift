import Testing
@testable import WarrenCore

struct ConsumerTests {
    @Test func creditFollowsOwnAndChannelLimits() throws {
        let vhost = makeVirtualHost()
        let queue = try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        let limited = Consumer(tag: "l", queue: queue, session: session, noAck: false, exclusive: false,
                               arguments: [:], prefetchLimit: 2)
        let free = Consumer(tag: "f", queue: queue, session: session, noAck: true, exclusive: false,
                            arguments: [:], prefetchLimit: 0)
        #expect(limited.hasCredit)
        limited.unackedCount = 2
        #expect(!limited.hasCredit)
        #expect(free.hasCredit)
        limited.unackedCount = 0
        try session.qos(prefetchCount: 1, global: true)
        session.deliver(QueueEntry(message: Message.make(exchange: "", routingKey: "q", body: [], sequence: 1), sequence: 0),
                        from: queue, to: limited)
        #expect(!limited.hasCredit)
        #expect(free.hasCredit)
    }

    @Test func noAckConsumersIgnoreTheChannelPrefetch() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        try session.qos(prefetchCount: 5, global: false)
        try vhost.consume(queue: "q", tag: "n", noAck: true, session: session)
        #expect(session.consumer(tagged: "n")?.prefetchLimit == 0)
        try vhost.consume(queue: "q", tag: "a", session: session)
        #expect(session.consumer(tagged: "a")?.prefetchLimit == 5)
    }
}
