/// The next deadline of every queue that has one — its head message's TTL
/// expiry or its own `x-expires` — in a binary min-heap, so that the server's
/// timer learns the vhost's earliest deadline in O(1) and `expire(now:)`
/// visits only the queues that are due, however many queues exist.
///
/// Entries are never updated in place. A queue whose deadline moves earlier
/// (a message with a shorter TTL reaches its head, or it loses its last
/// consumer) gets a new entry; one whose deadline moves later (its head was
/// delivered, it was used) keeps the old entry, which comes due early, finds
/// nothing to do and is replaced by the real deadline. `Queue.indexedDeadline`
/// names the current entry; the others are skipped at the top, and swept
/// when they outnumber the live ones. So a queue costs nothing here until
/// its deadline moves earlier, which plain queues never do.
struct DeadlineIndex {
    private struct Entry: Comparable {
        let deadline: UInt64
        let queue: Queue

        var isLive: Bool { !queue.isDeleted && queue.indexedDeadline == deadline }

        static func < (left: Entry, right: Entry) -> Bool { left.deadline < right.deadline }
        static func == (left: Entry, right: Entry) -> Bool {
            left.deadline == right.deadline && left.queue === right.queue
        }
    }

    private var heap = MinHeap<Entry>()
    /// Queues with an indexed deadline.
    private var liveCount = 0

    /// Makes sure `queue`'s entry is no later than `deadline`.
    mutating func note(_ queue: Queue, deadline: UInt64) {
        guard deadline < queue.indexedDeadline else { return }
        if queue.indexedDeadline == .max { liveCount += 1 }
        queue.indexedDeadline = deadline
        heap.push(Entry(deadline: deadline, queue: queue))
        if heap.count > 64, heap.count > 2 * liveCount { compact() }
    }

    /// The earliest deadline, dropping stale entries on top.
    mutating func next() -> UInt64? {
        dropStaleTop()
        return heap.top?.deadline
    }

    /// Removes and returns a queue whose deadline is at or before `now`; the
    /// caller deals with it and notes its next deadline.
    mutating func popDue(now: UInt64) -> Queue? {
        dropStaleTop()
        guard let top = heap.top, top.deadline <= now else { return nil }
        heap.popTop()
        top.queue.indexedDeadline = .max
        liveCount -= 1
        return top.queue
    }

    private mutating func dropStaleTop() {
        while let top = heap.top, !top.isLive {
            heap.popTop()
            if top.queue.isDeleted, top.queue.indexedDeadline == top.deadline {
                top.queue.indexedDeadline = .max
                liveCount -= 1
            }
        }
    }

    /// Keeps live entries only (deleted queues leave), then heapifies (Floyd, O(n)).
    private mutating func compact() {
        for entry in heap.elements where entry.queue.isDeleted && entry.queue.indexedDeadline == entry.deadline {
            entry.queue.indexedDeadline = .max
            liveCount -= 1
        }
        heap.removeAll { !$0.isLive }
    }
}
