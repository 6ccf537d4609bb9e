/// The queue's feature path: priorities, TTL, length limits and
/// dead-lettering, with RabbitMQ's classic-queue semantics.
///
/// A queue takes this path while `usesFeaturePath` is set; a plain queue
/// never enters this file, so it pays one predictable branch and no clock.
///
/// - Priorities: one ring per level; a message's level is its `priority`
///   capped at `x-max-priority`. The head is the oldest message of the
///   highest non-empty level, and a requeued message goes back to its place
///   within its own level.
/// - TTL: each entry carries its deadline, the publish time plus the smaller
///   of `x-message-ttl` and its own `expiration`. As in RabbitMQ, only the
///   head expires: a message behind a longer-lived one waits until it
///   reaches the front (or the server's timer finds it there).
/// - Length limits count ready messages only. `drop-head` drops (or
///   dead-letters, reason `maxlen`) from the head until the queue fits;
///   `reject-publish` refuses a publish that would not fit.
extension Queue {
    // MARK: Entering

    /// Enqueues `message` on the feature path at `now`, its own TTL being
    /// `messageTTL`; false when the queue refuses it (`reject-publish`, after
    /// dead-lettering it under `reject-publish-dlx`). As RabbitMQ does, a
    /// message a waiting consumer can take at once is not subject to
    /// `drop-head` overflow, and one with TTL 0 lives only for that handover.
    @inline(never)
    func accept(_ message: Message, messageTTL: UInt64?, now: BrokerTime) -> Bool {
        if settings.hasLengthLimit, settings.overflow != .dropHead, wouldOverflow(adding: message) {
            if settings.overflow == .rejectPublishDeadLetter { deadLetter(message, .maxlen, now) }
            return false
        }
        let ttl: UInt64? = switch (settings.messageTTL, messageTTL) {
        case (let queueTTL?, let ownTTL?): Swift.min(queueTTL, ownTTL)
        case (let queueTTL, let ownTTL): queueTTL ?? ownTTL
        }
        let checksHandover = ttl == 0 || (settings.hasLengthLimit && settings.overflow == .dropHead)
        let handsOver = checksHandover && messageCount == 0 && consumers.contains { $0.hasCredit }
        var deadline = QueueEntry.noDeadline
        if let ttl {
            deadline = now.milliseconds &+ (ttl == 0 && handsOver ? 1 : ttl)
            holdExpiringMessages()
        }
        place(QueueEntry(message: message, sequence: nextSequence, deadline: deadline))
        nextSequence &+= 1
        counters.published &+= 1
        if !handsOver { dropHeadsOverLimit(now) }
        dropExpiredHeads(now)
        virtualHost?.noteDeadline(of: self)
        return true
    }

    /// `requeue` on the feature path: back to its place, then the limits and
    /// TTLs apply again (a requeued message that expired meanwhile is dropped
    /// once it is at the head).
    @inline(never)
    func requeueWithFeatures(_ entry: QueueEntry) {
        if entry.hasDeadline { holdExpiringMessages() }
        place(entry, inSequence: true)
        let now = currentTime
        dropHeadsOverLimit(now)
        dropExpiredHeads(now)
        virtualHost?.noteDeadline(of: self)
    }

    /// A nack or reject without requeue: dead-lettered (reason `rejected`)
    /// when the queue has a dead-letter exchange and still exists.
    func discard(_ entry: QueueEntry) {
        guard !isDeleted, settings.deadLetterExchange != nil else { return }
        deadLetter(entry.message, .rejected, currentTime)
    }

    // MARK: Leaving

    /// `dispatch` on the feature path: expired heads go first, and again
    /// after each delivery, so no consumer is handed a dead message.
    @inline(never)
    func dispatchWithFeatures() {
        let now = currentTime
        dropExpiredHeads(now)
        while !isDeleted, messageCount > 0, let consumer = nextConsumerWithCredit(), let entry = takeHead() {
            consumer.session.deliver(entry, from: self, to: consumer)
            dropExpiredHeads(now)
        }
        virtualHost?.noteDeadline(of: self)
    }

    /// Removes and returns the head: the oldest message of the highest non-empty level.
    @inline(never)
    func takeHead() -> QueueEntry? {
        let entry: QueueEntry?
        if upperCount > 0 {
            settleTopLevel()
            entry = upperLevels[topLevel - 1].popFirst()
            upperCount -= 1
        } else {
            entry = ready.popFirst()
        }
        if let entry, settings.maxLengthBytes != nil { readyBytes -= entry.message.bodySize }
        return entry
    }

