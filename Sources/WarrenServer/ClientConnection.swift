import AMQPProtocol
import WarrenCore

/// One AMQP client connection: the handshake, the frame stream, heartbeats
/// and the channels, from the first byte to the socket's close.
///
/// Confined to the event-loop thread, like everything the server owns.
/// Connection-level (hard) errors end here: the connection sends
/// connection.close with the error's code and stops reading anything but
/// close-ok. Channel-level (soft) errors are the channel's business.
final class ClientConnection {
    enum Phase {
        case awaitingProtocolHeader
        case awaitingStartOk
        case awaitingTuneOk
        case awaitingOpen
        case open
        /// Warren sent connection.close and waits for close-ok.
        case closing
        case closed
    }

    let id: ConnectionID
    let socket: TCPSocket
    unowned let server: ServerContext
    private(set) var phase: Phase = .awaitingProtocolHeader
    private var splitter: FrameSplitter
    private var channels: [UInt16: ServerChannel] = [:]
    /// Bytes waiting for the socket; `outputSent` of them are already written.
    private var output = ByteWriter(capacity: 16 * 1024)
    private var outputSent = 0
    private var isFlushScheduled = false
    private var isWaitingForWritable = false
    private var lastReceivedAt: UInt64
    private var lastSentAt: UInt64
    private var heartbeatTimer: TimerID?
    private var handshakeTimer: TimerID?

    private(set) var frameMax: UInt32
    private(set) var channelMax: UInt16
    private(set) var heartbeatSeconds: UInt16 = 0
    private(set) var user: User?
    private(set) var virtualHost: VirtualHost?
    private(set) var clientProperties = FieldTable()

    init(id: ConnectionID, socket: TCPSocket, server: ServerContext) {
        self.id = id
        self.socket = socket
        self.server = server
        let configuration = server.configuration
        frameMax = configuration.frameMax
        channelMax = configuration.channelMax
        splitter = FrameSplitter(maximumFrameSize: Int(minimumFrameMax))
        lastReceivedAt = server.loop.now
        lastSentAt = server.loop.now
        handshakeTimer = server.loop.schedule(after: configuration.handshakeTimeoutSeconds * 1_000_000_000) { [weak self] in
            self?.handshakeTimedOut()
        }
    }

    var name: String { "\(socket.peer) -> \(server.listenAddress)" }
    var channelCount: Int { channels.count }

    // MARK: - Reading

    /// Reads what the socket has and handles every whole frame in it.
    func readable() {
        for _ in 0..<16 {
            let result = splitter.withAppendableBuffer { socket.read(into: &$0, maxBytes: 256 * 1024) }
            switch result {
            case .bytes:
                lastReceivedAt = server.loop.now
                processInput()
                if phase == .closed { return }
            case .wouldBlock:
                return
            case .closed, .error:
                terminate(reason: "client closed the socket")
                return
            }
        }
    }

    private func processInput() {
        if phase == .awaitingProtocolHeader {
            switch splitter.readProtocolHeader() {
            case nil: return
            case false?:
                server.log("\(name): bad protocol header, closing")
                enqueue(protocolHeader)
                closeAfterFlush()
                return
            case true?:
                sendStart()
            }
        }
        do {
            while phase != .closed, let raw = try splitter.next() {
                try handle(Frame(raw))
            }
        } catch {
            fail(error)
        }
    }

    private func handle(_ frame: Frame) throws(AMQPError) {
        if phase == .closing {
            switch frame {
            case .method(0, .connectionCloseOk):
                terminate(reason: "closed")
            case .method(0, .connectionClose):
                send(.connectionCloseOk(ConnectionCloseOk()), on: 0)
                closeAfterFlush()
            default:
                break
            }
            return
        }
        switch frame {
        case .heartbeat:
            return
        case .method(0, let method):
            try handleConnectionMethod(method)
        case .method(0, _), .header(0, _), .body(0, _):
            throw .unexpectedFrame("non-method frame on channel 0")
        default:
            guard phase == .open else {
                throw .unexpectedFrame("frame on channel \(frame.channel) before connection.open-ok")
            }
            try handleChannelFrame(frame)
        }
    }

    private func handleChannelFrame(_ frame: Frame) throws(AMQPError) {
        let number = frame.channel
        guard let channel = channels[number] else {
            guard case .method(_, .channelOpen) = frame else {
                throw AMQPError(.channelError, "expected 'channel.open' on channel \(number)")
            }
            guard number <= channelMax else {
                throw AMQPError(.notAllowed, "channel number \(number) is above the negotiated channel_max (\(channelMax))")
            }
            guard channels.count < Int(channelMax) else {
                throw AMQPError(.notAllowed, "number of channels opened (\(channels.count)) has reached the negotiated channel_max (\(channelMax))")
            }
            guard let virtualHost else { return }
            let channel = ServerChannel(number: number, connection: self, virtualHost: virtualHost)
            channels[number] = channel
            send(.channelOpenOk(ChannelOpenOk()), on: number)
            return
        }
        try channel.receive(frame)
    }

