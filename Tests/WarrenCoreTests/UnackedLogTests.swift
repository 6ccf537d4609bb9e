import Testing
@testable import WarrenCore

struct UnackedLogTests {
    let queue = Queue(name: "q")

    func pending(_ tag: UInt64) -> PendingAck {
        let message = Message.make(exchange: "", routingKey: "q", body: [], sequence: tag)
        return PendingAck(deliveryTag: tag, queue: queue, entry: QueueEntry(message: message, sequence: tag), consumer: nil)
    }

    func filled(_ tags: ClosedRange<UInt64>) -> UnackedLog {
        var log = UnackedLog()
        for tag in tags { log.append(pending(tag)) }
        return log
    }

    @Test func removesByTagInAnyOrder() {
        var log = filled(1...10)
        for tag: UInt64 in [5, 1, 10, 3, 2] { #expect(log.remove(tag)?.deliveryTag == tag) }
        #expect(log.remove(5) == nil)
        #expect(log.count == 5)
        #expect(log.contains(4))
        #expect(!log.contains(3))
    }

    @Test func removeUpToTakesEverythingNotAbove() {
        var log = filled(1...10)
        _ = log.remove(4)
        var taken: [PendingAck] = []
        log.removeAll(upTo: 6, into: &taken)
        #expect(taken.map(\.deliveryTag) == [1, 2, 3, 5, 6])
        taken.removeAll()
        log.removeAll(into: &taken)
        #expect(taken.map(\.deliveryTag) == [7, 8, 9, 10])
        #expect(log.isEmpty)
    }

    @Test func oneOldDeliveryDoesNotPinLaterOnes() {
        var log = UnackedLog()
        log.append(pending(1))
        for tag: UInt64 in 2...100_000 {
            log.append(pending(tag))
            _ = log.remove(tag)
        }
        #expect(log.count == 1)
        #expect(log.contains(1))
        log.append(pending(100_001))
        #expect(log.remove(100_001) != nil)
    }

    @Test func restoreKeepsTagOrder() {
        var log = filled(1...6)
        let held = [log.remove(2), log.remove(5)].compactMap { $0 }
        log.restore(held)
        var taken: [PendingAck] = []
        log.removeAll(into: &taken)
        #expect(taken.map(\.deliveryTag) == [1, 2, 3, 4, 5, 6])
    }
}