    /// The next message to leave, without taking it.
    func peekHead() -> QueueEntry? {
        guard upperCount > 0 else { return ready.first }
        settleTopLevel()
        return upperLevels[topLevel - 1].first
    }

    /// Drops, or dead-letters with reason `expired`, every message at the
    /// head whose deadline has passed (RabbitMQ's drop_expired_msgs).
    func dropExpiredHeads(_ now: BrokerTime) {
        guard mayHoldExpiringMessages else { return }
        while let head = peekHead(), head.deadline <= now.milliseconds {
            _ = takeHead()
            virtualHost?.recordRemoval(head.message, from: self)
            deadLetter(head.message, .expired, now)
        }
        if messageCount == 0, settings.messageTTL == nil {
            mayHoldExpiringMessages = false
            usesFeaturePath = settings.maxPriority > 0 || settings.hasLengthLimit
        }
    }

    // MARK: Deadlines

    /// When this queue next needs the timer: its head's TTL deadline, or,
    /// while it has no consumers, the end of its `x-expires` lease.
    var nextDeadline: UInt64? {
        var deadline: UInt64?
        if mayHoldExpiringMessages, let head = peekHead(), head.hasDeadline { deadline = head.deadline }
        if let expires = settings.expires, consumers.isEmpty, !isDeleted {
            let leaseEnd = lastUsed &+ expires
            deadline = Swift.min(deadline ?? leaseEnd, leaseEnd)
        }
        return deadline
    }

    /// Its `x-expires` lease has run out at `now` (no consumers meanwhile).
    func hasExpired(at now: UInt64) -> Bool {
        guard let expires = settings.expires, consumers.isEmpty else { return false }
        return now >= lastUsed &+ expires
    }

    /// The time from the vhost's clock (the origin for a queue outside any vhost).
    var currentTime: BrokerTime { (virtualHost?.clock ?? .stopped).now() }

    // MARK: Internals

    private func level(of message: Message) -> Int { Swift.min(Int(message.priority), upperLevels.count) }

    /// Puts `entry` on its priority level: at the back, or back in its original
    /// place by queue sequence (a requeue).
    private func place(_ entry: QueueEntry, inSequence: Bool = false) {
        let level = self.level(of: entry.message)
        if level == 0 {
            if inSequence { ready.insertInSequence(entry) } else { ready.append(entry) }
        } else {
            if inSequence { upperLevels[level - 1].insertInSequence(entry) } else { upperLevels[level - 1].append(entry) }
            upperCount += 1
            topLevel = Swift.max(topLevel, level)
        }
        if settings.maxLengthBytes != nil { readyBytes += entry.message.bodySize }
    }

    private func settleTopLevel() {
        while topLevel > 0, upperLevels[topLevel - 1].isEmpty { topLevel -= 1 }
    }

    private func holdExpiringMessages() {
        mayHoldExpiringMessages = true
        usesFeaturePath = true
    }

    /// RabbitMQ's will_overflow: the message would take the queue past a limit.
    private func wouldOverflow(adding message: Message) -> Bool {
        if let maxLength = settings.maxLength, messageCount + 1 > maxLength { return true }
        if let maxBytes = settings.maxLengthBytes, readyBytes + message.bodySize > maxBytes { return true }
        return false
    }

    private var isOverLimit: Bool {
        if let maxLength = settings.maxLength, messageCount > maxLength { return true }
        if let maxBytes = settings.maxLengthBytes, readyBytes > maxBytes { return true }
        return false
    }

    /// `drop-head`: drops (or dead-letters with reason `maxlen`) from the head until the queue fits.
    private func dropHeadsOverLimit(_ now: BrokerTime) {
        guard settings.hasLengthLimit, settings.overflow == .dropHead else { return }
        while isOverLimit, let head = takeHead() {
            virtualHost?.recordRemoval(head.message, from: self)
            deadLetter(head.message, .maxlen, now)
        }
    }

    private func deadLetter(_ message: Message, _ reason: DeadLetter.Reason, _ now: BrokerTime) {
        guard let exchange = settings.deadLetterExchange, let virtualHost else { return }
        virtualHost.deadLetter(message, reason, from: self, exchange: exchange, at: now)
    }
}