    // MARK: - The handshake and connection class

    private func sendStart() {
        phase = .awaitingStartOk
        send(.connectionStart(ConnectionStart(
            versionMajor: 0, versionMinor: 9,
            serverProperties: ServerProperties.table,
            mechanisms: Array(AuthenticationMechanism.advertised.utf8),
            locales: Array("en_US".utf8)
        )), on: 0)
    }

    private func handleConnectionMethod(_ method: Method) throws(AMQPError) {
        switch (phase, method) {
        case (.awaitingStartOk, .connectionStartOk(let startOk)):
            try authenticate(startOk)
        case (.awaitingTuneOk, .connectionTuneOk(let tuneOk)):
            try tune(tuneOk)
        case (.awaitingOpen, .connectionOpen(let open)):
            try openVirtualHost(open)
        case (_, .connectionClose):
            send(.connectionCloseOk(ConnectionCloseOk()), on: 0)
            closeAfterFlush()
        case (.open, .connectionUpdateSecret):
            send(.connectionUpdateSecretOk(ConnectionUpdateSecretOk()), on: 0)
        case (.open, .connectionCloseOk):
            terminate(reason: "close-ok without close")
        default:
            throw AMQPError(.channelError, "unexpected method \(method.name) in connection state \(phase)",
                            classID: method.classID, methodID: method.methodID)
        }
    }

    private func authenticate(_ startOk: ConnectionStartOk) throws(AMQPError) {
        clientProperties = startOk.clientProperties
        let credentials = try Credentials(mechanism: startOk.mechanism, response: startOk.response)
        user = try server.broker.authenticate(credentials, mechanism: startOk.mechanism, fromLoopback: socket.isLoopback)
        phase = .awaitingTuneOk
        send(.connectionTune(ConnectionTune(
            channelMax: server.configuration.channelMax,
            frameMax: server.configuration.frameMax,
            heartbeat: server.configuration.heartbeat
        )), on: 0)
    }

    /// Applies the client's tune-ok by RabbitMQ's rules: a frame_max under
    /// 4096, or a value of 0 ("no limit") or above Warren's for frame_max or
    /// channel_max, is 530 NOT_ALLOWED. The heartbeat is taken as sent.
    private func tune(_ tuneOk: ConnectionTuneOk) throws(AMQPError) {
        let configuration = server.configuration
        try Self.validateNegotiated("frame_max", tuneOk.frameMax, minimum: minimumFrameMax, maximum: configuration.frameMax)
        try Self.validateNegotiated("channel_max", UInt32(tuneOk.channelMax), minimum: 1, maximum: UInt32(configuration.channelMax))
        frameMax = tuneOk.frameMax
        channelMax = tuneOk.channelMax
        heartbeatSeconds = tuneOk.heartbeat
        splitter.maximumFrameSize = Int(frameMax)
        phase = .awaitingOpen
        startHeartbeats()
    }

    private static func validateNegotiated(_ field: String, _ value: UInt32, minimum: UInt32, maximum: UInt32) throws(AMQPError) {
        let tuneID = (classID: ConnectionTune.classID, methodID: ConnectionTune.methodID)
        if value != 0 && value < minimum {
            throw AMQPError(.notAllowed, "negotiated \(field) = \(value) is lower than the minimum allowed value (\(minimum))",
                            classID: tuneID.classID, methodID: tuneID.methodID)
        }
        if value == 0 || value > maximum {
            let detail = value == 0 ? " (no limit)" : ""
            throw AMQPError(.notAllowed, "negotiated \(field) = \(value)\(detail) is higher than the maximum allowed value (\(maximum))",
                            classID: tuneID.classID, methodID: tuneID.methodID)
        }
    }

    private func openVirtualHost(_ open: ConnectionOpen) throws(AMQPError) {
        guard let virtualHost = server.broker.virtualHost(named: open.virtualHost) else {
            throw AMQPError(.notAllowed, "vhost \(open.virtualHost) not found")
        }
        self.virtualHost = virtualHost
        phase = .open
        if let handshakeTimer { server.loop.cancel(handshakeTimer) }
        handshakeTimer = nil
        send(.connectionOpenOk(ConnectionOpenOk()), on: 0)
        server.log("\(name): connection opened, user '\(user?.name ?? "")', vhost '\(open.virtualHost)'")
    }

    private func handshakeTimedOut() {
        handshakeTimer = nil
        guard phase != .open, phase != .closed else { return }
        server.log("\(name): handshake timed out in state \(phase), closing")
        terminate(reason: "handshake timeout")
    }

    // MARK: - Heartbeats

