import AMQPProtocol
import Foundation
import Glibc
import Testing
@testable import WarrenServer

/// A Warren with HTTP on a free loopback port, quiet, with short HTTP timeouts.
final class HTTPTestServer {
    let server: Server
    var port: Int { server.port }
    var httpPort: Int { server.httpPort ?? 0 }

    init(_ configure: (inout HTTPConfiguration) -> Void = { _ in }) throws {
        var http = HTTPConfiguration(requestTimeoutSeconds: 5, idleTimeoutSeconds: 10, statisticsIntervalSeconds: 0.2)
        configure(&http)
        server = try Server.start(ServerConfiguration(port: 0, bind: "127.0.0.1", httpPort: 0, http: http), log: { _ in })
    }

    deinit { server.stop() }

    /// A fresh keep-alive HTTP connection.
    func client(timeout: Int = 5) throws -> HTTPTestClient { try HTTPTestClient(port: httpPort, timeout: timeout) }

    /// One request on a new connection, as guest.
    @discardableResult
    func request(_ method: String, _ path: String, json: String? = nil, auth: String? = "guest:guest",
                 headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try client().request(method, path, body: json.map { Array($0.utf8) }, auth: auth, headers: headers)
    }
}

/// What the server answered.
struct HTTPTestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON (Foundation's parser, independent of Warren's).
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
}

/// A small blocking HTTP/1.1 client over a raw socket, so tests control every byte.
final class HTTPTestClient {
    let socket: TCPSocket
    private var input: [UInt8] = []

    init(port: Int, timeout: Int = 5) throws {
        socket = try TCPSocket.connect(host: "127.0.0.1", port: UInt16(port), receiveTimeoutSeconds: timeout)
        var sendTimeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket.fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { socket.close() }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            guard case .bytes(let count) = socket.write(bytes, from: offset), count > 0 else { return }
            offset += count
        }
    }

    func request(_ method: String, _ path: String, body: [UInt8]? = nil, auth: String? = "guest:guest",
                 headers: [(String, String)] = []) throws -> HTTPTestResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let auth { head += "Authorization: Basic \(Data(auth.utf8).base64EncodedString())\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        send(Array(head.utf8) + (body ?? []))
        return try readResponse(hasBody: method != "HEAD")
    }

    enum ReadError: Error { case closed, timeout, malformed(String) }

    /// Reads one response (Content-Length framed, as Warren always sends).
    func readResponse(hasBody: Bool = true) throws -> HTTPTestResponse {
        let headEnd = try readUntilHeadersEnd()
        let head = String(decoding: input[..<headEnd], as: UTF8.self)
        input.removeSubrange(..<(headEnd + 4))
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ReadError.malformed(head) }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = hasBody ? headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0 : 0
        while input.count < length { try fill() }
        let body = Array(input.prefix(length))
        input.removeSubrange(..<length)
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }

    private func readUntilHeadersEnd() throws -> Int {
        let marker: [UInt8] = [13, 10, 13, 10]
        var searchFrom = 0
        while true {
            if input.count >= 4 {
                for index in searchFrom...(input.count - 4) where Array(input[index..<index + 4]) == marker { return index }
                searchFrom = input.count - 3
            }
            try fill()
        }
    }

    private func fill() throws {
        switch socket.read(into: &input, maxBytes: 65536) {
        case .bytes: return
        case .wouldBlock: throw ReadError.timeout
        case .closed, .error: throw ReadError.closed
        }
    }

    /// True when the server closes the connection within `seconds` (reading and dropping data).
    func waitForClose(seconds: Int = 5) -> Bool {
        let deadline = Date().addingTimeInterval(Double(seconds))
        var scratch: [UInt8] = []
        while Date() < deadline {
            switch socket.read(into: &scratch, maxBytes: 65536) {
            case .closed, .error: return true
            case .bytes, .wouldBlock: continue
            }
        }
        return false
    }
}

