import AMQPProtocol
import Testing
@testable import WarrenServer

/// §9: connection.tune-ok values, with RabbitMQ's texts, and the frame size
/// limits before and after tune-ok.
@Suite struct TuneNegotiationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var channelMax: UInt16 = 2047
        var frameMax: UInt32 = 131_072
        var text: String
        var testDescription: String { "channel_max \(channelMax), frame_max \(frameMax)" }
    }

    static let refused: [Case] = [
        Case(frameMax: 4095,
             text: "NOT_ALLOWED - negotiated frame_max = 4095 is lower than the minimum allowed value (4096)"),
        Case(frameMax: 1,
             text: "NOT_ALLOWED - negotiated frame_max = 1 is lower than the minimum allowed value (4096)"),
        Case(frameMax: 0,
             text: "NOT_ALLOWED - negotiated frame_max = 0 is higher than the maximum allowed value (131072)"),
        Case(frameMax: 131_073,
             text: "NOT_ALLOWED - negotiated frame_max = 131073 is higher than the maximum allowed value (131072)"),
        Case(channelMax: 0,
             text: "NOT_ALLOWED - negotiated channel_max = 0 (no limit) is higher than the maximum allowed value (2047)"),
        Case(channelMax: 2048,
             text: "NOT_ALLOWED - negotiated channel_max = 2048 is higher than the maximum allowed value (2047)"),
        Case(channelMax: 0, frameMax: 0,  // frame_max is checked first, as in RabbitMQ
             text: "NOT_ALLOWED - negotiated frame_max = 0 is higher than the maximum allowed value (131072)"),
    ]

    @Test(arguments: refused)
    func outOfRangeTuneOkIs530NamingConnectionTune(_ refusal: Case) throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            _ = try client.startOk()
            client.send(.connectionTuneOk(ConnectionTuneOk(channelMax: refusal.channelMax, frameMax: refusal.frameMax,
                                                           heartbeat: 0)))
            try expectConnectionClosed(client, code: .notAllowed, text: refusal.text, classID: 10, methodID: 30)
        }
    }

    @Test func tuneProposesTheConfiguredLimits() throws {
        try withBroker({ $0.channelMax = 64; $0.frameMax = 8192; $0.heartbeat = 7 }) { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk()
            #expect(tune.channelMax == 64)
            #expect(tune.frameMax == 8192)
            #expect(tune.heartbeat == 7)
        }
    }

    /// With frame_max 4096, a body is split to fit both ways, and a body
    /// frame whose payload is exactly 4096 octets is still accepted.
    @Test func smallestFrameMaxIsAcceptedAndBodiesFitIt() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk()
            client.tuneOk(channelMax: tune.channelMax, frameMax: 4096)  // also limits what the client accepts
            try client.open()
            try client.openChannel(1)
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue, noAck: true)
            let body = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
            client.publish(body, routingKey: queue)
            #expect(try client.expectDelivery().body == body)

            let full = [UInt8](repeating: 7, count: 4096)
            client.send(.basicPublish(BasicPublish(routingKey: queue)), channel: 1)
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(bodySize: 4096))
            client.sendFrame(type: 3, channel: 1, payload: full)
            #expect(try client.expectDelivery().body == full)
        }
    }

    @Test func frameLargerThanTheNegotiatedFrameMaxIs501() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk()
            client.tuneOk(channelMax: tune.channelMax, frameMax: 4096)
            try client.open()
            try client.openChannel(1)
            client.sendFrame(type: 1, channel: 1, payload: [UInt8](repeating: 0, count: 4097))
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test func frameLargerThan4096BeforeTuneOkIs501() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            let padding = String(repeating: "x", count: 5000)
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: ["padding": .string(padding)], mechanism: "PLAIN",
                response: RawAMQPClient.plainResponse(user: "guest", password: "guest"), locale: "en_US")))
            try expectConnectionClosed(client, code: .frameError)
        }
    }
}
