import AMQPProtocol
import Synchronization

/// An AMQP channel: where exchanges and queues are declared, messages
/// published, consumed, got and acknowledged.
///
/// Safe to share between tasks. Synchronous requests (declare, bind, get...)
/// are sent one at a time, as AMQP requires, in the order tasks asked;
/// publishes and acks go straight out. A soft error from the broker (404,
/// 406...) closes the channel: the request that caused it throws
/// `ClientError.channelClosed` with the broker's code and text, every later
/// call throws the same, and the connection and its other channels go on.
public final class Channel: Sendable {
    public let id: UInt16
    public let connection: Connection
    /// Returned messages, broker cancels, flow, and the final close. Buffers
    /// the newest 256 for a reader that is not keeping up (or not reading).
    public let events: AsyncStream<ChannelEvent>

    let eventSink: AsyncStream<ChannelEvent>.Continuation
    let state = Mutex(ChannelState())
    var writer: FrameWriter { connection.writer }

    init(id: UInt16, connection: Connection) {
        self.id = id
        self.connection = connection
        (events, eventSink) = AsyncStream.makeStream(of: ChannelEvent.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// True from `channel.open-ok` until the channel closes or `close()` is called.
    public var isOpen: Bool {
        state.withLock { state in
            if case .open = state.phase { return true }
            return false
        }
    }

    /// Why the channel closed, once it has.
    public var closeReason: ClientError? {
        state.withLock { state in
            if case .closed(let error) = state.phase { return error }
            return nil
        }
    }

    func open() async throws(ClientError) {
        _ = try await request(.channelOpen(ChannelOpen()))
    }

    /// `channel.close` with 200, waiting for `close-ok`. Consumers' sequences
    /// finish normally; unconfirmed publishes throw `.closedByApplication`.
    /// Does nothing on a channel that is already closed.
    public func close() async {
        _ = try? await request(.channelClose(ChannelClose(replyCode: ReplyCode.success.rawValue, replyText: "Goodbye")))
    }

    // MARK: - Sending

    /// Sends one method that has no reply (ack, nack, reject, no-wait requests).
    func send(_ method: Method) throws(ClientError) {
        try writer.write { buffer throws(ClientError) in
            try state.withLock { state throws(ClientError) in try state.ensureOpen() }
            buffer.writeMethodFrame(channel: id, method)
        }
    }

    /// Sends a synchronous request when its turn comes and waits for the reply.
    /// `prepare` runs under the channel's lock just before the request is
    /// written, for state that must change in step with the wire (confirm mode).
    @discardableResult
    func request(
        _ method: Method, prepare: ((inout ChannelState) -> Void)? = nil
    ) async throws(ClientError) -> ContentAssembler.Command {
        try await takeTurn()
        let result: Result<ContentAssembler.Command, ClientError> = await withCheckedContinuation { waiter in
            var serial: UInt64?
            do throws(ClientError) {
                try writer.write { buffer throws(ClientError) in
                    serial = try state.withLock { state throws(ClientError) -> UInt64 in
                        try state.check(method)
                        state.requestSerial += 1
                        state.pendingRequest = ChannelState.PendingRequest(
                            serial: state.requestSerial, request: method, waiter: waiter)
                        prepare?(&state)
                        return state.requestSerial
                    }
                    buffer.writeMethodFrame(channel: id, method)
                }
            } catch {
                // Registered but not written: take it back, unless a close already failed it.
                let ours = state.withLock { state -> Bool in
                    guard let serial else { return true }
                    guard state.pendingRequest?.serial == serial else { return false }
                    state.pendingRequest = nil
                    return true
                }
                if ours { waiter.resume(returning: .failure(error)) }
            }
        }
        passTurn()
        return try result.get()
    }

    private func takeTurn() async throws(ClientError) {
        let refusal: ClientError? = await withCheckedContinuation { waiter in
            let immediate = state.withLock { state -> ClientError?? in
                if case .closed(let error) = state.phase { return .some(error) }
                guard state.turnTaken else {
                    state.turnTaken = true
                    return .some(nil)
                }
                state.turnQueue.append(waiter)
                return .none
            }
            if let immediate { waiter.resume(returning: immediate) }
        }
        if let refusal { throw refusal }
    }

    private func passTurn() {
        let next = state.withLock { state -> ChannelState.TurnWaiter? in
            guard !state.turnQueue.isEmpty else {
                state.turnTaken = false
                return nil
            }
            return state.turnQueue.removeFirst()
        }
        next?.resume(returning: nil)
    }

    /// Fails everything that waited on a closed channel and lets the
    /// connection reuse its number.
    func settle(_ orphans: ChannelState.Orphans, _ error: ClientError) {
        connection.forget(self)
        orphans.request?.waiter.resume(returning: .failure(error))
        for turn in orphans.turns { turn.resume(returning: error) }
        for consumer in orphans.consumers {
            if case .closedByApplication = error { consumer.finish() } else { consumer.finish(throwing: error) }
        }
        for waiter in orphans.confirms { waiter.resume(returning: .failure(error)) }
        eventSink.yield(.closed(error))
        eventSink.finish()
    }

    /// The connection is gone: everything on this channel fails with its reason.
    func connectionDidEnd(_ error: ClientError) {
        guard let orphans = state.withLock({ $0.close(with: error) }) else { return }
        settle(orphans, error)
    }
}

extension ChannelState {
    /// Whether `method` may be sent now: `channel.open` only while opening,
    /// `channel.close` only while open (it starts the closing), the rest only while open.
    fileprivate mutating func check(_ method: Method) throws(ClientError) {
        switch (method, phase) {
        case (.channelOpen, .opening): return
        case (.channelClose, .open): phase = .closing
        default: try ensureOpen()
        }
    }
}
