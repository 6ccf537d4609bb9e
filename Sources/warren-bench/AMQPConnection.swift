import AMQPProtocol
import Glibc

/// A client connection to an AMQP 0-9-1 broker, owned by the one thread
/// that opened it: blocking socket, frames cut by `FrameSplitter`, control
/// methods encoded with `ByteWriter.writeMethodFrame`.
///
/// Heartbeats are negotiated off (0), so an idle worker never has to wake
/// up to send one. The hot paths (publishing, consuming) do not go through
/// `call`; they write pre-encoded bytes and read frames themselves.
final class AMQPConnection {
    let socket: TCPSocket
    private(set) var frameMax = 131_072
    private(set) var serverProperties = FieldTable()
    var splitter = FrameSplitter(maximumFrameSize: 131_072)
    /// Raised by the owner of the run; a write stalled by a broker that
    /// stops reading gives up once it is raised.
    var stop: StopFlag?
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var writer = ByteWriter(capacity: 4096)
    private var warnedBlocked = false

    /// The longest a write may stall, while the stop flag is down, before the run fails.
    static let stallLimitSeconds = 60.0

    private init(socket: TCPSocket) {
        self.socket = socket
        readBuffer = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit {
        socket.close()
        readBuffer.deallocate()
    }

    /// Connects, authenticates with PLAIN and opens the vhost (no channel yet).
    static func open(_ url: AMQPURL, name: String, stop: StopFlag? = nil, timeoutSeconds: Double = 15) throws(BenchError) -> AMQPConnection {
        let connection = AMQPConnection(socket: try TCPSocket.connect(host: url.host, port: url.port))
        connection.stop = stop
        try connection.handshake(url, name: name, deadline: monotonicNanos() + UInt64(timeoutSeconds * 1e9))
        return connection
    }

    private func handshake(_ url: AMQPURL, name: String, deadline: UInt64) throws(BenchError) {
        try write(protocolHeader)
        guard case .connectionStart(let start) = try awaitMethod(channel: 0, deadline: deadline) else {
            throw .protocolViolation("expected connection.start")
        }
        serverProperties = start.serverProperties
        let mechanisms = String(decoding: start.mechanisms, as: UTF8.self).split(separator: " ")
        guard mechanisms.contains("PLAIN") else {
            throw .protocolViolation("broker does not offer PLAIN (offers \(mechanisms.joined(separator: " ")))")
        }
        let capabilities: FieldTable = [
            "publisher_confirms": .boolean(true), "basic.nack": .boolean(true),
            "consumer_cancel_notify": .boolean(true), "connection.blocked": .boolean(true),
            "authentication_failure_close": .boolean(true),
        ]
        let properties: FieldTable = [
            "product": .string("warren-bench"), "platform": .string("Swift"),
            "capabilities": .table(capabilities), "connection_name": .string(name),
        ]
        let response = [0] + Array(url.user.utf8) + [0] + Array(url.password.utf8)
        try send(.connectionStartOk(ConnectionStartOk(
            clientProperties: properties, mechanism: "PLAIN", response: response, locale: "en_US")), channel: 0)
        guard case .connectionTune(let tune) = try awaitMethod(channel: 0, deadline: deadline) else {
            throw .protocolViolation("expected connection.tune")
        }
        let offeredFrameMax = tune.frameMax == 0 ? 131_072 : Int(tune.frameMax)
        frameMax = min(offeredFrameMax, 131_072)
        splitter.maximumFrameSize = frameMax
        try send(.connectionTuneOk(ConnectionTuneOk(
            channelMax: tune.channelMax == 0 ? 2047 : tune.channelMax, frameMax: UInt32(frameMax), heartbeat: 0)), channel: 0)
        try send(.connectionOpen(ConnectionOpen(virtualHost: url.virtualHost)), channel: 0)
        guard case .connectionOpenOk = try awaitMethod(channel: 0, deadline: deadline) else {
            throw .protocolViolation("expected connection.open-ok")
        }
    }

    /// The broker's `product` server property, e.g. "RabbitMQ".
    var product: String { serverProperties["product"]?.stringValue ?? "unknown" }
    var version: String { serverProperties["version"]?.stringValue ?? "unknown" }

    // MARK: Writing

    func write(_ bytes: UnsafeRawBufferPointer) throws(BenchError) {
        var stalledSince: UInt64 = 0
        try socket.writeAll(bytes) {
            if stop?.isRaised == true { return false }
            let now = monotonicNanos()
            if stalledSince == 0 { stalledSince = now }
            return Double(now - stalledSince) / 1e9 < Self.stallLimitSeconds
        }
    }

    func write(_ bytes: [UInt8]) throws(BenchError) {
        try bytes.withBytes { (raw) throws(BenchError) in try write(raw) }
    }

    func send(_ method: Method, channel: UInt16) throws(BenchError) {
        writer.bytes.removeAll(keepingCapacity: true)
        writer.writeMethodFrame(channel: channel, method)
        try write(writer.bytes)
    }

    /// Sends several methods in one write (pipelining), e.g. a thousand `queue.bind`s.
    func send(_ methods: [Method], channel: UInt16) throws(BenchError) {
        writer.bytes.removeAll(keepingCapacity: true)
        for method in methods { writer.writeMethodFrame(channel: channel, method) }
        try write(writer.bytes)
    }

    // MARK: Reading

    /// Reads once from the socket into the splitter. False when nothing came
    /// before the receive timeout (or at once, with `wait: false`).
    @discardableResult
    func readMore(wait: Bool = true) throws(BenchError) -> Bool {
        switch try socket.read(into: readBuffer, wait: wait) {
        case .bytes(let count):
            splitter.append(UnsafeRawBufferPointer(start: readBuffer.baseAddress, count: count))
            return true
        case .nothingYet: return false
        case .closed: throw .peerClosed("the broker closed the socket")
        }
    }

    /// The next buffered frame, if a whole one is in.
    @inline(__always)
    func nextFrame() throws(BenchError) -> RawFrame? {
        try decoding { () throws(AMQPError) in try splitter.next() }
    }

    func decodeMethod(_ payload: ArraySlice<UInt8>) throws(BenchError) -> Method {
        var reader = ByteReader(payload)
        return try decoding { () throws(AMQPError) in try Method.decode(from: &reader) }
    }

    /// Handles what the broker may send at any time: closes (answered, then
    /// thrown), flow-control notices (reported once) and consumer cancels.
    func handleAsynchronous(_ method: Method, channel: UInt16) throws(BenchError) {
        switch method {
        case .connectionClose(let close):
            try? send(.connectionCloseOk(ConnectionCloseOk()), channel: 0)
            throw .connectionClosed(code: close.replyCode, text: close.replyText, classID: close.classId, methodID: close.methodId)
        case .channelClose(let close):
            try? send(.channelCloseOk(ChannelCloseOk()), channel: channel)
            throw .channelClosed(code: close.replyCode, text: close.replyText, classID: close.classId, methodID: close.methodId)
        case .connectionBlocked(let blocked):
            if !warnedBlocked { log("warning: broker blocked publishing: \(blocked.reason)") }
            warnedBlocked = true
        case .basicCancel(let cancel):
            throw .protocolViolation("the broker cancelled consumer \(cancel.consumerTag)")
        default: break
        }
    }

    /// Reads until a method arrives on `channel` (skipping content and other
    /// channels), bounded by `deadline`.
    func awaitMethod(channel: UInt16, deadline: UInt64, where accept: (Method) -> Bool = { _ in true }) throws(BenchError) -> Method {
        while true {
            while let frame = try nextFrame() {
                guard frame.type == .method else { continue }
                let method = try decodeMethod(frame.payload)
                try handleAsynchronous(method, channel: frame.channel)
                if frame.channel == channel, accept(method) { return method }
            }
            if monotonicNanos() >= deadline { throw .timeout("no reply from the broker on channel \(channel)") }
            try readMore()
        }
    }

    /// Sends a synchronous request and waits for its reply.
    @discardableResult
    func call(_ request: Method, channel: UInt16 = 1, timeoutSeconds: Double = 60) throws(BenchError) -> Method {
        try send(request, channel: channel)
        return try awaitMethod(channel: channel, deadline: monotonicNanos() + UInt64(timeoutSeconds * 1e9)) { $0.isReply(to: request) }
    }

    /// Sends many requests of one kind at once, then waits for as many replies.
    func pipeline(_ requests: [Method], channel: UInt16 = 1, timeoutSeconds: Double = 60) throws(BenchError) {
        guard let first = requests.first else { return }
        try send(requests, channel: channel)
        let deadline = monotonicNanos() + UInt64(timeoutSeconds * 1e9)
        for _ in requests { _ = try awaitMethod(channel: channel, deadline: deadline) { $0.isReply(to: first) } }
    }

    /// `connection.close`, then waits (at most `timeoutSeconds`) for close-ok,
    /// discarding deliveries still in flight. Errors are ignored: this is cleanup.
    func close(timeoutSeconds: Double = 3) {
        defer { socket.close() }
        guard (try? send(.connectionClose(ConnectionClose(replyCode: 200, replyText: "bye")), channel: 0)) != nil else { return }
        let deadline = monotonicNanos() + UInt64(timeoutSeconds * 1e9)
        while monotonicNanos() < deadline {
            do {
                while let frame = try nextFrame() {
                    if frame.type == .method, frame.channel == 0, frame.payload.starts(with: [0, 10, 0, 51]) { return }
                }
                try readMore()
            } catch { return }
        }
    }
}

/// Progress and warnings go to stderr, so stdout holds only results.
func log(_ text: String) {
    var line = Array(text.utf8)
    line.append(UInt8(ascii: "\n"))
    _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}
