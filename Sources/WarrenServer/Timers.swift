import Glibc
import WarrenCore

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
    /// Ordered by deadline, then by scheduling order.
    private struct Entry: Comparable {
        var deadline: UInt64
        var sequence: UInt64

        static func < (left: Entry, right: Entry) -> Bool {
            left.deadline != right.deadline ? left.deadline < right.deadline : left.sequence < right.sequence
        }
    }

    private var heap = MinHeap<Entry>()
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
        heap.push(Entry(deadline: deadline, sequence: sequence))
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
        return heap.top?.deadline
    }

    /// Removes and returns the body of the earliest timer due at `now`, if it was
    /// scheduled before `watermark`.
    mutating func popDue(now: UInt64, scheduledBefore watermark: UInt64) -> (() -> Void)? {
        dropCancelledTop()
        guard let top = heap.top, top.deadline <= now, top.sequence < watermark else { return nil }
        heap.popTop()
        return bodies.removeValue(forKey: top.sequence)
    }

    private mutating func dropCancelledTop() {
        while let top = heap.top, bodies[top.sequence] == nil { heap.popTop() }
    }

    /// Rebuilds the heap from live entries only (Floyd's bottom-up heapify, O(n)).
    private mutating func compact() {
        heap.removeAll { bodies[$0.sequence] == nil }
    }
}
