import AMQPProtocol
import Testing
@testable import WarrenCore

@Suite struct MessageIDTests {
    @Test func idsAreFifteenSortableCharacters() {
        let early = MessageID.make(milliseconds: 1_700_000_000_000, sequence: 41)
        let later = MessageID.make(milliseconds: 1_700_000_000_000, sequence: 42)
        let muchLater = MessageID.make(milliseconds: 1_700_000_000_001, sequence: 1)
        #expect(early.utf8.count == MessageID.length)
        #expect(early < later && later < muchLater)
        #expect(MessageID.milliseconds(of: early) == 1_700_000_000_000)
        #expect(MessageID.milliseconds(of: "not an id") == nil)
    }

    @Test func messagesWithoutAnIDGetOneAndPublisherIDsAreKept() throws {
        let broker = Broker()
        broker.messageIDClock = { 1_700_000_000_000 }
        let vhost = broker.defaultVirtualHost
        try vhost.declareQueue(name: "q", owner: ConnectionID(1))
        let first = try vhost.publish(exchange: "", routingKey: "q", body: [1]).message
        let second = try vhost.publish(exchange: "", routingKey: "q", body: [2]).message
        let named = try vhost.publish(exchange: "", routingKey: "q", properties: BasicProperties(messageID: "mine"),
                                      body: [3]).message
        let firstID = try #require(first.properties.messageID)
        let secondID = try #require(second.properties.messageID)
        #expect(firstID.utf8.count == MessageID.length)
        #expect(firstID < secondID)
        #expect(named.properties.messageID == "mine")
    }

    @Test func countersFollowPublishDeliveryAndAck() throws {
        let vhost = VirtualHost()
        let owner = ConnectionID(1)
        try vhost.declareQueue(name: "q", owner: owner)
        try vhost.publish(exchange: "", routingKey: "q", body: [1])
        try vhost.publish(exchange: "", routingKey: "q", body: [2])
        let session = Session(connection: owner, virtualHost: vhost, sink: NullSink())
        let got = try #require(try vhost.get(queue: "q", session: session))
        try session.reject(deliveryTag: got.delivery.deliveryTag, requeue: true)
        let again = try #require(try vhost.get(queue: "q", session: session))
        try session.ack(deliveryTag: again.delivery.deliveryTag)
        let queue = try #require(vhost.queue(named: "q"))
        #expect(queue.counters.published == 2)
        #expect(queue.counters.delivered == 2)
        #expect(queue.counters.redelivered == 1)
        #expect(queue.counters.acknowledged == 1)
        #expect(vhost.counters == queue.counters)
    }
}

private final class NullSink: DeliverySink {
    func deliver(_ delivery: Delivery) {}
    func consumerCancelled(tag: String) {}
}

@Suite struct MessageIDEncodingTests {
    /// The id spliced into encoded properties decodes like properties encoded with it.
    @Test func idIsSplicedIntoEveryCombinationOfProperties() throws {
        let full = BasicProperties(contentType: "text/plain", contentEncoding: "gzip", headers: ["k": .string("v")],
                                   deliveryMode: 2, priority: 5, correlationID: "c", replyTo: "r", expiration: "60000",
                                   timestamp: 12, type: "t", userID: "guest", appID: "a", clusterID: "x")
        let fields: [WritableKeyPath<BasicProperties, String?>] = [\.contentType, \.correlationID, \.expiration, \.type, \.appID]
        var cases: [BasicProperties] = [.none, full, BasicProperties(deliveryMode: 2), BasicProperties(timestamp: 7)]
        for field in fields {
            var without = full
            without[keyPath: field] = nil
            cases.append(without)
        }
        for (index, properties) in cases.enumerated() {
            var scratch = ByteWriter(capacity: 0)
            let message = try VirtualHost.withEncoded(properties) { encoded, summary in
                [UInt8]([1, 2, 3]).withUnsafeBytes { body in
                    Message.make(exchange: "", routingKey: "q", encodedProperties: encoded, summary: summary, body: body,
                                 sequence: UInt64(index + 1), idClock: { 1_700_000_000_000 }, scratch: &scratch)
                }
            }
            var expected = properties
            expected.messageID = MessageID.make(milliseconds: 1_700_000_000_000, sequence: UInt64(index + 1))
            #expect(message.properties == expected, "case \(index)")
            #expect(message.body == [1, 2, 3])
            #expect(message.isPersistent == properties.isPersistent)
            #expect(message.priority == properties.priority ?? 0)
        }
    }

    /// A publisher's own message-id is kept, and its property list is stored as it came.
    @Test func aPublishersIDAndEncodingAreKept() throws {
        let properties = BasicProperties(contentType: "application/json", messageID: "order-17", appID: "shop")
        let message = try VirtualHost.withEncoded(properties) { encoded, summary in
            var scratch = ByteWriter(capacity: 0)
            return Message.make(exchange: "x", routingKey: "q", encodedProperties: encoded, summary: summary,
                                body: UnsafeRawBufferPointer(start: nil, count: 0), sequence: 1, idClock: { 5 }, scratch: &scratch)
        }
        var writer = ByteWriter(capacity: 0)
        writer.writeBasicProperties(properties)
        #expect(message.encodedProperties == writer.bytes)
        #expect(message.properties.messageID == "order-17")
    }
}
