import Foundation
import Glibc
import Synchronization
import Testing
@testable import WarrenStore

/// A switchable fault: fail writes or syncs of files whose path contains `pathPart`.
final class Faults: Sendable {
    let failWrites = Atomic<Int32>(0)
    let failSyncs = Atomic<Int32>(0)
    let pathPart: String

    init(pathPart: String = "") { self.pathPart = pathPart }

    var injector: FaultInjector {
        FaultInjector { [self] operation, path in
            guard pathPart.isEmpty || path.contains(pathPart) else { return nil }
            let errno = operation == .write ? failWrites.load(ordering: .relaxed) : failSyncs.load(ordering: .relaxed)
            return errno == 0 ? nil : errno
        }
    }
}

struct DiskFullTests {
    @Test func aFailedWriteThrowsStoresNothingAndTheStoreRecovers() throws {
        let directory = TemporaryDirectory()
        let faults = Faults(pathPart: "/segments/")
        var options = StoreOptions()
        options.faultInjector = faults.injector
        let (store, _) = try openStore(directory, options: options)
        _ = try store.appendMessage(message(1), queues: ["q"])
        faults.failWrites.store(ENOSPC, ordering: .relaxed)
        #expect(throws: StoreError.writeFailed(path: directory.segmentFiles[0], errno: ENOSPC)) {
            try store.appendMessage(message(2), queues: ["q"])
        }
        #expect(try store.readMessage(1).body == Array("body-1".utf8))  // reads still work
        #expect(throws: StoreError.messageNotFound(2)) { try store.readMessage(2) }
        faults.failWrites.store(0, ordering: .relaxed)
        let ticket = try store.appendMessage(message(3), queues: ["q"])
        #expect(store.waitUntilSettled(ticket).isDurable(ticket))
        store.close()
        let (again, recovered) = try openStore(directory)
        defer { again.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == [1, 3])
        #expect(recovered.notes.isEmpty)
    }

    @Test func aFailedSyncIsReportedForTheTicketsItCovered() throws {
        let directory = TemporaryDirectory()
        let faults = Faults()
        var options = StoreOptions()
        options.faultInjector = faults.injector
        let (store, _) = try openStore(directory, options: options)
        defer { store.close() }
        let good = try store.appendMessage(message(1), queues: ["q"])
        #expect(store.waitUntilSettled(good).isDurable(good))
        faults.failSyncs.store(EIO, ordering: .relaxed)
        let bad = try store.appendMessage(message(2), queues: ["q"])
        let failed = store.waitUntilSettled(bad)
        #expect(failed.resolvedThrough >= bad && !failed.isDurable(bad))
        #expect(failed.failed.contains { $0.contains(bad) })
        faults.failSyncs.store(0, ordering: .relaxed)
        let later = try store.appendMessage(message(3), queues: ["q"])
        let recovered = store.waitUntilSettled(later)
        #expect(recovered.isDurable(later) && recovered.failed.isEmpty)
        #expect(store.segments.segments.count == 2)  // the head was replaced after the failed sync
    }

    @Test func aBufferedWriteFailureFailsItsTicketsThroughTheSyncResult() throws {
        let directory = TemporaryDirectory()
        let faults = Faults(pathPart: "/segments/")
        var options = StoreOptions()
        options.syncPolicy = .onRequest
        options.faultInjector = faults.injector
        let (store, _) = try openStore(directory, options: options)
        defer { store.close() }
        let first = try store.appendMessage(message(1), queues: ["q"])
        let second = try store.appendMessage(message(2), queues: ["q"])
        faults.failWrites.store(EIO, ordering: .relaxed)
        let result = store.waitUntilSettled(second)
        #expect(!result.isDurable(first) && !result.isDurable(second))
        faults.failWrites.store(0, ordering: .relaxed)
        let third = try store.appendMessage(message(3), queues: ["q"])
        #expect(store.waitUntilSettled(third).isDurable(third))
        #expect(try store.readMessage(3).id == 3)
    }

    @Test func aFailedJournalWriteLosesOnlyThoseRemovals() throws {
        let directory = TemporaryDirectory()
        let faults = Faults(pathPart: "/index/")
        var options = StoreOptions()
        options.faultInjector = faults.injector
        var (store, recovered) = try openStore(directory, options: options)
        for id in UInt64(1)...30 { _ = try store.appendMessage(message(id), queues: ["q"]) }
        faults.failWrites.store(ENOSPC, ordering: .relaxed)
        #expect(throws: StoreError.self) { try store.remove(queue: "q", messageIDs: Array(1...10)) }
        faults.failWrites.store(0, ordering: .relaxed)
        let ticket = try store.remove(queue: "q", messageIDs: Array(11...20))
        #expect(store.waitUntilSettled(ticket).isDurable(ticket))
        (store, recovered) = try reopen(store, directory, options: options)
        defer { store.close() }
        // The failed removal was not durable: those messages return (at least once).
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1...10) + Array(21...30))
    }

    /// The real thing: a 1 MiB tmpfs. The suite runs as root (CI does); a
    /// machine where mounting is refused fails here rather than skipping.
    @Test func aFullFileSystemThrowsENOSPCAndWritesResumeOnceSpaceIsFreed() throws {
        let mountPoint = TemporaryDirectory("tmpfs")
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path]) else {
            Issue.record("mounting a 1 MiB tmpfs failed: the disk-full test needs root")
            return
        }
        defer { _ = run("/bin/umount", [mountPoint.path]) }
        let path = mountPoint.path + "/data"
        var options = StoreOptions()
        options.segmentTargetSize = 64 << 10
        var (store, _) = try MessageStore.open(directory: path, options: options)
        let body = String(repeating: "z", count: 8 << 10)
        var stored: [UInt64] = []
        var failure: StoreError?
        for id in UInt64(1)...1000 {
            do {
                let ticket = try store.appendMessage(message(id, body), queues: ["q"])
                #expect(store.waitUntilSettled(ticket).isDurable(ticket))
                stored.append(id)
            } catch {
                failure = error
                break
            }
        }
        guard case .writeFailed(_, let errno)? = failure else {
            Issue.record("expected the disk to fill, got \(String(describing: failure))")
            return
        }
        #expect(errno == ENOSPC)
        #expect(stored.count > 50)
        #expect(try store.readMessage(stored[0]).body.count == body.utf8.count)
        // Acking the oldest half frees whole segments, and appends work again.
        _ = try? store.remove(queue: "q", messageIDs: Array(stored.prefix(stored.count / 2)))
        _ = store.waitUntilSettled(store.lastAppendedTicket)
        let next = (stored.last ?? 0) + 100
        let ticket = try store.appendMessage(message(next, body), queues: ["q"])
        #expect(store.waitUntilSettled(ticket).isDurable(ticket))
        store.close()
        let recovered: RecoveredState
        (store, recovered) = try MessageStore.open(directory: path, options: options)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(stored.suffix(stored.count - stored.count / 2)) + [next])
    }

    private func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
