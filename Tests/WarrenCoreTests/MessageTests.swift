import AMQPProtocol
import Testing
@testable import WarrenCore

struct MessageTests {
    @Test func keepsPropertiesInWireForm() {
        let properties = BasicProperties(contentType: "text/plain", headers: ["k": .string("v")], deliveryMode: 2,
                                         priority: 4, messageID: "id-1", timestamp: 12)
        let message = Message(exchange: "x", routingKey: "k", properties: properties, body: [1, 2], sequence: 9)
        #expect(message.properties == properties)
        #expect(message.isPersistent)
        #expect(message.priority == 4)
        var writer = ByteWriter()
        writer.writeBasicProperties(properties)
        #expect(message.encodedProperties == writer.bytes)
    }

    @Test func messagesWithoutPropertiesShareOneEncoding() {
        let first = Message(exchange: "", routingKey: "q", body: [], sequence: 1)
        let second = Message(exchange: "", routingKey: "q", body: [], sequence: 2)
        #expect(first.encodedProperties == [0, 0])
        #expect(first.properties == .none)
        #expect(!first.isPersistent)
        first.encodedProperties.withUnsafeBufferPointer { a in
            second.encodedProperties.withUnsafeBufferPointer { b in #expect(a.baseAddress == b.baseAddress) }
        }
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
