import AMQPProtocol
import Testing
@testable import WarrenCore

struct DirectExchangeTests {
    @Test func routesOnlyOnAnExactKey() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "amq.direct", "key")
        #expect(try vhost.send("amq.direct", "key", "m").isRouted)
        #expect(try !vhost.send("amq.direct", "Key", "m").isRouted)
        #expect(try !vhost.send("amq.direct", "key.x", "m").isRouted)
        #expect(try !vhost.send("amq.direct", "", "m").isRouted)
    }

    @Test func comparesKeysAsBytesNotCanonicalText() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "amq.direct", "caf\u{E9}")
        #expect(try !vhost.send("amq.direct", "cafe\u{301}", "m").isRouted)
        #expect(try vhost.send("amq.direct", "caf\u{E9}", "m").isRouted)
    }

    @Test func routesToEveryQueueBoundWithTheKey() throws {
        let vhost = makeVirtualHost()
        for name in ["q1", "q2", "q3"] { try vhost.makeQueue(name) }
        try vhost.bind("q1", to: "amq.direct", "k")
        try vhost.bind("q2", to: "amq.direct", "k")
        try vhost.bind("q3", to: "amq.direct", "other")
        #expect(try vhost.send("amq.direct", "k", "m").queueCount == 2)
    }

    @Test func sameQueueBoundTwiceWithDifferentArgumentsGetsOneCopy() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "amq.direct", "k", arguments: ["a": .int32(1)])
        try vhost.bind("q", to: "amq.direct", "k", arguments: ["a": .int32(2)])
        #expect(vhost.exchange(named: "amq.direct")?.bindings.count == 2)
        #expect(try vhost.send("amq.direct", "k", "m").queueCount == 1)
        #expect(vhost.readyTexts("q") == ["m"])
        try vhost.unbindQueue(queue: "q", exchange: "amq.direct", routingKey: "k", arguments: ["a": .int32(1)],
                              connection: connectionA)
        #expect(try vhost.send("amq.direct", "k", "n").isRouted)
    }

    @Test func defaultExchangeRoutesByQueueName() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("orders")
        #expect(try vhost.send("", "orders", "m").isRouted)
        #expect(try !vhost.send("", "nothing", "m").isRouted)
        #expect(vhost.readyTexts("orders") == ["m"])
    }
}
