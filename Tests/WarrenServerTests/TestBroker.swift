import AMQPProtocol
import Glibc
import Synchronization
import Testing
@testable import WarrenServer

/// An in-process Warren on an ephemeral loopback port, plus a bystander: a
/// second, already-open connection with a consumer, which must keep working
/// whatever the test does to its own connections.
final class TestBroker {
    let server: Server
    let bystander: Bystander
    private let recorder: LogRecorder

    var port: Int { server.port }

    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(port: 0, bind: "127.0.0.1")
        configure(&configuration)
        let recorder = LogRecorder()
        self.recorder = recorder
        server = try Server.start(configuration, log: { line in recorder.append(line) })
        do {
            bystander = try Bystander(port: server.port)
        } catch {
            server.stop()
            throw error
        }
    }

    /// A connected client that has not sent anything yet.
    func client(timeout: Double = 5) throws -> RawAMQPClient {
        try RawAMQPClient(port: port, timeout: timeout)
    }

    /// A client past the handshake, with channel 1 open.
    func openClient(channelMax: UInt16? = nil, capabilities: RawAMQPClient.Capabilities = .init(),
                    openChannel: UInt16? = 1) throws -> RawAMQPClient {
        let client = try client()
        try client.handshake(channelMax: channelMax, capabilities: capabilities, openChannel: openChannel)
        return client
    }

    /// Lines the server logged that contain `text`.
    func logged(_ text: String) -> Bool { recorder.lines.contains { $0.contains(text) } }

    /// Connections the server currently holds.
    var connectionCount: Int { server.withContext { $0.connections.count } ?? -1 }

    /// Waits (up to `timeout`) until the server holds `count` connections.
    func waitForConnectionCount(_ count: Int, timeout: Double = 10) -> Bool {
        let deadline = monotonicSeconds() + timeout
        while monotonicSeconds() < deadline {
            if connectionCount == count { return true }
            usleep(20_000)
        }
        return connectionCount == count
    }
}

/// Collects the server's log lines across threads.
final class LogRecorder: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}

/// A well-behaved connection that consumes from its own exclusive queue.
final class Bystander {
    let client: RawAMQPClient
    let queue: String
    private var sent = 0

    init(port: Int) throws {
        client = try RawAMQPClient(port: port)
        try client.handshake()
        queue = try client.declareQueue(exclusive: true).queue
        try client.consume(queue, noAck: true)
    }

    /// Publishes a message to its queue and expects it back.
    func expectRoundTrip(sourceLocation: SourceLocation = #_sourceLocation) throws {
        sent += 1
        let body = Array("bystander message \(sent)".utf8)
        client.publish(body, routingKey: queue)
        let delivery = try client.expectDelivery()
        #expect(delivery.body == body, "the bystander's round trip broke", sourceLocation: sourceLocation)
    }
}

/// Runs `body` against a fresh broker, then checks that the bystander still
/// gets its messages through, then stops the broker.
func withBroker(_ configure: (inout ServerConfiguration) -> Void = { _ in },
                sourceLocation: SourceLocation = #_sourceLocation,
                _ body: (TestBroker) throws -> Void) throws {
    let broker = try TestBroker(configure)
    defer { broker.server.stop() }
    try body(broker)
    try broker.bystander.expectRoundTrip(sourceLocation: sourceLocation)
}

/// Expects a connection.close with `code` (and `text` when given) and that
/// the server then closes the socket.
@discardableResult
func expectConnectionClosed(_ client: RawAMQPClient, code: ReplyCode, text: String? = nil,
                            classID: UInt16? = nil, methodID: UInt16? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> ConnectionClose {
    let close = try client.expectConnectionClose()
    #expect(close.replyCode == code.rawValue, "\(close.replyText)", sourceLocation: sourceLocation)
    if let text { #expect(close.replyText == text, sourceLocation: sourceLocation) }
    if let classID { #expect(close.classId == classID, sourceLocation: sourceLocation) }
    if let methodID { #expect(close.methodId == methodID, sourceLocation: sourceLocation) }
    #expect(client.waitUntilClosedByServer(timeout: 10), "the server kept the socket open",
            sourceLocation: sourceLocation)
    return close
}

/// Expects channel.close with `code` on `channel`, answers close-ok, and
/// checks that the connection still works: a fresh channel round-trips a message.
@discardableResult
func expectChannelClosed(_ client: RawAMQPClient, channel: UInt16 = 1, code: ReplyCode, text: String? = nil,
                         classID: UInt16? = nil, methodID: UInt16? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> ChannelClose {
    let close = try client.expectChannelClose(channel)
    #expect(close.replyCode == code.rawValue, "\(close.replyText)", sourceLocation: sourceLocation)
    if let text { #expect(close.replyText == text, sourceLocation: sourceLocation) }
    if let classID { #expect(close.classId == classID, sourceLocation: sourceLocation) }
    if let methodID { #expect(close.methodId == methodID, sourceLocation: sourceLocation) }
    try expectConnectionUsable(client, channel: channel &+ 100, sourceLocation: sourceLocation)
    return close
}

/// Opens `channel`, round-trips a message through a new queue, closes the channel.
func expectConnectionUsable(_ client: RawAMQPClient, channel: UInt16,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
    try client.openChannel(channel)
    let queue = try client.declareQueue(exclusive: true, channel: channel).queue
    try client.consume(queue, noAck: true, channel: channel)
    client.publish(Array("still usable".utf8), routingKey: queue, channel: channel)
    let delivery = try client.expectDelivery(channel: channel)
    #expect(delivery.body == Array("still usable".utf8), sourceLocation: sourceLocation)
    try client.closeChannel(channel)
}
