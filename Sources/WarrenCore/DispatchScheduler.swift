/// Runs queue dispatch as a work list, so delivery never nests.
///
/// Anything that may let a queue deliver (an enqueue, a new consumer, an ack
/// that frees credit, a raised prefetch) schedules the queue and calls `run`.
/// If a sink reacts to a delivery by acking or publishing, that inner `run`
/// finds the scheduler busy and returns; the outer loop picks up the work.
/// The stack stays flat however long the chain of reactions.
///
/// Dead letters wait here too: a round of dispatch can expire messages, and
/// routing their copies can fill further queues, so the two alternate until
/// neither has work left.
final class DispatchScheduler {
    @exclusivity(unchecked) private var pending: [Queue] = []
    @exclusivity(unchecked) private var isRunning = false
    /// Dead letters not yet routed (see `DeadLetter`).
    @exclusivity(unchecked) var deadLetters: [DeadLetter] = []
    /// Routes dead letters; the vhost installs it. Without it they are dropped.
    var deadLetterRouter: (([DeadLetter]) -> Void)?

    func schedule(_ queue: Queue) {
        guard !queue.isScheduled, !queue.isDeleted else { return }
        queue.isScheduled = true
        pending.append(queue)
    }

    func run() {
        guard !isRunning else { return }
        isRunning = true
        defer { isRunning = false }
        while true {
            dispatchPending()
            guard !deadLetters.isEmpty else { return }
            let letters = deadLetters
            deadLetters.removeAll()
            deadLetterRouter?(letters)
        }
    }

    private func dispatchPending() {
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
