import Glibc
import Synchronization
import WarrenSystem

/// A file the syncer must fdatasync in its next round.
struct SyncTarget: Sendable {
    let fd: Int32
    let serial: UInt64
    let path: String
}

/// A file the loop is done with. The syncer closes its descriptor (if any) after the
/// round that covers the request, and, when `unlink` is set, removes it from disk once a
/// round has succeeded: never before the records that made it garbage are durable.
struct Retirement: Sendable {
    let fd: Int32
    let path: String
    let unlink: Bool
}

/// Everything appended up to ticket `through`, as the loop hands it over.
struct SyncRequest: Sendable {
    var through: UInt64
    var files: [SyncTarget] = []
    /// Directories in which files were created since the last request.
    var directories: [String] = []
    var retirements: [Retirement] = []
    /// A write of records in this request failed: its tickets fail whatever the sync does.
    var writeFailed = false
}

/// What the syncer settled since the loop last asked.
struct SyncCompletions: Sendable {
    var resolvedThrough: UInt64 = 0
    var failed: [ClosedRange<UInt64>] = []
    var failedFileSerials: [UInt64] = []
}

/// The group-commit thread.
///
/// The loop submits requests (never blocking beyond a short mutex section); the thread
/// takes every request pending at once, calls fdatasync once per distinct dirty file,
/// fsyncs directories that gained files, and then reports "resolved through N" and
/// signals the eventfd the loop watches. Requests that arrive while an fdatasync runs
/// all share the next round, so the number of fdatasync calls tracks the disk's speed,
/// not the publish rate.
///
/// Descriptor lifetime: a descriptor handed over in a request stays open until the
/// syncer itself closes it through a `Retirement`, so a sync never hits a reused number.
final class Syncer: Sendable {
    private struct Shared {
        var requests: [SyncRequest] = []
        var stopping = false
        var completions = SyncCompletions()
    }

    let notificationFD: Int32
    private let shared = Mutex(Shared())
    private let wakeup = Semaphore()
    private let finished = Semaphore()
    private let faults: FaultInjector?
    let fdatasyncCalls = Atomic<Int>(0)
    let syncRounds = Atomic<Int>(0)
    let directorySyncs = Atomic<Int>(0)

    init(notificationFD: Int32, faults: FaultInjector?) {
        self.notificationFD = notificationFD
        self.faults = faults
    }

    func start() {
        startThread(name: "warren-sync") { [self] in run() }
    }

    func submit(_ request: SyncRequest) {
        shared.withLock { $0.requests.append(request) }
        wakeup.signal()
    }

    /// Lets the thread finish every submitted request, then waits for it to exit.
    func stopAndWait() {
        shared.withLock { $0.stopping = true }
        wakeup.signal()
        finished.wait()
    }

    func takeCompletions() -> SyncCompletions {
        shared.withLock { state in
            defer {
                state.completions.failed.removeAll()
                state.completions.failedFileSerials.removeAll()
            }
            return state.completions
        }
    }

    private func run() {
        var settledThrough: UInt64 = 0
        var pendingUnlinks: [String] = []
        var mustWait = true
        while true {
            if mustWait { wakeup.wait() }
            let (batch, stopping) = shared.withLock { state in
                defer { state.requests.removeAll(keepingCapacity: true) }
                return (state.requests, state.stopping)
            }
            if !batch.isEmpty {
                settledThrough = perform(batch, after: settledThrough, pendingUnlinks: &pendingUnlinks)
            }
            if stopping {
                if batch.isEmpty { break }
                mustWait = false
            }
        }
        finished.signal()
    }

    /// One round: sync, retire, report. Returns the new settled ticket.
    private func perform(_ batch: [SyncRequest], after settled: UInt64, pendingUnlinks: inout [String]) -> UInt64 {
        syncRounds.add(1, ordering: .relaxed)
        var seenFiles = Set<UInt64>()
        var failedSerials: [UInt64] = []
        var succeeded = true
        for request in batch {
            for file in request.files where seenFiles.insert(file.serial).inserted {
                let failure = faults?.failure(.sync, file.path) ?? FileIO.syncData(file.fd)
                fdatasyncCalls.add(1, ordering: .relaxed)
                if failure != 0 {
                    succeeded = false
                    failedSerials.append(file.serial)
                }
            }
        }
        for directory in Set(batch.flatMap(\.directories)) {
            directorySyncs.add(1, ordering: .relaxed)
            if FileIO.syncDirectory(directory) != 0 { succeeded = false }
        }
        for retirement in batch.flatMap(\.retirements) {
            if retirement.fd >= 0 { close(retirement.fd) }
            if retirement.unlink { pendingUnlinks.append(retirement.path) }
        }
        if succeeded {
            for path in pendingUnlinks { unlink(path) }
            pendingUnlinks.removeAll()
        }
        let failed = failedRanges(batch, after: settled, syncSucceeded: succeeded)
        let through = batch.map(\.through).max() ?? settled
        shared.withLock { state in
            state.completions.resolvedThrough = max(state.completions.resolvedThrough, through)
            state.completions.failed += failed
            state.completions.failedFileSerials += failedSerials
        }
        EventFD.signal(notificationFD)
        return max(settled, through)
    }

    /// The ticket ranges of this round that are not durable, adjacent ranges merged.
    private func failedRanges(_ batch: [SyncRequest], after settled: UInt64, syncSucceeded: Bool) -> [ClosedRange<UInt64>] {
        var ranges: [ClosedRange<UInt64>] = []
        var previous = settled
        for request in batch {
            defer { previous = max(previous, request.through) }
            guard request.through > previous, !syncSucceeded || request.writeFailed else { continue }
            let range = (previous + 1)...request.through
            if let last = ranges.last, last.upperBound + 1 == range.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound...range.upperBound
            } else {
                ranges.append(range)
            }
        }
        return ranges
    }
}
