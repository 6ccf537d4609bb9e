/// One message's place in one queue: kept to three words so that a deep
/// backlog costs 24 bytes per message beyond the shared `Message`.
struct QueueEntry {
    let message: Message
    /// Queue-local enqueue order; requeued entries go back to this position.
    let sequence: UInt64
    /// How many times it has been handed to a consumer or `basic.get`.
    private(set) var deliveryCount: UInt32

    init(message: Message, sequence: UInt64, deliveryCount: UInt32 = 0) {
        self.message = message
        self.sequence = sequence
        self.deliveryCount = deliveryCount
    }

    /// The redelivered flag to send: it was delivered before.
    var isRedelivered: Bool { deliveryCount > 0 }

    /// The entry as it stands once delivered again.
    func delivered() -> QueueEntry {
        var next = self
        next.deliveryCount = deliveryCount == .max ? .max : deliveryCount + 1
        return next
    }
}
