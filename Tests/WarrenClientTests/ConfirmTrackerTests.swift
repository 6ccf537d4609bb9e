import Testing
@testable import WarrenClient

@Suite("publisher-confirm bookkeeping")
struct ConfirmTrackerTests {
    private func tracker(_ count: Int, mandatory: Bool = false) -> ConfirmTracker {
        var tracker = ConfirmTracker()
        for _ in 0..<count { _ = tracker.register(nil, mandatory: mandatory, exchange: "x", routingKey: "k") }
        return tracker
    }

    @Test("publishes are numbered from 1")
    func numbering() {
        var tracker = ConfirmTracker()
        #expect(tracker.register(nil, mandatory: false, exchange: "", routingKey: "a") == 1)
        #expect(tracker.register(nil, mandatory: false, exchange: "", routingKey: "b") == 2)
        #expect(tracker.nextSequenceNumber == 3)
    }

    @Test("a multiple ack settles every publish up to its tag, a single one only its own")
    func settling() {
        var tracker = tracker(5)
        #expect(tracker.settle(deliveryTag: 2, multiple: false).map(\.sequenceNumber) == [2])
        #expect(tracker.settle(deliveryTag: 4, multiple: true).map(\.sequenceNumber) == [1, 3, 4])
        #expect(tracker.settle(deliveryTag: 4, multiple: false).isEmpty)
        #expect(tracker.unsettledCount == 1)
    }

    @Test("a return marks the oldest unsettled mandatory publish with its exchange and key")
    func returnsAreMatched() {
        var tracker = ConfirmTracker()
        _ = tracker.register(nil, mandatory: false, exchange: "x", routingKey: "k")
        _ = tracker.register(nil, mandatory: true, exchange: "x", routingKey: "other")
        _ = tracker.register(nil, mandatory: true, exchange: "x", routingKey: "k")
        let message = ReturnedMessage(replyCode: .noRoute, replyText: "NO_ROUTE", exchange: "x", routingKey: "k",
                                      properties: BasicProperties(), body: [])
        tracker.markReturned(message)
        let settled = tracker.settle(deliveryTag: 3, multiple: true)
        #expect(settled.map { $0.returned != nil } == [false, false, true])
        #expect(throws: ClientError.publishReturned(message)) { try settled[2].outcome(nacked: false).get() }
        #expect(throws: ClientError.publishNacked(sequenceNumber: 1)) { try settled[0].outcome(nacked: true).get() }
        #expect(throws: Never.self) { try settled[0].outcome(nacked: false).get() }
    }

    @Test("out-of-order single acks, then a multiple ack, settle each publish exactly once")
    func outOfOrderSettling() {
        var tracker = tracker(3000)
        var settled: [UInt64] = []
        for tag in stride(from: 2, through: 3000, by: 2) {
            settled += tracker.settle(deliveryTag: UInt64(tag), multiple: false).map(\.sequenceNumber)
        }
        #expect(tracker.unsettledCount == 1500)
        settled += tracker.settle(deliveryTag: 2999, multiple: true).map(\.sequenceNumber)
        #expect(tracker.unsettledCount == 0)
        #expect(settled.sorted() == Array(1...3000))
        #expect(tracker.remove(5) == nil)
        #expect(tracker.register(nil, mandatory: false, exchange: "", routingKey: "") == 3001)
        #expect(tracker.remove(3001)?.sequenceNumber == 3001)
    }
}
