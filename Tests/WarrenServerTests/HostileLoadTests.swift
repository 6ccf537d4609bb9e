import AMQPProtocol
import Glibc
import Testing
@testable import WarrenServer

/// Peers that misbehave at scale. None of this may crash the server, leak
/// its connections, or disturb the bystander.
@Suite struct HostileLoadTests {
    /// A small seeded generator, so that a failure can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Everything a client sends from the first octet to its first publish, pipelined.
    static var fullHandshake: [UInt8] {
        var writer = ByteWriter()
        writer.writeBytes(protocolHeader)
        writer.writeMethodFrame(channel: 0, .connectionStartOk(ConnectionStartOk(
            clientProperties: ["product": .string("hostile")], mechanism: "PLAIN",
            response: RawAMQPClient.plainResponse(user: "guest", password: "guest"), locale: "en_US")))
        writer.writeMethodFrame(channel: 0, .connectionTuneOk(ConnectionTuneOk(channelMax: 16, frameMax: 131_072)))
        writer.writeMethodFrame(channel: 0, .connectionOpen(ConnectionOpen(virtualHost: "/")))
        writer.writeMethodFrame(channel: 1, .channelOpen(ChannelOpen()))
        writer.writeMethodFrame(channel: 1, .queueDeclare(QueueDeclare(queue: "", exclusive: true)))
        writer.writeContent(channel: 1, .basicPublish(BasicPublish(routingKey: "nowhere")), properties: .none,
                            body: Array("hello".utf8), frameMax: 131_072)
        return writer.bytes
    }

    /// The reply codes of the connection.close frames in `bytes`.
    static func connectionCloseCodes(in bytes: [UInt8]) -> [UInt16] {
        var splitter = FrameSplitter(maximumFrameSize: 1 << 20)
        splitter.append(bytes)
        var codes: [UInt16] = []
        while let raw = try? splitter.next(), let frame = try? Frame(raw) {
            if case .method(0, .connectionClose(let close)) = frame { codes.append(close.replyCode) }
        }
        return codes
    }

    @Test func twoHundredConnectionsDroppedMidHandshakeLeaveNothingBehind() throws {
        try withBroker { broker in
            var random = SplitMix64(state: 0x5EED)
            let script = Self.fullHandshake
            var open: [RawAMQPClient] = []
            for index in 0..<200 {
                let client = try broker.client(timeout: 1)
                let cut = Int.random(in: 0...script.count, using: &random)
                var sent = 0
                while sent < cut {  // in random pieces
                    let piece = min(cut - sent, Int.random(in: 1...64, using: &random))
                    client.sendBytes(Array(script[sent..<sent + piece]))
                    sent += piece
                }
                if Bool.random(using: &random) { _ = try? client.nextIncoming(timeout: 0.05) }
                open.append(client)
                if open.count == 20 || index == 199 {  // drop in batches, some with a reset
                    for client in open {
                        if Bool.random(using: &random) { client.reset() } else { client.close() }
                    }
                    open.removeAll()
                }
            }
            #expect(broker.waitForConnectionCount(1), "connections leaked: \(broker.connectionCount)")
        }
    }

    @Test func randomGarbageAfterTheHandshakeEndsOnlyThatConnection() throws {
        try withBroker { broker in
            var random = SplitMix64(state: 0xBADC0DE)
            for _ in 0..<40 {
                let client = try broker.openClient()
                let garbage = (0..<Int.random(in: 1...3000, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
                client.sendBytes(garbage)
                try? client.socket.shutdown(.writing)  // a frame cut short must not keep it open
                let (bytes, closed) = client.readRawUntilClosed(timeout: 10)
                #expect(closed, "garbage \(garbage.prefix(16)) left the connection open")
                for code in Self.connectionCloseCodes(in: bytes) {
                    #expect(ReplyCode(rawValue: code).isConnectionError, "garbage got a soft \(code)")
                }
            }
            #expect(broker.waitForConnectionCount(1), "connections leaked: \(broker.connectionCount)")
        }
    }

    /// A consumer that never reads while thousands of messages go to it:
    /// back-pressure stops its deliveries once about 1 MiB waits for its
    /// socket, and the rest stays in the queue.
    @Test func consumerThatNeverReadsDoesNotStopTheBroker() throws {
        try withBroker { broker in
            let stuck = try broker.openClient()
            let queue = try stuck.declareQueue(exclusive: true).queue
            try stuck.consume(queue, noAck: true)
            let publisher = try broker.openClient()
            let body = [UInt8](repeating: 0x42, count: 4096)
            let count = 10_000
            for _ in 0..<count { publisher.publish(body, routingKey: queue) }
            try publisher.sync()  // every publish has been routed and delivered (or buffered)

            try broker.bystander.expectRoundTrip()
            let buffered = broker.server.withContext { context in
                context.connections.values.map(\.pendingOutputBytes).max() ?? 0
            } ?? 0
            #expect(buffered < 4 << 20, "\(buffered) bytes buffered for one consumer after \(count * body.count) sent")
            let ready = broker.server.withContext { context in
                context.broker.defaultVirtualHost.queue(named: queue)?.messageCount ?? 0
            } ?? 0
            #expect(ready > count / 2, "only \(ready) of \(count) messages stayed in the queue")
            stuck.reset()
            #expect(broker.waitForConnectionCount(2), "the stuck consumer was not released")
        }
    }
}
