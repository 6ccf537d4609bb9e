import AMQPProtocol

/// Everything a channel knows, guarded by the channel's mutex. Touched by the
/// reader thread (replies, deliveries, closes) and by tasks (requests).
struct ChannelState {
    typealias ReplyWaiter = CheckedContinuation<Result<ContentAssembler.Command, ClientError>, Never>
    typealias TurnWaiter = CheckedContinuation<ClientError?, Never>
    typealias DeliverySink = AsyncThrowingStream<Delivery, any Error>.Continuation

    enum Phase {
        case opening
        case open
        /// The application sent `channel.close` and waits for `close-ok`.
        case closing
        case closed(ClientError)
    }

    /// The synchronous request on the wire, waiting for its reply.
    struct PendingRequest {
        let serial: UInt64
        let request: Method
        let waiter: ReplyWaiter
    }

    var phase = Phase.opening
    /// Bodies up to RabbitMQ's hard limit are accepted from the broker.
    var assembler = ContentAssembler(maximumBodySize: ContentAssembler.hardMaximumBodySize)

    /// AMQP allows one synchronous request in flight per channel: a task holds
    /// the turn from sending its request until its reply; others queue here.
    var turnTaken = false
    var turnQueue: [TurnWaiter] = []
    var pendingRequest: PendingRequest?
    var requestSerial: UInt64 = 0

    var consumers: [String: DeliverySink] = [:]
    var consumerCounter = 0
    /// Present once `confirm.select` has been sent.
    var confirms: ConfirmTracker?

    /// Throws unless requests and publishes may be sent.
    func ensureOpen() throws(ClientError) {
        switch phase {
        case .open: return
        case .opening, .closing: throw .closedByApplication
        case .closed(let error): throw error
        }
    }

    var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    /// What was waiting on a channel when it closed, to be failed (outside the lock).
    struct Orphans {
        var turns: [TurnWaiter] = []
        var request: PendingRequest?
        var consumers: [DeliverySink] = []
        var confirms: [ConfirmTracker.Waiter] = []
    }

    /// Marks the channel closed and takes everything still waiting on it;
    /// nil if it was already closed.
    mutating func close(with error: ClientError) -> Orphans? {
        guard !isClosed else { return nil }
        phase = .closed(error)
        assembler.reset()
        defer {
            turnQueue = []
            pendingRequest = nil
            consumers = [:]
        }
        return Orphans(turns: turnQueue, request: pendingRequest, consumers: Array(consumers.values),
                       confirms: confirms?.takeAllWaiters() ?? [])
    }
}
