import Testing
@testable import WarrenStore

struct SegmentLifecycleTests {
    private var smallSegments: StoreOptions {
        var options = StoreOptions()
        options.segmentTargetSize = 4096
        return options
    }

    @Test func segmentsRollOverAtTheTargetSize() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory, options: smallSegments)
        for id in UInt64(1)...300 { _ = try store.appendMessage(message(id), queues: ["q"]) }
        store.close()
        let sizes = directory.segmentFiles.map(fileSize)
        #expect(sizes.count >= 4)
        #expect(sizes.allSatisfy { $0 <= 4096 })
        let (again, recovered) = try openStore(directory, options: smallSegments)
        defer { again.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1...300))
    }

    @Test func aMessageLargerThanASegmentGetsItsOwn() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory, options: smallSegments)
        _ = try store.appendMessage(message(1), queues: ["q"])
        _ = try store.appendMessage(message(2, String(repeating: "L", count: 20_000)), queues: ["q"])
        _ = try store.appendMessage(message(3), queues: ["q"])
        store.close()
        let sizes = directory.segmentFiles.map(fileSize)
        #expect(sizes.count == 3)
        #expect(sizes[1] > 20_000 && sizes[0] < 200 && sizes[2] < 200)
        let (again, recovered) = try openStore(directory, options: smallSegments)
        defer { again.close() }
        #expect(recovered.queues["q"]?.map { $0.message.body.count } == [6, 20_000, 6])
    }

    @Test func aSegmentIsDeletedOnceNoQueueHoldsAnythingInIt() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory, options: smallSegments)
        defer { store.close() }
        for id in UInt64(1)...200 { _ = try store.appendMessage(message(id), queues: ["q", "r"]) }
        let first = try #require(directory.segmentFiles.first)
        let firstIDs = try #require(store.segments.segments.first?.ids)
        _ = try store.remove(queue: "q", messageIDs: firstIDs)
        _ = store.waitUntilSettled(store.lastAppendedTicket)
        #expect(fileSize(first) > 0)  // "r" still holds them
        _ = try store.remove(queue: "r", messageIDs: Array(firstIDs.dropLast()))
        _ = store.waitUntilSettled(store.lastAppendedTicket)
        #expect(fileSize(first) > 0)  // one message left
        _ = try store.remove(queue: "r", messageIDs: [firstIDs[firstIDs.count - 1]])
        _ = store.waitUntilSettled(store.lastAppendedTicket)
        #expect(fileSize(first) == -1)
        #expect(store.statistics.segmentsDeleted == 1)
    }

    @Test func diskUseTracksTheBacklogNotTheHistory() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory, options: smallSegments)
        defer { store.close() }
        var next: UInt64 = 1
        for _ in 0..<50 {
            let batch = Array(next..<(next + 100))
            for id in batch { _ = try store.appendMessage(message(id), queues: ["q"]) }
            _ = try store.remove(queue: "q", messageIDs: batch)
            next += 100
        }
        _ = store.waitUntilSettled(store.lastAppendedTicket)
        #expect(directory.segmentFiles.count <= 2)
        #expect(store.statistics.segmentsDeleted > 20)
    }

    @Test func deletingAQueueFreesItsSegments() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory, options: smallSegments)
        for id in UInt64(1)...300 { _ = try store.appendMessage(message(id), queues: ["q"]) }
        _ = try store.deleteQueue("q")
        _ = store.waitUntilSettled(store.lastAppendedTicket)
        #expect(directory.segmentFiles.count == 1)  // only the head remains
        (store, recovered) = try reopen(store, directory, options: smallSegments)
        defer { store.close() }
        #expect(recovered.queues.isEmpty)
        #expect(directory.segmentFiles.isEmpty)  // dead head removed at open
    }
}
