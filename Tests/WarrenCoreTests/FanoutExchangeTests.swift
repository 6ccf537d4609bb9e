import AMQPProtocol
import Testing
@testable import WarrenCore

struct FanoutExchangeTests {
    @Test func routesToEveryBoundQueueWhateverTheKey() throws {
        let vhost = makeVirtualHost()
        for name in ["a", "b", "c"] {
            try vhost.makeQueue(name)
            try vhost.bind(name, to: "amq.fanout", name)
        }
        #expect(try vhost.send("amq.fanout", "anything", "m").queueCount == 3)
    }

    @Test func allQueuesShareOneMessage() throws {
        let vhost = makeVirtualHost()
        for name in ["a", "b"] {
            try vhost.makeQueue(name)
            try vhost.bind(name, to: "amq.fanout")
        }
        try vhost.send("amq.fanout", "", "shared")
        let first = try #require(vhost.queue(named: "a")?.readyMessages.first)
        let second = try #require(vhost.queue(named: "b")?.readyMessages.first)
        #expect(first === second)
    }

    @Test func unboundQueueNoLongerReceives() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("a")
        try vhost.bind("a", to: "amq.fanout", "x")
        try vhost.unbindQueue(queue: "a", exchange: "amq.fanout", routingKey: "x", connection: connectionA)
        #expect(try !vhost.send("amq.fanout", "", "m").isRouted)
    }
}
