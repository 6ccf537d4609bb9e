/// One delivery awaiting ack, nack or reject.
struct PendingAck {
    let deliveryTag: UInt64
    let queue: Queue
    /// The entry as delivered (its delivery count already raised), ready to requeue.
    let entry: QueueEntry
    /// The consumer it went to; nil for `basic.get`, which no prefetch counts.
    let consumer: Consumer?
}

/// A session's unacknowledged deliveries, ordered by delivery tag.
///
/// Tags are handed out in increasing order, so appends keep the log sorted.
/// An ack finds its tag by binary search and leaves a tombstone that keeps
/// the tag, so the order still holds; tombstones are swept once they
/// outnumber live entries. Acking in order, the common case, advances the
/// front in O(1). Unlike a window indexed by tag, one old unacked message does
/// not pin memory for every delivery made after it.
struct UnackedLog {
    private struct Slot {
        let tag: UInt64
        var pending: PendingAck?
    }

    private var slots: [Slot] = []
    private var head = 0
    private var tombstones = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Adds a delivery; its tag must exceed every tag already in the log.
    mutating func append(_ pending: PendingAck) {
        slots.append(Slot(tag: pending.deliveryTag, pending: pending))
        count += 1
    }

    func contains(_ tag: UInt64) -> Bool {
        guard let index = position(of: tag) else { return false }
        return slots[index].pending != nil
    }

    /// Removes and returns the delivery with `tag`.
    mutating func remove(_ tag: UInt64) -> PendingAck? {
        guard let index = position(of: tag), let pending = slots[index].pending else { return nil }
        clear(index)
        return pending
    }

    /// Removes every delivery with a tag up to and including `tag`, oldest first.
    mutating func removeAll(upTo tag: UInt64, into taken: inout [PendingAck]) {
        var index = head
        while index < slots.count, slots[index].tag <= tag {
            if let pending = slots[index].pending {
                taken.append(pending)
                slots[index].pending = nil
                count -= 1
                tombstones += 1
            }
            index += 1
        }
        advanceHead()
    }

    /// Removes every delivery, oldest first.
    mutating func removeAll(into taken: inout [PendingAck]) {
        removeAll(upTo: .max, into: &taken)
    }

    /// Puts deliveries back (a rolled-back transaction's acks), keeping tag order.
    mutating func restore(_ pendings: [PendingAck]) {
        guard !pendings.isEmpty else { return }
        var merged = slots[head...].compactMap(\.pending)
        merged.append(contentsOf: pendings)
        merged.sort { $0.deliveryTag < $1.deliveryTag }
        slots = merged.map { Slot(tag: $0.deliveryTag, pending: $0) }
        count = merged.count
        head = 0
        tombstones = 0
    }

    private func position(of tag: UInt64) -> Int? {
        var low = head
        var high = slots.count
        while low < high {
            let middle = low + (high - low) / 2
            let probe = slots[middle].tag
            if probe == tag { return middle }
            if probe < tag { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    private mutating func clear(_ index: Int) {
        slots[index].pending = nil
        count -= 1
        tombstones += 1
        advanceHead()
    }

    /// Steps over leading tombstones, then compacts when they waste space.
    private mutating func advanceHead() {
        while head < slots.count, slots[head].pending == nil {
            head += 1
            tombstones -= 1
        }
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64, head > slots.count / 2 {
            slots.removeFirst(head)
            head = 0
        } else if tombstones > 64, tombstones > count {
            slots = slots[head...].filter { $0.pending != nil }
            head = 0
            tombstones = 0
        }
    }
}
