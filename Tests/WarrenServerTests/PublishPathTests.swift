import AMQPProtocol
import Testing
@testable import WarrenServer

/// The undecoded publish path (`PublishAssembler`): properties reach consumers as
/// sent, bodies split over frames and interleaved across channels come out whole.
@Suite struct PublishPathTests {
    static let everyProperty = BasicProperties(
        contentType: "application/json", contentEncoding: "gzip",
        headers: ["n": .int64(-7), "t": .table(["deep": .string("x")]), "a": .array([.boolean(true), .int8(1)])],
        deliveryMode: 2, priority: 4, correlationID: "corr", replyTo: "amq.rabbitmq.reply-to", expiration: "60000",
        timestamp: 1_700_000_000, type: "order", userID: "guest", appID: "shop", clusterID: "c1")

    @Test func everyPropertyReachesTheConsumerAsSent() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue, noAck: true)
            var withID = Self.everyProperty
            withID.messageID = "order-17"
            client.publish([1], routingKey: queue, properties: withID)
            client.publish([2], routingKey: queue, properties: Self.everyProperty)
            let kept = try client.expectContent()
            #expect(kept.properties == withID)
            let stamped = try client.expectContent()
            var expected = Self.everyProperty
            expected.messageID = stamped.properties.messageID
            #expect(stamped.properties == expected)
            #expect(stamped.properties.messageID?.utf8.count == 15)
        }
    }

    @Test func bodyFramesOfOneMessageJoinAcrossChannelsAndReads() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.openChannel(2)
            try client.consume(queue, noAck: true)
            func method(_ channel: UInt16) -> [UInt8] {
                var writer = ByteWriter()
                writer.writeMethodFrame(channel: channel, .basicPublish(BasicPublish(routingKey: queue)))
                return writer.bytes
            }
            let long = Array("one body in three frames".utf8)
            client.sendBytes(method(1))
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(bodySize: UInt64(long.count)))
            client.sendFrame(type: 3, channel: 1, payload: Array(long[0..<4]))
            client.publish(Array("whole".utf8), routingKey: queue, channel: 2)  // between channel 1's frames
            client.sendFrame(type: 3, channel: 1, payload: Array(long[4..<10]))
            client.sendFrame(type: 3, channel: 1, payload: Array(long[10...]))
            #expect(try client.expectDelivery().body == Array("whole".utf8))
            #expect(try client.expectDelivery().body == long)
            // An empty body needs no body frame.
            client.sendBytes(method(1))
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(bodySize: 0))
            #expect(try client.expectDelivery().body == [])
        }
    }
}

extension RawAMQPClient {
    /// The next basic.deliver's content on `channel`.
    func expectContent(channel: UInt16 = 1) throws -> Content {
        let incoming = try next {
            if case .content(channel, let content) = $0, case .basicDeliver = content.method { true } else { false }
        }
        guard case .content(_, let content) = incoming else { throw ReadError.unexpected("\(incoming)") }
        return content
    }
}
