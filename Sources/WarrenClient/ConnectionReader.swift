import AMQPProtocol

/// The reader thread's work: connect, handshake, then read and route frames
/// until the connection ends. Nothing here waits on a task; everything it
/// learns reaches tasks through continuations and stream continuations.
extension Connection {
    static func runReader(
        _ configuration: ConnectionConfiguration,
        reportingTo continuation: CheckedContinuation<Result<Connection, ClientError>, Never>
    ) {
        let socket: ClientSocket
        do {
            socket = try ClientSocket.connect(
                host: configuration.host, port: configuration.port,
                timeoutMilliseconds: configuration.connectionTimeoutMilliseconds)
        } catch {
            continuation.resume(returning: .failure(error))
            return
        }
        let writer = FrameWriter(socket: socket)
        var handshake = Handshake(configuration: configuration, writer: writer, source: FrameSource(socket: socket))
        let negotiated: (tuning: ConnectionTuning, serverProperties: FieldTable)
        do {
            negotiated = try handshake.run()
        } catch {
            socket.shutdown()
            writer.close(failure: error)
            continuation.resume(returning: .failure(error))
            return
        }
        let connection = Connection(
            configuration: configuration, tuning: negotiated.tuning, serverProperties: negotiated.serverProperties,
            socket: socket, writer: writer)
        continuation.resume(returning: .success(connection))
        var source = handshake.source
        do {
            try connection.pump(&source)
        } catch {
            connection.finish(error)
        }
    }

    /// Reads, routes and keeps time until something ends the connection;
    /// the error it throws says what.
    private func pump(_ source: inout FrameSource) throws(ClientError) -> Never {
        let heartbeat = UInt64(tuning.heartbeat) * 1_000_000_000
        // Wake often enough to send heartbeats at half the interval, and at
        // least once a second to notice an overdue close-ok.
        let pollTimeout = Int32(tuning.heartbeat == 0 ? 1000 : min(1000, Int(tuning.heartbeat) * 250))
        var lastRead = monotonicNanoseconds()
        while true {
            if try source.fill(timeoutMilliseconds: pollTimeout) {
                lastRead = monotonicNanoseconds()
                while let frame = try source.next() { try route(frame) }
            }
            try keepTime(lastRead: lastRead, heartbeat: heartbeat)
        }
    }

    /// Heartbeats out when we have been quiet for half the interval; a dead
    /// connection when the broker has been silent for two whole intervals
    /// (any frame counts, as in RabbitMQ and pika).
    private func keepTime(lastRead: UInt64, heartbeat: UInt64) throws(ClientError) {
        let now = monotonicNanoseconds()
        if heartbeat > 0 {
            if writer.nanosecondsSinceLastWrite >= heartbeat / 2 { writer.writeHeartbeatIfIdle() }
            if now &- lastRead > 2 * heartbeat {
                throw .connectionLost("no frame from the broker for \(2 * tuning.heartbeat) s (missed heartbeats)")
            }
        }
        if let deadline = state.withLock({ $0.closeDeadline }), now >= deadline {
            throw .closedByApplication
        }
    }

    private func route(_ frame: Frame) throws(ClientError) {
        switch frame {
        case .heartbeat:
            return
        case .method(0, let method):
            try handleConnectionMethod(method)
        default:
            guard frame.channel != 0 else {
                throw .protocolViolation(.unexpectedFrame("content frame on channel 0"))
            }
            let channel = state.withLock { $0.channels[frame.channel] }
            try channel?.receive(frame)
        }
    }

    private func handleConnectionMethod(_ method: Method) throws(ClientError) {
        switch method {
        case .connectionClose(let close):
            try? writer.writeMethod(channel: 0, .connectionCloseOk(ConnectionCloseOk()))
            throw .connectionClosed(CloseReason(close))
        case .connectionCloseOk:
            if state.withLock({ $0.closeRequested }) { throw .closedByApplication }
        case .connectionBlocked(let blocked):
            eventSink.yield(.blocked(reason: blocked.reason))
        case .connectionUnblocked:
            eventSink.yield(.unblocked)
        default:
            break  // update-secret-ok, or something a broker has no reason to send: ignored
        }
    }

    /// Ends the connection: the socket, every channel (their waiters, consumers
    /// and unconfirmed publishes fail with `error`, or finish quietly when the
    /// application asked for the close), the event stream, and `close()` callers.
    func finish(_ error: ClientError) {
        if case .protocolViolation(let violation) = error {
            try? writer.writeMethod(channel: 0, .connectionClose(ConnectionClose(
                replyCode: violation.code.rawValue, replyText: violation.text,
                classId: violation.classID, methodId: violation.methodID)))
        }
        socket.shutdown()
        let (ending, channels) = state.withLock { state in
            let ending = state.closeRequested ? ClientError.closedByApplication : error
            state.ending = ending
            let channels = Array(state.channels.values)
            state.channels = [:]
            return (ending, channels)
        }
        writer.close(failure: ending)
        for channel in channels { channel.connectionDidEnd(ending) }
        eventSink.yield(.closed(ending))
        eventSink.finish()
        // Only now may close() return: its caller sees every channel already ended.
        let waiters = state.withLock { state in
            state.isFinished = true
            defer { state.closeWaiters = [] }
            return state.closeWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
