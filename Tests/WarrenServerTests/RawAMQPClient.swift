import AMQPProtocol
import Glibc
@testable import WarrenServer

/// A deliberately low-level AMQP client for error-path tests: it sends
/// exactly the bytes a test asks for and reads back raw frames.
///
/// Every read has a deadline (`timeout`, 5 s unless a call says otherwise),
/// so a silent server fails a test instead of hanging it. Commands that
/// arrive while a test waits for something else are kept, in order, for the
/// next read that wants them.
final class RawAMQPClient {
    /// What the server sent, with content frames already joined.
    enum Incoming {
        case method(channel: UInt16, Method)
        case content(channel: UInt16, Content)
        case heartbeat

        var channel: UInt16 {
            switch self {
            case .method(let channel, _), .content(let channel, _): channel
            case .heartbeat: 0
            }
        }
    }

    enum ReadError: Error, CustomStringConvertible {
        case timeout
        case closed
        case protocolError(AMQPError)
        /// The server closed the connection while the test expected something else.
        case connectionClosed(ConnectionClose)
        /// The server closed the channel while the test expected something else.
        case channelClosed(ChannelClose)
        case unexpected(String)

        var description: String {
            switch self {
            case .timeout: "timed out waiting for the server"
            case .closed: "the server closed the socket"
            case .protocolError(let error): "undecodable frame from the server: \(error)"
            case .connectionClosed(let close): "connection.close \(close.replyCode) \(close.replyText)"
            case .channelClosed(let close): "channel.close \(close.replyCode) \(close.replyText)"
            case .unexpected(let what): "unexpected: \(what)"
            }
        }
    }

    let socket: TCPSocket
    /// Seconds a read waits before throwing `ReadError.timeout`.
    var timeout: Double
    /// The frame_max this client settled on in tune-ok (used to split bodies).
    private(set) var frameMax = 131_072
    private var splitter = FrameSplitter(maximumFrameSize: 1 << 24)
    private var assemblers: [UInt16: ContentAssembler] = [:]
    private var pending: [Incoming] = []
    private var isClosed = false

    init(port: Int, timeout: Double = 5) throws {
        socket = try TCPSocket.connect(host: "127.0.0.1", port: UInt16(port))
        self.timeout = timeout
        // A server that stops reading must not hang the test in a write.
        var sendTimeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket.fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// Closes the socket (an abrupt drop, as far as the server can tell).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        socket.close()
    }

    /// Drops the connection with a TCP reset instead of a FIN (SO_LINGER 0).
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    // MARK: - Sending