    /// Sends a heartbeat whenever nothing else was written for half the
    /// interval, and drops a peer silent for two whole intervals.
    private func startHeartbeats() {
        guard heartbeatSeconds > 0 else { return }
        let half = UInt64(heartbeatSeconds) * 500_000_000
        heartbeatTimer = server.loop.schedule(after: half) { [weak self] in self?.heartbeatTick(half: half) }
    }

    private func heartbeatTick(half: UInt64) {
        guard phase != .closed else { return }
        let now = server.loop.now
        if now &- lastReceivedAt >= half * 4 {
            server.log("\(name): missed heartbeats from client, timeout: \(heartbeatSeconds)s")
            terminate(reason: "missed heartbeats")
            return
        }
        if now &- lastSentAt >= half {
            output.writeHeartbeat()
            scheduleFlush()
        }
        heartbeatTimer = server.loop.schedule(after: half) { [weak self] in self?.heartbeatTick(half: half) }
    }

    // MARK: - Errors and closing

    /// Ends the connection with a hard error: connection.close, then only
    /// close-ok is listened for. A frame-level error leaves the stream
    /// unparseable, so the socket closes once the close is written.
    func fail(_ error: AMQPError) {
        guard phase != .closing, phase != .closed else { return }
        server.log("\(name): connection error \(error)")
        let wasOpen = phase == .open
        send(.connectionClose(ConnectionClose(
            replyCode: error.code.rawValue, replyText: error.text,
            classId: error.classID, methodId: error.methodID
        )), on: 0)
        closeChannels()
        if error.code == .frameError || !wasOpen {
            closeAfterFlush()
        } else {
            phase = .closing
            server.loop.schedule(after: 3_000_000_000) { [weak self] in
                self?.terminate(reason: "no close-ok")
            }
        }
    }

    /// Closes with 320 CONNECTION_FORCED, as on broker shutdown.
    func forceClose(reason: String) {
        fail(AMQPError(.connectionForced, reason))
    }

    private func closeChannels() {
        for channel in channels.values { channel.connectionClosed() }
        channels.removeAll()
    }

    func channelClosed(_ number: UInt16) {
        channels[number] = nil
    }

    private var closeWhenFlushed = false

    private func closeAfterFlush() {
        closeChannels()
        phase = .closing
        closeWhenFlushed = true
        scheduleFlush()
    }

    /// Releases everything: channels (requeueing their unacked messages),
    /// exclusive queues, timers and the socket.
    func terminate(reason: String) {
        guard phase != .closed else { return }
        phase = .closed
        closeChannels()
        if let heartbeatTimer { server.loop.cancel(heartbeatTimer) }
        if let handshakeTimer { server.loop.cancel(handshakeTimer) }
        virtualHost?.connectionClosed(id)
        server.connectionTerminated(self)
        server.log("\(name): connection closed (\(reason))")
    }

    // MARK: - Writing

    func send(_ method: Method, on channel: UInt16) {
        output.writeMethodFrame(channel: channel, method)
        scheduleFlush()
    }

    func sendContent(_ method: Method, encodedProperties: [UInt8], body: [UInt8], on channel: UInt16) {
        output.writeContent(channel: channel, method, encodedProperties: encodedProperties, body: body,
                            frameMax: Int(frameMax))
        scheduleFlush()
    }

    /// Whether the client announced that it understands basic.cancel from the server.
    var acceptsConsumerCancelNotify: Bool {
        guard case .table(let capabilities)? = clientProperties["capabilities"] else { return false }
        return capabilities["consumer_cancel_notify"]?.boolValue == true
    }

    private func enqueue(_ bytes: [UInt8]) {
        output.writeBytes(bytes)
        scheduleFlush()
    }

    /// Bytes written but not yet taken by the socket: the measure of a slow reader.
    var pendingOutputBytes: Int { output.count - outputSent }

    private func scheduleFlush() {
        guard !isFlushScheduled else { return }
        isFlushScheduled = true
        server.flushAtTurnEnd(self)
    }

    /// Writes what is pending, once per loop turn. What the socket does not
    /// take waits for writability.
    func flush() {
        isFlushScheduled = false
        guard phase != .closed else { return }
        while outputSent < output.count {
            switch socket.write(output.bytes, from: outputSent) {
            case .bytes(let count):
                outputSent += count
                lastSentAt = server.loop.now
            case .wouldBlock:
                waitForWritable(true)
                return
            case .error:
                outputSent = output.count
                terminate(reason: "write failed")
                return
            }
        }
        output.bytes.removeAll(keepingCapacity: output.bytes.capacity <= 1 << 20)
        outputSent = 0
        waitForWritable(false)
        if closeWhenFlushed { terminate(reason: "closed") }
    }

    private func waitForWritable(_ wanted: Bool) {
        guard wanted != isWaitingForWritable, phase != .closed else { return }
        isWaitingForWritable = wanted
        try? server.loop.modify(socket.fd, interest: wanted ? [.readable, .writable] : [.readable])
    }
}
