/// Runs queue dispatch as a work list, so delivery never nests.
///
/// Anything that may let a queue deliver (an enqueue, a new consumer, an ack
/// that frees credit, a raised prefetch) schedules the queue and calls `run`.
/// If a sink reacts to a delivery by acking or publishing, that inner `run`
/// finds the scheduler busy and returns; the outer loop picks up the work.
/// The stack stays flat however long the chain of reactions.
final class DispatchScheduler {
    @exclusivity(unchecked) private var pending: [Queue] = []
    @exclusivity(unchecked) private var isRunning = false

    func schedule(_ queue: Queue) {
        guard !queue.isScheduled, !queue.isDeleted else { return }
        queue.isScheduled = true
        pending.append(queue)
    }

    func run() {
        guard !isRunning else { return }
        isRunning = true
        defer { isRunning = false }
        var index = 0
        while index < pending.count {
            let queue = pending[index]
            index += 1
            queue.isScheduled = false
            queue.dispatch()
            if index > 1024, index > pending.count / 2 {
                pending.removeFirst(index)
                index = 0
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}
