import Foundation
import Glibc
import Synchronization
import Testing
@testable import WarrenStore

struct MessageStoreTests {
    @Test func messagesSurviveCloseAndReopenInOrder() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        #expect(recovered.queues.isEmpty && recovered.notes.isEmpty && recovered.highestMessageID == 0)
        for id in UInt64(1)...20 {
            _ = try store.appendMessage(message(id, exchange: "orders", routingKey: "eu.\(id)"), queues: ["q"])
        }
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        let queue = try #require(recovered.queues["q"])
        #expect(queue.map(\.message.id) == Array(1...20))
        #expect(queue[4].message == message(5, exchange: "orders", routingKey: "eu.5"))
        #expect(queue.allSatisfy { !$0.redelivered })
        #expect(recovered.highestMessageID == 20)
        #expect(recovered.notes.isEmpty)
    }

    @Test func oneBodyIsStoredOnceForSeveralQueues() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        let body = "a body that only fanout could duplicate"
        _ = try store.appendMessage(message(1, body), queues: ["a", "b", "c", "b"])
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        let stored = directory.segmentFiles.flatMap(readFile)
        #expect(occurrences(of: Array(body.utf8), in: stored).count == 1)
        for key in ["a", "b", "c"] {
            #expect(recovered.queues[key].map { $0.map(bodyText) } == [body])
        }
        // The recovered copies share one buffer.
        let a = try #require(recovered.queues["a"]?.first?.message.body)
        let c = try #require(recovered.queues["c"]?.first?.message.body)
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == c.withUnsafeBufferPointer { $0.baseAddress })
    }

    @Test func removedMessagesDoNotComeBack() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        for id in UInt64(1)...10 { _ = try store.appendMessage(message(id), queues: ["q", "r"]) }
        _ = try store.remove(queue: "q", messageIDs: [2, 4, 6])
        _ = try store.remove(queue: "r", messageIDs: [1])
        _ = try store.remove(queue: "q", messageIDs: [2, 99])  // already gone, unknown: ignored
        (store, recovered) = try reopen(store, directory)
        #expect(recovered.queues["q"]?.map(\.message.id) == [1, 3, 5, 7, 8, 9, 10])
        #expect(recovered.queues["r"]?.map(\.message.id) == Array(2...10))
        // And again, through the checkpoint written at the last open.
        _ = try store.remove(queue: "q", messageIDs: [1, 3])
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == [5, 7, 8, 9, 10])
    }

    @Test func deliveredMessagesComeBackRedelivered() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        for id in UInt64(1)...4 { _ = try store.appendMessage(message(id), queues: ["q", "other"]) }
        _ = try store.markDelivered(queue: "q", messageID: 2)
        _ = try store.markDelivered(queue: "q", messageID: 3)
        _ = try store.remove(queue: "q", messageIDs: [3])
        (store, recovered) = try reopen(store, directory)
        #expect(recovered.queues["q"]?.map(\.redelivered) == [false, true, false])
        #expect(recovered.queues["other"]?.allSatisfy { !$0.redelivered } == true)
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.redelivered) == [false, true, false])
    }

    @Test func purgeAndDeleteDropEverythingUpToNow() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        for id in UInt64(1)...5 { _ = try store.appendMessage(message(id), queues: ["p", "d", "keep"]) }
        _ = try store.purge(queue: "p")
        _ = try store.deleteQueue("d")
        _ = try store.appendMessage(message(6), queues: ["p", "d"])  // "d" declared again
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        #expect(recovered.queues["p"]?.map(\.message.id) == [6])
        #expect(recovered.queues["d"]?.map(\.message.id) == [6])
        #expect(recovered.queues["keep"]?.count == 5)
    }

    @Test func readsMessagesBackFromBufferHeadAndSealedSegments() throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.segmentTargetSize = 4096
        options.syncPolicy = .onRequest
        let (store, _) = try openStore(directory, options: options)
        defer { store.close() }
        for id in UInt64(1)...100 { _ = try store.appendMessage(message(id, String(repeating: "x", count: Int(id))), queues: ["q"]) }
        #expect(directory.segmentFiles.count > 1)
        for id in [UInt64(1), 50, 99, 100] {
            #expect(try store.readMessage(id).body.count == Int(id))
        }
        #expect(throws: StoreError.messageNotFound(1000)) { try store.readMessage(1000) }
        _ = try store.remove(queue: "q", messageIDs: Array(1...80))  // at least the first segment
        #expect(store.statistics.segmentsDeleted >= 1)
        #expect(throws: StoreError.messageNotFound(1)) { try store.readMessage(1) }
    }

    @Test func rejectsIDsThatDoNotIncreaseAndEmptyQueueLists() throws {
        let directory = TemporaryDirectory()
        var (store, _) = try openStore(directory)
        _ = try store.appendMessage(message(10), queues: ["q"])
        #expect(throws: StoreError.messageIDNotIncreasing(id: 10, highest: 10)) {
            try store.appendMessage(message(10), queues: ["q"])
        }
        #expect(throws: StoreError.noQueues) { try store.appendMessage(message(11), queues: []) }
        var recovered: RecoveredState
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        #expect(recovered.highestMessageID == 10)
        #expect(throws: StoreError.messageIDNotIncreasing(id: 3, highest: 10)) {
            try store.appendMessage(message(3), queues: ["q"])
        }
    }

    @Test func secondOpenOfALockedDirectoryFails() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        #expect(throws: StoreError.directoryLocked(directory.path)) { try openStore(directory) }
        _ = try store.appendMessage(message(1), queues: ["q"])
        store.close()
        let (again, recovered) = try openStore(directory)
        defer { again.close() }
        #expect(recovered.queues["q"]?.count == 1)
    }

    /// The cause of `randomDamageNeverStopsTheStoreFromOpening`'s failures under parallel
    /// load: a child forked by another thread shares the lock file's open description
    /// until it execs, and held a flock with it. Record locks are not inherited.
    @Test func reopeningWhileAnotherThreadSpawnsProcessesIsNeverRefused() throws {
        let directory = TemporaryDirectory()
        let stop = Atomic<Bool>(false)
        let spawner = Thread {
            while !stop.load(ordering: .relaxed) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/true")
                guard (try? process.run()) != nil else { return }
                process.waitUntilExit()
            }
        }
        spawner.start()
        defer { stop.store(true, ordering: .relaxed) }
        var refusals = 0
        for _ in 0..<60 {
            do {
                let (store, _) = try openStore(directory)
                store.close()
            } catch StoreError.directoryLocked {
                refusals += 1
            }
        }
        #expect(refusals == 0)
    }

    @Test func anotherProcessCannotTakeAHeldDirectoryAndLearnsTheHolder() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        #expect(MessageStore.lockHolder(directory: directory.path) == nil)  // this process holds it
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", """
            import fcntl, os, sys
            fd = os.open(sys.argv[1], os.O_RDWR)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                sys.exit(7)
            """, directory.path + "/LOCK"]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 7)
        store.close()
    }

    @Test func journalRotationKeepsTheState() throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.journalTargetSize = 4096
        var (store, recovered) = try openStore(directory, options: options)
        for id in UInt64(1)...2000 { _ = try store.appendMessage(message(id), queues: ["q"]) }
        for id in UInt64(1)...1990 {
            _ = try store.markDelivered(queue: "q", messageID: id)
            _ = try store.remove(queue: "q", messageIDs: [id])
        }
        _ = try store.markDelivered(queue: "q", messageID: 1995)
        #expect(store.statistics.journalRotations > 5)
        _ = store.waitUntilSettled(store.lastAppendedTicket)
        #expect(directory.journalFiles.count <= 2)
        (store, recovered) = try reopen(store, directory, options: options)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1991...2000))
        #expect(recovered.queues["q"]?.filter(\.redelivered).map(\.message.id) == [1995])
        #expect(directory.journalFiles.count == 1)
    }

    @Test func operationsAfterCloseThrow() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        store.close()
        #expect(throws: StoreError.closed) { try store.appendMessage(message(1), queues: ["q"]) }
        #expect(throws: StoreError.closed) { try store.remove(queue: "q", messageIDs: [1]) }
    }
}
