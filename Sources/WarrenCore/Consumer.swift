import AMQPProtocol

/// A `basic.consume` subscription: one session's claim on one queue.
public final class Consumer {
    public let tag: String
    public let queue: Queue
    public let session: Session
    public let noAck: Bool
    public let isExclusive: Bool
    public let arguments: FieldTable
    /// The channel's `basic.qos` (global = false) when the consumer was made; 0 means no limit.
    public let prefetchLimit: UInt16
    /// Deliveries still awaiting ack, nack or reject.
    @exclusivity(unchecked) public internal(set) var unackedCount = 0

    init(tag: String, queue: Queue, session: Session, noAck: Bool, exclusive: Bool,
         arguments: FieldTable, prefetchLimit: UInt16) {
        self.tag = tag
        self.queue = queue
        self.session = session
        self.noAck = noAck
        self.isExclusive = exclusive
        self.arguments = arguments
        self.prefetchLimit = prefetchLimit
    }

    /// Whether one more message may be sent now: nothing while the session is
    /// paused for back-pressure; otherwise no-ack consumers are never limited,
    /// and others stop at their own prefetch and at the channel's global one.
    var hasCredit: Bool {
        if session.isDeliveryPaused { return false }
        if noAck { return true }
        if prefetchLimit != 0, unackedCount >= Int(prefetchLimit) { return false }
        return session.hasGlobalCredit
    }
}
