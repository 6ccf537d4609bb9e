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

/// The assembler on its own: a multi-frame body is joined, and a large one's
/// buffer is not kept by the channel afterwards.
@Suite struct PublishAssemblerTests {
    @Test func largeBodiesAreJoinedAndTheirBufferIsNotKept() throws {
        var assembler = PublishAssembler(maximumBodySize: 1 << 26)
        let size = 3 << 20
        var header = ByteWriter()
        ContentHeader(bodySize: UInt64(size), properties: BasicProperties(deliveryMode: 2)).encode(to: &header)
        try assembler.begin(BasicPublish(routingKey: "q"))
        #expect(try assembler.header(header.bytes[...]) == nil)
        let chunk = [UInt8](repeating: 7, count: size / 3)
        #expect(try assembler.body(chunk[...]) == nil)
        #expect(try assembler.body(chunk[...]) == nil)
        let publish = try #require(try assembler.body(chunk[...]))
        #expect(publish.body.count == size)
        #expect(publish.summary.deliveryMode == 2)
        #expect(publish.method.routingKey == "q")
        #expect(assembler.heldCapacity < 1 << 20)
        #expect(!assembler.isAssembling)
    }

    @Test func framesOutOfSequenceAreRefusedAsContentAssemblerRefusesThem() throws {
        var assembler = PublishAssembler(maximumBodySize: 100)
        #expect(throws: ContentAssembler.expectedMethodFrame) { _ = try assembler.body([1][...]) }
        try assembler.begin(BasicPublish())
        #expect(throws: ContentAssembler.expectedHeaderFrame(classID: 60)) { _ = try assembler.body([1][...]) }
        #expect(throws: ContentAssembler.expectedHeaderFrame(classID: 60)) { try assembler.begin(BasicPublish()) }
        var header = ByteWriter()
        ContentHeader(bodySize: 101, properties: .none).encode(to: &header)
        #expect(throws: AMQPError(.preconditionFailed, "message size 101 is larger than configured max size 100")) {
            _ = try assembler.header(header.bytes[...])
        }
    }
}
