import AMQPProtocol
import Testing
@testable import WarrenCore

/// Routing across exchanges: exchange-to-exchange bindings, cycles,
/// deduplication and alternate exchanges.
struct RouteCollectorTests {
    @Test func followsExchangeToExchangeBindingsWithTheOriginalKey() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "front", type: "topic")
        try vhost.declareExchange(name: "back", type: "direct")
        try vhost.bindExchange(destination: "back", source: "front", routingKey: "orders.*")
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "back", "orders.new")
        #expect(try vhost.send("front", "orders.new", "m").isRouted)
        #expect(try !vhost.send("front", "orders.old", "m").isRouted)
    }

    @Test func cyclesEndAndEachQueueGetsOneCopy() throws {
        let vhost = makeVirtualHost()
        for name in ["x", "y", "z"] { try vhost.declareExchange(name: name, type: "fanout") }
        try vhost.bindExchange(destination: "y", source: "x", routingKey: "")
        try vhost.bindExchange(destination: "z", source: "y", routingKey: "")
        try vhost.bindExchange(destination: "x", source: "z", routingKey: "")
        try vhost.bindExchange(destination: "x", source: "x", routingKey: "")
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "x")
        try vhost.bind("q", to: "y")
        try vhost.bind("q", to: "z")
        for source in ["x", "y", "z"] { #expect(try vhost.send(source, "", source).queueCount == 1) }
        #expect(vhost.readyTexts("q") == ["x", "y", "z"])
    }

    @Test func diamondReachesTheQueueOnce() throws {
        let vhost = makeVirtualHost()
        for name in ["top", "left", "right"] { try vhost.declareExchange(name: name, type: "fanout") }
        try vhost.bindExchange(destination: "left", source: "top", routingKey: "")
        try vhost.bindExchange(destination: "right", source: "top", routingKey: "")
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "left")
        try vhost.bind("q", to: "right")
        #expect(try vhost.send("top", "", "m").queueCount == 1)
    }

    @Test func internalExchangeReceivesOnlyThroughBindings() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "inner", type: "fanout", internal: true)
        try vhost.bindExchange(destination: "inner", source: "amq.fanout", routingKey: "")
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "inner")
        #expect(throws: error(.accessRefused, "cannot publish to internal exchange 'inner' in vhost '/'")) {
            try vhost.send("inner", "", "m")
        }
        #expect(try vhost.send("amq.fanout", "", "m").isRouted)
    }

    @Test func alternateExchangeTakesWhatMatchesNothing() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "unrouted", type: "fanout")
        try vhost.declareExchange(name: "main", type: "direct", arguments: ["alternate-exchange": .string("unrouted")])
        try vhost.makeQueue("good")
        try vhost.makeQueue("lost")
        try vhost.bind("good", to: "main", "ok")
        try vhost.bind("lost", to: "unrouted")
        try vhost.send("main", "ok", "1")
        try vhost.send("main", "nope", "2")
        #expect(vhost.readyTexts("good") == ["1"])
        #expect(vhost.readyTexts("lost") == ["2"])
    }

    @Test func publishingToAMissingExchangeIsNotFound() throws {
        let vhost = makeVirtualHost()
        #expect(throws: error(.notFound, "no exchange 'nowhere' in vhost '/'")) {
            try vhost.send("nowhere", "", "m")
        }
    }

    @Test func mandatoryUnroutableMustBeReturned() throws {
        let vhost = makeVirtualHost()
        #expect(try vhost.send("amq.direct", "k", "m", mandatory: true).mustReturn)
        #expect(try !vhost.send("amq.direct", "k", "m", mandatory: false).mustReturn)
    }

    @Test func durableConfirmNeedsPersistentMessageAndDurableQueue() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("d", durable: true)
        let persistent = BasicProperties(deliveryMode: 2)
        #expect(try vhost.publish(exchange: "", routingKey: "d", properties: persistent, body: []).needsDurableConfirm)
        #expect(try !vhost.publish(exchange: "", routingKey: "d", body: []).needsDurableConfirm)
        try vhost.makeQueue("t")
        #expect(try !vhost.publish(exchange: "", routingKey: "t", properties: persistent, body: []).needsDurableConfirm)
    }
}
