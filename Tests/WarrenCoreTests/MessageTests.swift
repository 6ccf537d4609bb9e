import AMQPProtocol
import Testing
@testable import WarrenCore

struct MessageTests {
    @Test func keepsPropertiesInWireForm() {
        let properties = BasicProperties(contentType: "text/plain", headers: ["k": .string("v")], deliveryMode: 2,
                                         priority: 4, messageID: "id-1", timestamp: 12)
        let message = Message.make(exchange: "x", routingKey: "k", properties: properties, body: [1, 2], sequence: 9)
        #expect(message.properties == properties)
        #expect(message.isPersistent)
        #expect(message.priority == 4)
        var writer = ByteWriter()
        writer.writeBasicProperties(properties)
        #expect(message.encodedProperties == writer.bytes)
    }

    @Test func messagesWithoutPropertiesEncodeEmptyFlags() {
        let message = Message.make(exchange: "", routingKey: "q", body: [9], sequence: 1)
        #expect(message.encodedProperties == [0, 0])
        #expect(message.properties == .none)
        #expect(!message.isPersistent)
        #expect(message.body == [9])
        #expect(message.bodySize == 1)
    }

    @Test func oneAllocationHoldsPropertiesNamesAndBody() {
        let body = [UInt8](repeating: 1, count: 64)
        let message = Message.make(exchange: "amq.direct", routingKey: "orders.new",
                                   properties: BasicProperties(contentType: "text/plain", deliveryMode: 2),
                                   body: body, sequence: 1)
        #expect(message.capacity >= 14 + 10 + 10 + 64)
        // malloc may hand out a chunk up to its minimum chunk size (32 B) larger than asked.
        #expect(message.capacity < 14 + 10 + 10 + 64 + 48)
        message.withEncodedProperties { properties in
            message.withNames { exchange, routingKey in
                #expect(exchange.baseAddress == properties.baseAddress.map { $0 + 14 })
                #expect(routingKey.baseAddress == exchange.baseAddress.map { $0 + 10 })
                message.withBody { bytes in
                    #expect(properties.count == 14)
                    #expect(bytes.baseAddress == routingKey.baseAddress.map { $0 + 10 })
                    #expect(Array(bytes) == body)
                }
            }
        }
        #expect(message.exchange == "amq.direct")
        #expect(message.routingKey == "orders.new")
    }

    @Test(arguments: [("", ""), ("x", "a routing key longer than fifteen bytes"), ("ünïcödé", "ключ")])
    func namesReadBackAsPublished(exchange: String, routingKey: String) {
        let message = Message.make(exchange: exchange, routingKey: routingKey, body: [9, 8], sequence: 5)
        #expect(message.exchange == exchange)
        #expect(message.routingKey == routingKey)
        #expect(message.body == [9, 8])
        #expect(message.sequence == 5)
        #expect(message.withSequence(6).routingKey == routingKey)
    }

    @Test func namesBeyondAShortStringAreCutThere() {
        let long = String(repeating: "k", count: 300)
        let message = Message.make(exchange: long, routingKey: long, body: [1], sequence: 1)
        #expect(message.exchange.utf8.count == 255)
        #expect(message.routingKey.utf8.count == 255)
        #expect(message.body == [1])
    }

    @Test func brokerNumbersMessagesInPublishOrderAcrossVhosts() throws {
        let broker = Broker(random: SeededGenerator(seed: 3))
        let other = broker.addVirtualHost(named: "other")
        let first = try broker.defaultVirtualHost.publish(exchange: "amq.direct", routingKey: "", body: [])
        let second = try other.publish(exchange: "amq.direct", routingKey: "", body: [])
        #expect(second.message.sequence == first.message.sequence + 1)
    }

    @Test func deliveryCarriesExchangeAndKeyOfThePublish() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "amq.topic", "a.*")
        let (session, sink) = makeSession(vhost)
        try vhost.consume(queue: "q", session: session)
        try vhost.send("amq.topic", "a.b", "m")
        #expect(sink.deliveries.first?.exchange == "amq.topic")
        #expect(sink.deliveries.first?.routingKey == "a.b")
    }
}