/// A minimal blocking AMQP 0-9-1 client for cross-checks: handshake, one
/// channel, declare, publish, get. Fails the test on anything unexpected.
final class MiniAMQPClient {
    let socket: TCPSocket
    private var splitter = FrameSplitter(maximumFrameSize: 1 << 20)
    private var assembler = ContentAssembler()
    private var writer = ByteWriter(capacity: 1024)

    enum Failure: Error { case unexpected(String), closed }

    init(port: Int) throws {
        socket = try TCPSocket.connect(host: "127.0.0.1", port: UInt16(port), receiveTimeoutSeconds: 5)
        write(protocolHeader)
        guard case .connectionStart = try nextMethod() else { throw Failure.unexpected("start") }
        send(.connectionStartOk(ConnectionStartOk(mechanism: "PLAIN", response: Array("\0guest\0guest".utf8),
                                                  locale: "en_US")))
        guard case .connectionTune(let tune) = try nextMethod() else { throw Failure.unexpected("tune") }
        send(.connectionTuneOk(ConnectionTuneOk(channelMax: tune.channelMax, frameMax: tune.frameMax, heartbeat: 0)))
        send(.connectionOpen(ConnectionOpen(virtualHost: "/")))
        guard case .connectionOpenOk = try nextMethod() else { throw Failure.unexpected("open-ok") }
        send(.channelOpen(ChannelOpen()), channel: 1)
        guard case .channelOpenOk = try nextMethod() else { throw Failure.unexpected("channel open-ok") }
    }

    deinit { socket.close() }

    func declareQueue(_ name: String, exclusive: Bool = false) throws {
        send(.queueDeclare(QueueDeclare(queue: name, exclusive: exclusive)), channel: 1)
        guard case .queueDeclareOk = try nextMethod() else { throw Failure.unexpected("declare-ok") }
    }

    func publish(_ body: [UInt8], routingKey: String, properties: BasicProperties = .none) {
        writer.bytes.removeAll(keepingCapacity: true)
        writer.writeContent(channel: 1, .basicPublish(BasicPublish(routingKey: routingKey)), properties: properties,
                            body: body, frameMax: 131_072)
        write(writer.bytes)
    }

    /// basic.get with no-ack: the message, or nil for get-empty.
    func get(_ queue: String) throws -> Content? {
        send(.basicGet(BasicGet(queue: queue, noAck: true)), channel: 1)
        while true {
            guard let frame = try nextFrame() else { throw Failure.closed }
            if case .method(_, .basicGetEmpty) = frame { return nil }
            if case .content(let content)? = try assembler.receive(frame) { return content }
        }
    }

    /// Waits for connection.close, answers close-ok, returns its code and text.
    func expectConnectionClose() throws -> (code: UInt16, text: String) {
        while true {
            if case .connectionClose(let close) = try nextMethod() {
                send(.connectionCloseOk(ConnectionCloseOk()))
                return (close.replyCode, close.replyText)
            }
        }
    }

    private func send(_ method: AMQPProtocol.Method, channel: UInt16 = 0) {
        writer.bytes.removeAll(keepingCapacity: true)
        writer.writeMethodFrame(channel: channel, method)
        write(writer.bytes)
    }

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count, case .bytes(let count) = socket.write(bytes, from: offset), count > 0 { offset += count }
    }

    private func nextMethod() throws -> AMQPProtocol.Method {
        while true {
            guard let frame = try nextFrame() else { throw Failure.closed }
            if case .method(_, let method) = frame { return method }
        }
    }

    private func nextFrame() throws -> Frame? {
        while true {
            if let raw = try splitter.next() { return try Frame(raw) }
            let result = splitter.withAppendableBuffer { socket.read(into: &$0, maxBytes: 65536) }
            guard case .bytes = result else { return nil }
        }
    }
}

/// Polls `condition` for up to `seconds`.
func httpEventually(seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
