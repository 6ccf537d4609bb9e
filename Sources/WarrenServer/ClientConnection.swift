import AMQPProtocol
import WarrenCore

/// One AMQP client connection: the handshake, the frame stream, heartbeats
/// and the channels, from the first byte to the socket's close.
///
/// Confined to the event-loop thread, like everything the server owns. The
/// state touched for every frame is `@exclusivity(unchecked)`, as in the core:
/// Swift's run-time access checks on it cost about 6% of the loop in a publish profile.
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
        /// Warren has said its last word: input is read and dropped until the
        /// peer closes or the linger timer ends the connection.
        case draining
        case closed
    }

    let id: ConnectionID
    let socket: TCPSocket
    unowned let server: ServerContext
    @exclusivity(unchecked) private(set) var phase: Phase = .awaitingProtocolHeader
    @exclusivity(unchecked) private var splitter: FrameSplitter
    /// The open channels by number; only this class adds or removes them.
    @exclusivity(unchecked) private(set) var channels: [UInt16: ServerChannel] = [:]
    /// Frames waiting for the socket.
    @exclusivity(unchecked) private var output = SocketOutput()
    @exclusivity(unchecked) private var isFlushScheduled = false
    private var isWaitingForWritable = false
    @exclusivity(unchecked) private var lastReceivedAt: UInt64
    @exclusivity(unchecked) private var lastSentAt: UInt64
    private var heartbeatTimer: TimerID?
    private var handshakeTimer: TimerID?

    @exclusivity(unchecked) private(set) var frameMax: UInt32
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
        guard phase != .draining else {
            if !socket.discardInput() { terminate(reason: "closed") }
            return
        }
        if !hasInputBacklog {
            switch splitter.withAppendableBuffer({ socket.read(into: &$0, maxBytes: 128 * 1024) }) {
            case .bytes:
                lastReceivedAt = server.loop.now
            case .wouldBlock:
                return
            case .closed, .error:
                terminate(reason: "client closed the socket")
                return
            }
        }
        processInput()
        if hasInputBacklog { scheduleBacklog() }
    }

    /// Frames handled per connection per loop turn. A publisher that floods
    /// its socket gets this many, then the loop turns to the others (the
    /// consumers' acks above all) before it reads on; what it sent waits in
    /// its socket, which is TCP's own back-pressure on it. 256 frames (85
    /// small publishes) amortise a turn's epoll_wait and each consumer's send
    /// over more messages than 64 did (scenario 1: 600k -> 750k msgs/s); a
    /// publisher that feeds a backlog yields sooner (`yieldInput`).
    static let framesPerTurn = 256
    /// Whole frames are still buffered after this turn's share.
    @exclusivity(unchecked) private var hasInputBacklog = false
    /// Frames this connection may still handle in this turn.
    @exclusivity(unchecked) private var budget = 0

    /// Ends this connection's share of the turn after the current frame (a publish
    /// joined a backlog that consumers are working through).
    func yieldInput() {
        budget = 0
    }
    private var isBacklogScheduled = false

    /// Comes back next turn even if the socket has nothing new to read.
    private func scheduleBacklog() {
        guard !isBacklogScheduled else { return }
        isBacklogScheduled = true
        server.loop.schedule(after: 0) { [weak self] in
            guard let self else { return }
            isBacklogScheduled = false
            guard phase != .closed, hasInputBacklog else { return }
            readable()
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
        hasInputBacklog = false
        do {
            budget = Self.framesPerTurn
            while phase != .closed, phase != .draining, let raw = try splitter.next() {
                try handle(raw)
                budget -= 1
                if budget <= 0 {
                    hasInputBacklog = splitter.bufferedByteCount > 0
                    return
                }
            }
        } catch {
            fail(error)
        }
    }

    /// An open channel's frames go to it undecoded (`ServerChannel.receive`); the
    /// rest is decoded into a `Frame` here.
    private func handle(_ raw: RawFrame) throws(AMQPError) {
        if phase == .open, raw.channel != 0, raw.type != .heartbeat, let channel = channels[raw.channel] {
            try channel.receive(raw)
            return
        }
        try handle(Frame(raw))
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
        guard phase != .draining else { return }
        switch frame {
        case .heartbeat:
            return
        case .method(0, let method):
            try handleConnectionMethod(method)
        case .header(0, _), .body(0, _):
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
        guard case .method(_, let method) = frame else {
            throw .unexpectedFrame("expected method frame, got non method frame instead")
        }
        guard case .channelOpen = method else {
            throw AMQPError(.channelError, "expected 'channel.open'", classID: method.classID, methodID: method.methodID)
        }
        try checkChannelLimits(opening: number)
        guard let virtualHost else { return }
        let channel = ServerChannel(number: number, connection: self, virtualHost: virtualHost)
        channel.session.isDeliveryPaused = areDeliveriesPaused
        channels[number] = channel
        send(.channelOpenOk(ChannelOpenOk()), on: number)
    }

    /// RabbitMQ's limit is on the channels open at once; Warren also refuses
    /// numbers above the negotiated channel_max, which the spec reserves.
    private func checkChannelLimits(opening number: UInt16) throws(AMQPError) {
        let openID = (classID: ChannelOpen.classID, methodID: ChannelOpen.methodID)
        guard channels.count < Int(channelMax) else {
            throw AMQPError(.notAllowed, "number of channels opened (\(channels.count)) has reached the negotiated channel_max (\(channelMax))",
                            classID: openID.classID, methodID: openID.methodID)
        }
        guard number <= channelMax else {
            throw AMQPError(.notAllowed, "channel number \(number) is above the negotiated channel_max (\(channelMax))",
                            classID: openID.classID, methodID: openID.methodID)
        }
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

    /// A connection method; an error it causes names it in connection.close
    /// unless the error names another (tune-ok's errors name connection.tune).
    private func handleConnectionMethod(_ method: Method) throws(AMQPError) {
        do {
            try dispatchConnectionMethod(method)
        } catch var error {
            if error.classID == 0 {
                error.classID = method.classID
                error.methodID = method.methodID
            }
            throw error
        }
    }

    private func dispatchConnectionMethod(_ method: Method) throws(AMQPError) {
        switch (phase, method) {
        case (.awaitingStartOk, .connectionStartOk(let startOk)):
            authenticate(startOk)
        case (.awaitingTuneOk, .connectionTuneOk(let tuneOk)):
            try tune(tuneOk)
        case (.awaitingOpen, .connectionOpen(let open)):
            try openVirtualHost(open)
        case (_, .connectionClose):
            send(.connectionCloseOk(ConnectionCloseOk()), on: 0)
            closeAfterFlush()
        case (.open, .connectionUpdateSecret(let update)):
            try updateSecret(update)
        case (.open, .connectionCloseOk):
            terminate(reason: "close-ok without close")
        default:
            throw AMQPError(.channelError, "unexpected method \(method.name) in connection state \(phase)")
        }
    }

    /// Checks start-ok: an unknown mechanism closes the socket without a word
    /// (the spec's rule); an unparseable response is 502; wrong credentials
    /// are 403, sent only to clients that announced
    /// `authentication_failure_close`, and the socket closes 3 s later
    /// either way, to slow down password guessing.
    private func authenticate(_ startOk: ConnectionStartOk) {
        clientProperties = startOk.clientProperties
        guard let mechanism = AuthenticationMechanism(rawValue: startOk.mechanism) else {
            server.log("\(name): connection error 503 COMMAND_INVALID - unknown authentication mechanism '\(startOk.mechanism)'")
            closeAfterFlush()
            return
        }
        let startOkID = (classID: ConnectionStartOk.classID, methodID: ConnectionStartOk.methodID)
        do throws(AMQPError) {
            let credentials = try Credentials(mechanism: mechanism, response: startOk.response)
            user = try server.broker.authenticate(credentials, mechanism: mechanism.rawValue, fromLoopback: socket.isLoopback)
        } catch var error {
            error.classID = startOkID.classID
            error.methodID = startOkID.methodID
            guard error.code == .accessRefused else { return fail(error) }
            server.log("\(name): login refused: \(error)")
            if clientCapability("authentication_failure_close") {
                send(.connectionClose(ConnectionClose(replyCode: error.code.rawValue, replyText: error.text,
                                                      classId: error.classID, methodId: error.methodID)), on: 0)
            }
            closeAfterFlush(lingerNanoseconds: Self.authenticationFailureDelay, halfClose: false)
            return
        }
        phase = .awaitingTuneOk
        send(.connectionTune(ConnectionTune(
            channelMax: server.configuration.channelMax,
            frameMax: server.configuration.frameMax,
            heartbeat: server.configuration.heartbeat
        )), on: 0)
    }

    /// How long a refused login keeps its socket, as RabbitMQ does.
    static let authenticationFailureDelay: UInt64 = 3_000_000_000

    /// connection.update-secret: the new secret must log the same user in again.
    private func updateSecret(_ update: ConnectionUpdateSecret) throws(AMQPError) {
        let secret = String(decoding: update.newSecret, as: UTF8.self)
        guard let user, server.broker.authenticate(username: user.name, password: secret) != nil else {
            throw AMQPError(.notAllowed, "New secret was refused by one of the backends")
        }
        send(.connectionUpdateSecretOk(ConnectionUpdateSecretOk()), on: 0)
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
            let detail = value == 0 && field == "channel_max" ? " (no limit)" : ""
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
        guard phase != .draining, phase != .closed else { return }
        let now = server.loop.now
        if now &- lastReceivedAt >= half * 4 {
            server.log("\(name): missed heartbeats from client, timeout: \(heartbeatSeconds)s")
            terminate(reason: "missed heartbeats")
            return
        }
        if now &- lastSentAt >= half {
            output.bytes.writeHeartbeat()
            scheduleFlush()
        }
        heartbeatTimer = server.loop.schedule(after: half) { [weak self] in self?.heartbeatTick(half: half) }
    }

    // MARK: - Errors and closing

    /// Ends the connection with a hard error: connection.close, then only
    /// close-ok is listened for. A frame-level error leaves the stream
    /// unparseable, and before connection.open-ok there is nothing to wait
    /// for: then the socket closes once the close is written. An error in
    /// what a closing peer sends means the same: Warren stops listening.
    func fail(_ error: AMQPError) {
        switch phase {
        case .closing:
            closeAfterFlush()
            return
        case .draining, .closed:
            return
        default:
            break
        }
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
            server.loop.schedule(after: Self.closeOkTimeout) { [weak self] in
                guard let self, self.phase == .closing else { return }
                self.terminate(reason: "no close-ok")
            }
        }
    }

    /// How long Warren waits for close-ok after its connection.close (§1.4);
    /// heartbeats, when on, drop a silent peer sooner.
    static let closeOkTimeout: UInt64 = 30_000_000_000

    /// Closes with 320 CONNECTION_FORCED, as on broker shutdown.
    func forceClose(reason: String) {
        fail(AMQPError(.connectionForced, reason))
    }

    private func closeChannels() {
        for channel in channels.values { channel.connectionClosed() }
        channels.removeAll()
    }

    private var hasLeftBroker = false

    /// The connection is done with the broker: its channels close (which
    /// requeues their unacked messages) and its exclusive queues go. Done as
    /// soon as Warren has said its last word, so that a client that has its
    /// close-ok can count on it.
    private func leaveBroker() {
        closeChannels()
        guard !hasLeftBroker else { return }
        hasLeftBroker = true
        virtualHost?.connectionClosed(id)
    }

    func channelClosed(_ number: UInt16) {
        channels[number] = nil
    }

    private var halfCloseWhenFlushed = false

    /// Warren's last word is queued: from now on input is dropped. Once the
    /// output is written, `halfClose` sends FIN at once (the peer sees the
    /// end right after the last frame); the socket itself closes when the
    /// peer closes its end, or `lingerNanoseconds` from now at the latest.
    /// Draining instead of closing at once keeps the kernel from answering
    /// late input with a reset, which can destroy the frames just sent.
    private func closeAfterFlush(lingerNanoseconds: UInt64 = 1_000_000_000, halfClose: Bool = true) {
        guard phase != .draining, phase != .closed else { return }
        leaveBroker()
        phase = .draining
        halfCloseWhenFlushed = halfClose
        server.loop.schedule(after: lingerNanoseconds) { [weak self] in self?.terminate(reason: "closed") }
        scheduleFlush()
    }

    /// Releases everything: channels (requeueing their unacked messages),
    /// exclusive queues, timers and the socket.
    func terminate(reason: String) {
        guard phase != .closed else { return }
        phase = .closed
        leaveBroker()
        if let heartbeatTimer { server.loop.cancel(heartbeatTimer) }
        if let handshakeTimer { server.loop.cancel(handshakeTimer) }
        server.connectionTerminated(self)
        server.log("\(name): connection closed (\(reason))")
    }

    // MARK: - Writing

    func send(_ method: Method, on channel: UInt16) {
        output.bytes.writeMethodFrame(channel: channel, method)
        scheduleFlush()
    }

    /// Writes a content method with the message's properties and body,
    /// copied straight from the shared message into the output buffer.
    func sendContent(_ method: Method, message: Message, on channel: UInt16) {
        message.withEncodedProperties { properties in
            message.withBody { body in
                output.bytes.writeContent(channel: channel, method, encodedProperties: properties, body: body,
                                    frameMax: Int(frameMax))
            }
        }
        contentWritten()
    }

    /// Writes a `basic.deliver` with its content (see `ByteWriter.writeDelivery`).
    func sendDelivery(_ delivery: Delivery, on channel: UInt16) {
        output.bytes.writeDelivery(channel: channel, consumerTag: delivery.consumerTag, deliveryTag: delivery.deliveryTag,
                                   redelivered: delivery.redelivered, message: delivery.message, frameMax: Int(frameMax))
        contentWritten()
    }

    private func contentWritten() {
        scheduleFlush()
        if !areDeliveriesPaused, pendingOutputBytes > Self.outputHighWatermark { pauseDeliveries(true) }
    }

    // MARK: - Back-pressure

    /// Above this many unsent bytes the connection's consumers get nothing
    /// more until the client has read down to the low watermark, so a
    /// consumer that does not read cannot make Warren buffer without bound.
    static let outputHighWatermark = 1 << 20
    static let outputLowWatermark = 256 << 10
    @exclusivity(unchecked) private var areDeliveriesPaused = false

    private func pauseDeliveries(_ paused: Bool) {
        areDeliveriesPaused = paused
        for channel in channels.values { channel.session.isDeliveryPaused = paused }
    }

    /// Whether the client announced that it understands basic.cancel from the server.
    var acceptsConsumerCancelNotify: Bool { clientCapability("consumer_cancel_notify") }

    /// True when start-ok's client-properties.capabilities holds `name: true`.
    private func clientCapability(_ name: String) -> Bool {
        guard case .table(let capabilities)? = clientProperties["capabilities"] else { return false }
        return capabilities[name]?.boolValue == true
    }

    private func enqueue(_ bytes: [UInt8]) {
        output.bytes.writeBytes(bytes)
        scheduleFlush()
    }

    /// Bytes written but not yet taken by the socket: the measure of a slow reader.
    var pendingOutputBytes: Int { output.pendingByteCount }

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
        let before = output.pendingByteCount
        let outcome = output.write(to: socket)
        if output.pendingByteCount < before { lastSentAt = server.loop.now }
        switch outcome {
        case .wouldBlock:
            waitForWritable(true)
            if areDeliveriesPaused, pendingOutputBytes <= Self.outputLowWatermark { pauseDeliveries(false) }
            return
        case .failed:
            terminate(reason: "write failed")
            return
        case .drained:
            waitForWritable(false)
            if areDeliveriesPaused { pauseDeliveries(false) }
        }
        if phase == .draining, halfCloseWhenFlushed {
            halfCloseWhenFlushed = false
            try? socket.shutdown(.writing)
        }
    }

    private func waitForWritable(_ wanted: Bool) {
        guard wanted != isWaitingForWritable, phase != .closed else { return }
        isWaitingForWritable = wanted
        try? server.loop.modify(socket.fd, interest: wanted ? [.readable, .writable] : [.readable])
    }
}
