/// Time-driven work: message TTLs that run out at the head of a queue, and
/// queues whose `x-expires` lease runs out.
///
/// The server's timer asks `nextExpiryDeadline` after each loop turn, sleeps
/// until then, and calls `expire(now:)`. Between timer calls the AMQP
/// operations themselves drop expired heads when they meet them, so no
/// consumer and no `basic.get` ever sees a message past its TTL.
extension VirtualHost {
    /// The earliest TTL or queue-expiry deadline here (monotonic ms), if any.
    /// O(1) amortised. It may be earlier than needed (a stale entry), never later.
    public var nextExpiryDeadline: UInt64? { deadlines.next() }

    /// Expires what is due at `now`: queues unused for their `x-expires`
    /// are deleted (their messages are not dead-lettered, as in RabbitMQ),
    /// and expired messages at the heads of queues are dropped or
    /// dead-lettered. Returns the next deadline.
    @discardableResult
    public func expire(now: BrokerTime) -> UInt64? {
        while let queue = deadlines.popDue(now: now.milliseconds) {
            if queue.hasExpired(at: now.milliseconds) {
                removeQueue(queue)
                continue
            }
            queue.dropExpiredHeads(now)
            if !queue.consumers.isEmpty { scheduler.schedule(queue) }
            noteDeadline(of: queue)
        }
        scheduler.run()
        return deadlines.next()
    }

    /// Indexes `queue`'s next deadline, if it has one earlier than the indexed one.
    func noteDeadline(of queue: Queue) {
        guard let deadline = queue.nextDeadline else { return }
        deadlines.note(queue, deadline: deadline)
    }

    /// Renews an `x-expires` lease: the queue was declared, redeclared, read
    /// by `basic.get` or left by its last consumer.
    func markUsed(_ queue: Queue) {
        guard queue.settings.expires != nil else { return }
        queue.lastUsed = clock.now().milliseconds
        noteDeadline(of: queue)
    }

    /// Enqueues one routed copy of `message`; false when the queue refuses it
    /// (`x-overflow` `reject-publish`). Plain queues take the fast path; the
    /// others, and messages with their own TTL, go through `Queue.accept`
    /// with the time read once per publish into `time`.
    @inline(__always)
    func enqueue(_ message: Message, on queue: Queue, time: inout BrokerTime?) -> Bool {
        guard queue.usesFeaturePath || message.hasExpiration else {
            queue.enqueue(message)
            return true
        }
        let now = time ?? clock.now()
        time = now
        guard queue.accept(message, messageTTL: message.expirationTTL, now: now) else {
            refusedEnqueues &+= 1
            return false
        }
        return true
    }
}
