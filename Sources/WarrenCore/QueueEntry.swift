/// One message's place in one queue: kept to three words so that a deep
/// backlog costs 24 bytes per message beyond the shared `Message`.
struct QueueEntry {
    let message: Message
    /// Queue-local enqueue order; requeued entries go back to this position.
    let sequence: UInt64
    /// The TTL deadline in the high 48 bits (monotonic ms; all ones when the
    /// message never expires here) and the delivery count in the low 16
    /// (saturating: only "delivered before" matters). Packed so that TTL
    /// costs no memory: the deadline is per queue, as each queue applies its
    /// own `x-message-ttl`, so it cannot live in the shared message.
    private var packed: UInt64

    /// No deadline: 2^48 - 1 ms is nearly 9,000 years of uptime.
    static let noDeadline: UInt64 = 0xFFFF_FFFF_FFFF

    init(message: Message, sequence: UInt64) {
        self.message = message
        self.sequence = sequence
        self.packed = Self.noDeadline << 16
    }

    init(message: Message, sequence: UInt64, deadline: UInt64) {
        self.message = message
        self.sequence = sequence
        self.packed = Swift.min(deadline, Self.noDeadline) << 16
    }

    /// How many times it has been handed to a consumer or `basic.get` (up to 65,535).
    var deliveryCount: Int { Int(packed & 0xFFFF) }

    /// When it expires in this queue (monotonic ms), or `noDeadline`.
    var deadline: UInt64 { packed >> 16 }

    var hasDeadline: Bool { deadline != Self.noDeadline }

    /// The redelivered flag to send: it was delivered before.
    var isRedelivered: Bool { packed & 0xFFFF != 0 }

    /// The entry as it stands once delivered again.
    func delivered() -> QueueEntry {
        var next = self
        if packed & 0xFFFF != 0xFFFF { next.packed &+= 1 }
        return next
    }
}
