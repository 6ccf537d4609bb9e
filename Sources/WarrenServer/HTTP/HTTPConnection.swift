/// One HTTP/1.1 client connection on the event loop: reads requests through
/// `HTTPRequestParser`, answers each in order (keep-alive, pipelining), and
/// enforces the timeouts. Confined to the loop thread.
///
/// Timeouts: an idle connection closes after `idleTimeoutSeconds`; once the
/// first byte of a request arrives, the whole request must arrive within
/// `requestTimeoutSeconds` (the deadline is not pushed back by further
/// bytes, so a client trickling a byte at a time cannot hold the socket).
/// A client that stops reading its responses stops being read from.
final class HTTPConnection {
    enum Phase {
        case open
        /// The last response is queued: input is dropped until the peer closes
        /// or the linger timer ends the connection.
        case draining
        case closed
    }

    let socket: TCPSocket
    unowned let server: HTTPServer
    private(set) var phase = Phase.open
    private var parser: HTTPRequestParser
    private var output = SocketOutput()
    private var isFlushScheduled = false
    private var interest: Interest = .readable
    private var deadline: TimerID?
    private var halfCloseWhenFlushed = false

    /// Output beyond this stops reading until the client takes it.
    static let outputHighWater = 4 << 20
    static let lingerNanoseconds: UInt64 = 2_000_000_000

    init(socket: TCPSocket, server: HTTPServer) {
        self.socket = socket
        self.server = server
        parser = HTTPRequestParser(limits: server.configuration)
        armDeadline(midRequest: false)
    }

    // MARK: - Reading

    func handle(_ readiness: Readiness) {
        if readiness.contains(.writable) { flush() }
        if readiness.contains(.readable) || readiness.contains(.hangup) || readiness.contains(.error) {
            readable()
        }
    }

    private func readable() {
        for _ in 0..<8 {
            switch phase {
            case .closed: return
            case .draining:
                if !socket.discardInput() { terminate() }
                return
            case .open: break
            }
            guard pendingOutput < Self.outputHighWater else { return updateInterest() }
            let wasMidRequest = parser.isMidRequest
            let result = parser.withAppendableBuffer { socket.read(into: &$0, maxBytes: 64 * 1024) }
            switch result {
            case .bytes:
                if !wasMidRequest { armDeadline(midRequest: true) }
                processInput()
            case .wouldBlock:
                return
            case .closed:
                // A client may half-close after its last request: answer it first.
                return pendingOutput > 0 || isFlushScheduled ? closeAfterFlush() : terminate()
            case .error:
                return terminate()
            }
        }
    }

    private func processInput() {
        while phase == .open {
            let event: HTTPRequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                server.log("HTTP \(socket.peer): \(error.status) \(error.reason)")
                let response = HTTPResponse.error(error.status, error.status == 400 ? "bad_request" : "error", error.reason)
                enqueue(response.serialized(keepAlive: false))
                return closeAfterFlush()
            }
            switch event {
            case nil:
                return
            case .continueExpected?:
                enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            case .request(let request)?:
                respond(to: request)
                if phase == .open { armDeadline(midRequest: parser.isMidRequest) }
            }
        }
    }

    private func respond(to request: HTTPRequest) {
        let response = server.respond(to: request, from: self)
        let keepAlive = request.wantsKeepAlive && phase == .open
        enqueue(response.serialized(keepAlive: keepAlive, omitBody: request.method == "HEAD"))
        if !keepAlive { closeAfterFlush() }
    }

    // MARK: - Timeouts

    private func armDeadline(midRequest: Bool) {
        if let deadline { server.loop.cancel(deadline) }
        let configuration = server.configuration
        let seconds = midRequest ? configuration.requestTimeoutSeconds : configuration.idleTimeoutSeconds
        deadline = server.loop.schedule(after: HTTPConfiguration.nanoseconds(seconds)) { [weak self] in
            self?.deadlinePassed(midRequest: midRequest)
        }
    }

    private func deadlinePassed(midRequest: Bool) {
        deadline = nil
        guard phase == .open else { return }
        guard midRequest else { return terminate() }
        server.log("HTTP \(socket.peer): request timed out")
        enqueue(HTTPResponse.error(408, "request_timeout", "the request did not arrive in time").serialized(keepAlive: false))
        closeAfterFlush()
    }

    // MARK: - Writing and closing

    private var pendingOutput: Int { output.pendingByteCount }

    private func enqueue(_ bytes: [UInt8]) {
        output.bytes.writeBytes(bytes)
        guard !isFlushScheduled else { return }
        isFlushScheduled = true
        server.flushAtTurnEnd(self)
    }

    /// Writes what is pending; what the socket does not take waits for writability.
    func flush() {
        isFlushScheduled = false
        guard phase != .closed else { return }
        switch output.write(to: socket) {
        case .wouldBlock: return updateInterest()
        case .failed: return terminate()
        case .drained: updateInterest()
        }
        if phase == .draining, halfCloseWhenFlushed {
            halfCloseWhenFlushed = false
            try? socket.shutdown(.writing)
        }
    }

    /// Readable while there is room for output; writable while output waits.
    private func updateInterest() {
        guard phase != .closed else { return }
        var wanted: Interest = pendingOutput > 0 ? .writable : []
        if phase == .draining || pendingOutput < Self.outputHighWater { wanted.insert(.readable) }
        guard wanted != interest else { return }
        interest = wanted
        try? server.loop.modify(socket.fd, interest: wanted)
    }

    /// Sends what is queued, then FIN; the socket closes when the peer closes
    /// its end, or after the linger time.
    private func closeAfterFlush() {
        guard phase == .open else { return }
        phase = .draining
        halfCloseWhenFlushed = true
        if let deadline { server.loop.cancel(deadline) }
        deadline = server.loop.schedule(after: Self.lingerNanoseconds) { [weak self] in self?.terminate() }
        if !isFlushScheduled {
            isFlushScheduled = true
            server.flushAtTurnEnd(self)
        }
    }

    /// Releases the socket and the timer at once.
    func terminate() {
        guard phase != .closed else { return }
        phase = .closed
        if let deadline { server.loop.cancel(deadline) }
        deadline = nil
        server.connectionClosed(self)
    }
}