    /// Writes all of `bytes`, or stops silently if the server has gone (or
    /// has not read for 10 s).
    func sendBytes(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            guard case .bytes(let count) = socket.write(bytes, from: offset) else { return }
            offset += count
        }
    }

    func send(_ method: Method, channel: UInt16 = 0) {
        var writer = ByteWriter()
        writer.writeMethodFrame(channel: channel, method)
        sendBytes(writer.bytes)
    }

    /// A frame with any type octet, payload and end octet, right or wrong.
    func sendFrame(type: UInt8, channel: UInt16, payload: [UInt8], end: UInt8 = frameEnd) {
        sendBytes(Self.frame(type: type, channel: channel, payload: payload, end: end))
    }

    static func frame(type: UInt8, channel: UInt16, payload: [UInt8], end: UInt8 = frameEnd) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeUInt8(type)
        writer.writeUInt16(channel)
        writer.writeUInt32(UInt32(payload.count))
        writer.writeBytes(payload)
        writer.writeUInt8(end)
        return writer.bytes
    }

    /// A content header frame payload, with any class id and body size.
    static func headerPayload(classID: UInt16 = 60, bodySize: UInt64, properties: BasicProperties = .none) -> [UInt8] {
        var writer = ByteWriter()
        ContentHeader(classID: classID, bodySize: bodySize, properties: properties).encode(to: &writer)
        return writer.bytes
    }

    func sendContent(_ method: Method, body: [UInt8], properties: BasicProperties = .none, channel: UInt16) {
        var writer = ByteWriter()
        writer.writeContent(channel: channel, method, properties: properties, body: body, frameMax: frameMax)
        sendBytes(writer.bytes)
    }

    func publish(_ body: [UInt8], exchange: String = "", routingKey: String, mandatory: Bool = false,
                 immediate: Bool = false, properties: BasicProperties = .none, channel: UInt16 = 1) {
        sendContent(.basicPublish(BasicPublish(exchange: exchange, routingKey: routingKey,
                                               mandatory: mandatory, immediate: immediate)),
                    body: body, properties: properties, channel: channel)
    }

    // MARK: - Reading

    /// The next thing the server sent, heartbeats included.
    func nextIncoming(timeout: Double? = nil) throws -> Incoming {
        if !pending.isEmpty { return pending.removeFirst() }
        return try readIncoming(deadline: deadline(timeout))
    }

    /// The first incoming command (not a heartbeat) that `matches`; the
    /// others are kept for later reads. A connection.close that does not
    /// match throws `.connectionClosed`.
    func next(timeout: Double? = nil, where matches: (Incoming) -> Bool) throws -> Incoming {
        if let index = pending.firstIndex(where: matches) { return pending.remove(at: index) }
        let deadline = deadline(timeout)
        while true {
            let incoming = try readIncoming(deadline: deadline)
            if matches(incoming) { return incoming }
            if case .method(0, .connectionClose(let close)) = incoming { throw ReadError.connectionClosed(close) }
            if case .heartbeat = incoming { continue }
            pending.append(incoming)
        }
    }

    /// The next method on `channel` (content methods come with their content
    /// dropped). A channel.close there, when not asked for, throws.
    func nextMethod(on channel: UInt16 = 0, timeout: Double? = nil) throws -> Method {
        let incoming = try next(timeout: timeout) { $0.channel == channel }
        switch incoming {
        case .method(_, .channelClose(let close)) where channel != 0:
            throw ReadError.channelClosed(close)
        case .method(_, let method): return method
        case .content(_, let content): return content.method
        case .heartbeat: throw ReadError.unexpected("heartbeat")
        }
    }

    /// The next heartbeat frame; other commands are kept.
    func nextHeartbeat(timeout: Double? = nil) throws {
        _ = try next(timeout: timeout) { if case .heartbeat = $0 { true } else { false } }
    }

    private func deadline(_ timeout: Double?) -> Double { monotonicSeconds() + (timeout ?? self.timeout) }

    private func readIncoming(deadline: Double) throws -> Incoming {
        while true {
            if let incoming = try decodeBuffered() { return incoming }
            try receive(deadline: deadline)
        }
    }

    private func decodeBuffered() throws -> Incoming? {
        do throws(AMQPError) {
            return try decodeBufferedFrames()
        } catch {
            throw ReadError.protocolError(error)
        }
    }

    private func decodeBufferedFrames() throws(AMQPError) -> Incoming? {
        while let raw = try splitter.next() {
            let frame = try Frame(raw)
            if case .heartbeat = frame { return .heartbeat }
            var assembler = assemblers[frame.channel] ?? ContentAssembler(maximumBodySize: 1 << 28)
            let command = try assembler.receive(frame)
            assemblers[frame.channel] = assembler
            switch command {
            case .method(let method)?: return .method(channel: frame.channel, method)
            case .content(let content)?: return .content(channel: frame.channel, content)
            case nil: continue
            }
        }
        return nil
    }

    /// Waits (at most until `deadline`) for bytes and buffers them.
    private func receive(deadline: Double) throws {
        guard try waitReadable(until: deadline) else { throw ReadError.timeout }
        let result = splitter.withAppendableBuffer { socket.read(into: &$0, maxBytes: 256 * 1024) }
        switch result {
        case .bytes, .wouldBlock: return
        case .closed, .error: throw ReadError.closed
        }
    }

    private func waitReadable(until deadline: Double) throws -> Bool {
        guard !isClosed else { throw ReadError.closed }
        while true {
            let left = deadline - monotonicSeconds()
            guard left > 0 else { return false }
            var descriptor = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { throw ReadError.closed }
        }
    }

    /// Raw bytes until the server closes the socket or `timeout` passes.
    func readRawUntilClosed(timeout: Double? = nil) -> (bytes: [UInt8], closed: Bool) {
        let deadline = deadline(timeout)
        var bytes: [UInt8] = []
        while (try? waitReadable(until: deadline)) == true {
            switch socket.read(into: &bytes, maxBytes: 65536) {
            case .bytes, .wouldBlock: continue
            case .closed, .error: return (bytes, true)
            }
        }
        return (bytes, false)
    }

    /// True once the server has closed the socket within `timeout`; what it
    /// sent before is discarded.
    func waitUntilClosedByServer(timeout: Double? = nil) -> Bool {
        let deadline = deadline(timeout)
        var scratch: [UInt8] = []
        while (try? waitReadable(until: deadline)) == true {
            scratch.removeAll(keepingCapacity: true)
            switch socket.read(into: &scratch, maxBytes: 65536) {
            case .bytes, .wouldBlock: continue
            case .closed, .error: return true
            }
        }
        return false
    }

    // MARK: - Handshake

    struct Capabilities {
        var consumerCancelNotify = false
        var authenticationFailureClose = false

        var table: FieldTable {
            ["consumer_cancel_notify": .boolean(consumerCancelNotify),
             "authentication_failure_close": .boolean(authenticationFailureClose)]
        }
    }

    static func plainResponse(user: String, password: String) -> [UInt8] {
        [0] + Array(user.utf8) + [0] + Array(password.utf8)
    }

    /// Sends the protocol header and reads connection.start.
    @discardableResult
    func start() throws -> ConnectionStart {
        sendBytes(protocolHeader)
        guard case .connectionStart(let start) = try nextMethod() else { throw ReadError.unexpected("no connection.start") }
        return start
    }

    /// start-ok with the given mechanism and response; returns connection.tune.
    func startOk(mechanism: String = "PLAIN", response: [UInt8] = plainResponse(user: "guest", password: "guest"),
                 capabilities: Capabilities = Capabilities()) throws -> ConnectionTune {
        send(.connectionStartOk(ConnectionStartOk(
            clientProperties: ["product": .string("raw-test"), "capabilities": .table(capabilities.table)],
            mechanism: mechanism, response: response, locale: "en_US")))
        guard case .connectionTune(let tune) = try nextMethod() else { throw ReadError.unexpected("no connection.tune") }
        return tune
    }

    /// Sends tune-ok; from then on a frame from the server larger than
    /// `frameMax` (whole frame, as the spec counts) is a protocol error.
    func tuneOk(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16 = 0) {
        self.frameMax = Int(frameMax)
        if frameMax >= 4096 { splitter.maximumFrameSize = Int(frameMax) - frameOverhead }
        send(.connectionTuneOk(ConnectionTuneOk(channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat)))
    }

    func open(vhost: String = "/") throws {
        send(.connectionOpen(ConnectionOpen(virtualHost: vhost)))
        guard case .connectionOpenOk = try nextMethod() else { throw ReadError.unexpected("no connection.open-ok") }
    }

    /// Runs the handshake as a well-behaved client and opens `channel` if given.
    @discardableResult
    func handshake(user: String = "guest", password: String = "guest", vhost: String = "/",
                   channelMax: UInt16? = nil, heartbeat: UInt16 = 0, capabilities: Capabilities = Capabilities(),
                   openChannel channel: UInt16? = 1) throws -> ConnectionTune {
        try start()
        let tune = try startOk(response: Self.plainResponse(user: user, password: password), capabilities: capabilities)
        tuneOk(channelMax: channelMax ?? tune.channelMax, frameMax: tune.frameMax, heartbeat: heartbeat)
        try open(vhost: vhost)
        if let channel { try openChannel(channel) }
        return tune
    }

    func openChannel(_ channel: UInt16) throws {
        send(.channelOpen(ChannelOpen()), channel: channel)
        guard case .channelOpenOk = try nextMethod(on: channel) else { throw ReadError.unexpected("no channel.open-ok") }
    }

    // MARK: - Closing

    /// Expects connection.close (skipping anything before it), answers
    /// close-ok unless told not to, and returns it.
    func expectConnectionClose(answer: Bool = true, timeout: Double? = nil) throws -> ConnectionClose {
        let incoming = try next(timeout: timeout) {
            if case .method(0, .connectionClose) = $0 { true } else { false }
        }
        guard case .method(_, .connectionClose(let close)) = incoming else { throw ReadError.unexpected("\(incoming)") }
        if answer { send(.connectionCloseOk(ConnectionCloseOk())) }
        return close
    }

    /// Expects channel.close on `channel` and answers close-ok.
    func expectChannelClose(_ channel: UInt16 = 1, timeout: Double? = nil) throws -> ChannelClose {
        let incoming = try next(timeout: timeout) {
            if case .method(channel, .channelClose) = $0 { true } else { false }
        }
        guard case .method(_, .channelClose(let close)) = incoming else { throw ReadError.unexpected("\(incoming)") }
        send(.channelCloseOk(ChannelCloseOk()), channel: channel)
        return close
    }

    /// Closes `channel` politely and waits for its close-ok.
    func closeChannel(_ channel: UInt16 = 1) throws {
        send(.channelClose(ChannelClose(replyCode: 200, replyText: "bye")), channel: channel)
        // Deliveries already on their way are kept for later reads.
        _ = try next { if case .method(channel, .channelCloseOk) = $0 { true } else { false } }
    }

    // MARK: - Synchronous requests

    /// Sends `method` on `channel` and returns the next method there.
    func call(_ method: Method, channel: UInt16 = 1) throws -> Method {
        send(method, channel: channel)
        return try nextMethod(on: channel)
    }

    @discardableResult
    func declareQueue(_ name: String = "", exclusive: Bool = false, autoDelete: Bool = false, passive: Bool = false,
                      channel: UInt16 = 1) throws -> QueueDeclareOk {
        let reply = try call(.queueDeclare(QueueDeclare(queue: name, passive: passive, exclusive: exclusive,
                                                        autoDelete: autoDelete)), channel: channel)
        guard case .queueDeclareOk(let ok) = reply else { throw ReadError.unexpected("\(reply)") }
        return ok
    }

    @discardableResult
    func consume(_ queue: String, tag: String = "", noAck: Bool = false, exclusive: Bool = false,
                 channel: UInt16 = 1) throws -> String {
        let reply = try call(.basicConsume(BasicConsume(queue: queue, consumerTag: tag, noAck: noAck,
                                                        exclusive: exclusive)), channel: channel)
        guard case .basicConsumeOk(let ok) = reply else { throw ReadError.unexpected("\(reply)") }
        return ok.consumerTag
    }

    func qos(prefetchCount: UInt16, global: Bool = false, channel: UInt16 = 1) throws {
        let reply = try call(.basicQos(BasicQos(prefetchCount: prefetchCount, global: global)), channel: channel)
        guard case .basicQosOk = reply else { throw ReadError.unexpected("\(reply)") }
    }

    /// The next basic.deliver on `channel`, with its content.
    func expectDelivery(channel: UInt16 = 1, timeout: Double? = nil) throws -> (deliver: BasicDeliver, body: [UInt8]) {
        let incoming = try next(timeout: timeout) {
            if case .content(channel, let content) = $0, case .basicDeliver = content.method { true } else { false }
        }
        guard case .content(_, let content) = incoming, case .basicDeliver(let deliver) = content.method else {
            throw ReadError.unexpected("\(incoming)")
        }
        return (deliver, content.body)
    }

    /// Waits until the server has handled everything sent on `channel` so
    /// far: a synchronous request's reply comes after every earlier effect.
    func sync(channel: UInt16 = 1) throws {
        let reply = try call(.exchangeDeclare(ExchangeDeclare(exchange: "amq.direct", type: "direct", passive: true)),
                             channel: channel)
        guard case .exchangeDeclareOk = reply else { throw ReadError.unexpected("\(reply)") }
    }

    /// Commands received but not yet asked for.
    var unreadCommands: [Incoming] { pending }
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
