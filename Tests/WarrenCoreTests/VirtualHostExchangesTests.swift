import AMQPProtocol
import Testing
@testable import WarrenCore

struct VirtualHostExchangesTests {
    @Test func startsWithTheBuiltInExchanges() {
        let vhost = makeVirtualHost()
        #expect(vhost.exchanges.map(\.name) == [
            "", "amq.direct", "amq.fanout", "amq.headers", "amq.match", "amq.rabbitmq.trace", "amq.topic",
        ])
        #expect(vhost.exchange(named: "amq.match")?.type == .headers)
        #expect(vhost.exchange(named: "amq.rabbitmq.trace")?.isInternal == true)
    }

    @Test func unknownTypeIsAPreconditionFailure() {
        let vhost = makeVirtualHost()
        #expect(throws: error(.preconditionFailed, "unknown exchange type 'foo'")) {
            try vhost.declareExchange(name: "x", type: "foo")
        }
    }

    @Test func defaultExchangeCannotBeDeclaredDeletedOrBound() throws {
        let vhost = makeVirtualHost()
        let refused = error(.accessRefused, "operation not permitted on the default exchange")
        #expect(throws: refused) { try vhost.declareExchange(name: "", type: "direct") }
        #expect(throws: refused) { try vhost.declareExchange(name: "", type: "direct", passive: true) }
        #expect(throws: refused) { try vhost.deleteExchange(name: "") }
        try vhost.makeQueue("q")
        #expect(throws: refused) { try vhost.bind("q", to: "", "q") }
        #expect(throws: refused) {
            try vhost.unbindQueue(queue: "q", exchange: "", routingKey: "q", connection: connectionA)
        }
        #expect(throws: refused) { try vhost.bindExchange(destination: "", source: "amq.direct", routingKey: "") }
        #expect(throws: refused) { try vhost.bindExchange(destination: "amq.direct", source: "", routingKey: "") }
    }

    @Test func amqPrefixIsReservedForNewExchangesOnly() throws {
        let vhost = makeVirtualHost()
        #expect(throws: error(.accessRefused, "exchange name 'amq.mine' contains reserved prefix 'amq.*'")) {
            try vhost.declareExchange(name: "amq.mine", type: "direct")
        }
        try vhost.declareExchange(name: "amq.direct", type: "direct", durable: true)
        try vhost.declareExchange(name: "amq.topic", type: "topic", passive: true)
    }

    @Test func redeclaringWithDifferentPropertiesIsInequivalent() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "x", type: "direct")
        try vhost.declareExchange(name: "x", type: "direct")
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'type' for exchange 'x' in vhost '/': received 'topic' but current is 'direct'")) {
            try vhost.declareExchange(name: "x", type: "topic")
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'durable' for exchange 'x' in vhost '/': received 'true' but current is 'false'")) {
            try vhost.declareExchange(name: "x", type: "direct", durable: true)
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'auto_delete' for exchange 'x' in vhost '/': received 'true' but current is 'false'")) {
            try vhost.declareExchange(name: "x", type: "direct", autoDelete: true)
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'internal' for exchange 'x' in vhost '/': received 'true' but current is 'false'")) {
            try vhost.declareExchange(name: "x", type: "direct", internal: true)
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'durable' for exchange 'amq.direct' in vhost '/': received 'false' but current is 'true'")) {
            try vhost.declareExchange(name: "amq.direct", type: "direct")
        }
    }

    @Test func onlyTheAlternateExchangeArgumentIsCompared() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "x", type: "fanout", arguments: ["alternate-exchange": .string("ae")])
        try vhost.declareExchange(name: "x", type: "fanout",
                                  arguments: ["alternate-exchange": .string("ae"), "other": .int32(1)])
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received none but current is the value 'ae' of type 'longstr'")) {
            try vhost.declareExchange(name: "x", type: "fanout")
        }
        #expect(throws: error(.preconditionFailed,
                              "inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received 'be' but current is 'ae'")) {
            try vhost.declareExchange(name: "x", type: "fanout", arguments: ["alternate-exchange": .string("be")])
        }
        #expect(throws: error(.preconditionFailed,
                              "invalid type 'signedint' for arg 'alternate-exchange' in exchange 'y' in vhost '/'")) {
            try vhost.declareExchange(name: "y", type: "fanout", arguments: ["alternate-exchange": .int32(1)])
        }
    }

    @Test func passiveDeclareOfAMissingExchangeIsNotFound() {
        let vhost = makeVirtualHost()
        #expect(throws: error(.notFound, "no exchange 'missing' in vhost '/'")) {
            try vhost.declareExchange(name: "missing", type: "whatever", passive: true)
        }
    }

    @Test func deletingAMissingExchangeSucceeds() throws {
        let vhost = makeVirtualHost()
        try vhost.deleteExchange(name: "never-was")
    }

    @Test func systemExchangesCannotBeDeleted() {
        let vhost = makeVirtualHost()
        #expect(throws: error(.accessRefused, "deletion of system exchange 'amq.direct' in vhost '/' not allowed")) {
            try vhost.deleteExchange(name: "amq.direct")
        }
    }

    @Test func ifUnusedRefusesAnExchangeWithBindings() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "x", type: "fanout")
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "x")
        #expect(throws: error(.preconditionFailed, "exchange 'x' in vhost '/' in use")) {
            try vhost.deleteExchange(name: "x", ifUnused: true)
        }
        try vhost.deleteExchange(name: "x")
        #expect(vhost.exchange(named: "x") == nil)
        #expect(vhost.queue(named: "q")?.incomingBindings.isEmpty == true)
    }

    @Test func beingABindingDestinationIsNotUse() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "x", type: "fanout")
        try vhost.bindExchange(destination: "x", source: "amq.fanout", routingKey: "")
        try vhost.deleteExchange(name: "x", ifUnused: true)
        #expect(vhost.exchange(named: "amq.fanout")?.bindings.isEmpty == true)
    }

    @Test func bindingToMissingExchangesNamesTheSourceFirst() throws {
        let vhost = makeVirtualHost()
        #expect(throws: error(.notFound, "no exchange 'src' in vhost '/'")) {
            try vhost.bindExchange(destination: "dst", source: "src", routingKey: "")
        }
        #expect(throws: error(.notFound, "no exchange 'dst' in vhost '/'")) {
            try vhost.bindExchange(destination: "dst", source: "amq.direct", routingKey: "")
        }
        try vhost.unbindExchange(destination: "dst", source: "src", routingKey: "")
    }

    @Test func autoDeleteExchangeGoesWithItsLastBinding() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "auto", type: "fanout", autoDelete: true)
        try vhost.makeQueue("q1")
        try vhost.makeQueue("q2")
        try vhost.bind("q1", to: "auto")
        try vhost.bind("q2", to: "auto")
        try vhost.unbindQueue(queue: "q1", exchange: "auto", routingKey: "", connection: connectionA)
        #expect(vhost.exchange(named: "auto") != nil)
        try vhost.deleteQueue(name: "q2", connection: connectionA)
        #expect(vhost.exchange(named: "auto") == nil)
    }

    @Test func autoDeleteCascadesThroughExchangeBindings() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "outer", type: "fanout", autoDelete: true)
        try vhost.declareExchange(name: "inner", type: "fanout", autoDelete: true)
        try vhost.bindExchange(destination: "inner", source: "outer", routingKey: "")
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "inner")
        try vhost.deleteQueue(name: "q", connection: connectionA)
        #expect(vhost.exchange(named: "inner") == nil)
        #expect(vhost.exchange(named: "outer") == nil)
    }

    @Test func autoDeleteExchangeWithoutBindingsYetStays() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "auto", type: "fanout", autoDelete: true)
        try vhost.unbindQueue(queue: "none", exchange: "auto", routingKey: "", connection: connectionA)
        #expect(vhost.exchange(named: "auto") != nil)
    }
}
