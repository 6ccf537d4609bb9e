import Glibc

/// Names one scheduled timer so it can be cancelled. IDs are never reused within a loop.
public struct TimerID: Hashable, Sendable {
    let rawValue: UInt64
}

/// Nanoseconds on `CLOCK_MONOTONIC`: never jumps with wall-clock changes, only moves forward.
///
/// Costs one vDSO call (no syscall). The loop caches it once per turn in `EventLoop.now`.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}

/// The loop's timers: a binary min-heap of deadlines with lazy cancellation.
///
/// `cancel` only forgets the body (O(1) on average); the heap entry is dropped when it
/// reaches the top, or all at once when stale entries outnumber live ones, so a caller
/// that cancels and reschedules often (a heartbeat pushed back by traffic) cannot make
/// the heap grow without bound. Entries with equal deadlines fire in scheduling order.
struct TimerQueue {
    private struct Entry {
        var deadline: UInt64
        var sequence: UInt64

        @inline(__always)
        func firesBefore(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var bodies: [UInt64: () -> Void] = [:]
    private var nextSequence: UInt64 = 1

    /// How many timers are scheduled and not cancelled.
    var count: Int { bodies.count }

    /// The sequence the next timer will get. Timers scheduled while due timers are being
    /// fired are at or above it, which lets the loop defer them to the next turn.
    var watermark: UInt64 { nextSequence }

    mutating func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> TimerID {
        let sequence = nextSequence
        nextSequence += 1
        bodies[sequence] = body
        heap.append(Entry(deadline: deadline, sequence: sequence))
        siftUp(heap.count - 1)
        return TimerID(rawValue: sequence)
    }

    mutating func cancel(_ id: TimerID) {
        guard bodies.removeValue(forKey: id.rawValue) != nil else { return }
        let stale = heap.count - bodies.count
        if stale > 64 && stale > bodies.count { compact() }
    }

    /// The earliest live deadline, discarding cancelled entries found on top.
    mutating func nextDeadline() -> UInt64? {
        dropCancelledTop()
        return heap.first?.deadline
    }

    /// Removes and returns the body of the earliest timer due at `now`, if it was
    /// scheduled before `watermark`.
    mutating func popDue(now: UInt64, scheduledBefore watermark: UInt64) -> (() -> Void)? {
        dropCancelledTop()
        guard let top = heap.first, top.deadline <= now, top.sequence < watermark else { return nil }
        removeTop()
        return bodies.removeValue(forKey: top.sequence)
    }

    private mutating func dropCancelledTop() {
        while let top = heap.first, bodies[top.sequence] == nil { removeTop() }
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    /// Rebuilds the heap from live entries only (Floyd's bottom-up heapify, O(n)).
    private mutating func compact() {
        heap.removeAll { bodies[$0.sequence] == nil }
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry.firesBefore(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = entry
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let entry = heap[parent]
        let count = heap.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && heap[child + 1].firesBefore(heap[child]) { child += 1 }
            guard heap[child].firesBefore(entry) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = entry
    }
}
