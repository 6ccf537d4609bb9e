import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
@testable import WarrenServer

private func waited(_ semaphore: DispatchSemaphore, seconds: Double = 10) -> Bool {
    semaphore.wait(timeout: .now() + seconds) == .success
}

/// Runs `loop` on the calling thread, with a watchdog that stops it after `seconds`
/// so a test that never reaches its own `stop()` fails instead of hanging.
private func runWithWatchdog(_ loop: EventLoop, seconds: Double = 10) {
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { loop.stop() }
    loop.run()
}

@Suite struct EventLoopTests {
    @Test func timersFireInDeadlineOrderAndCancelledOnesDoNot() throws {
        let loop = try EventLoop()
        var fired: [String] = []
        loop.schedule(after: 30_000_000) { fired.append("30ms") }
        let cancelled = loop.schedule(after: 20_000_000) { fired.append("20ms cancelled") }
        loop.schedule(after: 10_000_000) { fired.append("10ms") }
        loop.schedule(after: 20_000_000) { fired.append("20ms") }
        loop.schedule(after: 20_000_000) { fired.append("20ms second") }
        loop.schedule(after: 0) { fired.append("0ms") }
        loop.cancel(cancelled)
        loop.schedule(after: 40_000_000) { loop.stop() }
        let start = monotonicNanoseconds()
        runWithWatchdog(loop)
        #expect(fired == ["0ms", "10ms", "20ms", "20ms second", "30ms"])
        #expect(monotonicNanoseconds() - start >= 40_000_000)
    }

    @Test func zeroDelayTimerScheduledByATimerRunsInALaterTurn() throws {
        let loop = try EventLoop()
        var turns = 0
        var firings = 0
        loop.onTurnEnd { turns += 1 }
        func again() {
            firings += 1
            if firings == 50 { loop.stop() } else { loop.schedule(after: 0, again) }
        }
        loop.schedule(after: 0, again)
        runWithWatchdog(loop)
        #expect(firings == 50)
        #expect(turns >= 50)
    }

    @Test func manyCancelledTimersDoNotFireAndLiveOnesStillDo() throws {
        let loop = try EventLoop()
        var fired = 0
        for round in 0..<1_000 {
            let id = loop.schedule(after: 1_000_000_000) { fired += 1_000 }
            loop.cancel(id)
            if round % 100 == 0 { loop.schedule(after: UInt64(round) * 10_000) { fired += 1 } }
        }
        loop.schedule(after: 20_000_000) { loop.stop() }
        runWithWatchdog(loop)
        #expect(fired == 10)
    }

    @Test func executeFromOtherThreadsRunsOnTheLoopInOrderPerThread() throws {
        let loopThread = try EventLoopThread(name: "test-execute")
        defer { loopThread.stop() }
        let loop = loopThread.loop
        let producers = 4, jobsPerProducer = 500
        let seen = Mutex<[[Int]]>(Array(repeating: [], count: producers))
        let offLoop = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.concurrentPerform(iterations: producers) { producer in
            for job in 0..<jobsPerProducer {
                loop.execute {
                    if !loop.isOnLoopThread { offLoop.add(1, ordering: .relaxed) }
                    let total = seen.withLock { lists in
                        lists[producer].append(job)
                        return lists.reduce(0) { $0 + $1.count }
                    }
                    if total == producers * jobsPerProducer { done.signal() }
                }
            }
        }
        #expect(waited(done))
        #expect(offLoop.load(ordering: .relaxed) == 0)
        seen.withLock { lists in
            for list in lists { #expect(list == Array(0..<jobsPerProducer)) }
        }
    }

    /// While it polls after I/O the loop still takes jobs from other threads, I/O and
    /// timers, and once the window has passed it sleeps in epoll_wait again.
    @Test func busyPollingLoopStillServesJobsIOAndTimers() throws {
        let loopThread = try EventLoopThread(name: "test-busy-poll")
        defer { loopThread.stop() }
        let loop = loopThread.loop
        let configured = DispatchSemaphore(value: 0)
        loop.execute {
            loop.busyPollNanoseconds = 50_000_000
            configured.signal()
        }
        #expect(waited(configured))
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        defer { close(readEnd); close(writeEnd) }
        let bytesRead = Atomic<Int>(0)
        let timerFired = DispatchSemaphore(value: 0)
        let readAll = DispatchSemaphore(value: 0)
        loop.execute {
            try? loop.register(readEnd, for: .readable) { _ in
                var buffer = [UInt8](repeating: 0, count: 64)
                let count = read(readEnd, &buffer, buffer.count)
                if count > 0, bytesRead.add(count, ordering: .relaxed).newValue == 3 { readAll.signal() }
            }
            loop.schedule(after: 5_000_000) { timerFired.signal() }
        }
        for _ in 0..<3 {
            #expect(write(writeEnd, "x", 1) == 1)
            usleep(20_000)  // inside and after the polling window
        }
        #expect(waited(readAll))
        #expect(waited(timerFired))
        let jobRan = DispatchSemaphore(value: 0)
        usleep(100_000)  // past the window: the loop sleeps, and a job must still wake it
        loop.execute { jobRan.signal() }
        #expect(waited(jobRan))
    }

    @Test func turnEndHookRunsAfterTheTurnsWork() throws {
        let loopThread = try EventLoopThread()
        defer { loopThread.stop() }
        let loop = loopThread.loop
        let observed = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            var flushed = 0
            loop.onTurnEnd {
                flushed += 1
                if flushed == 1 { observed.withLock { $0.append("hook") } }
                done.signal()
            }
            observed.withLock { $0.append("job") }
        }
        #expect(waited(done))
        #expect(observed.withLock { $0 } == ["job", "hook"])
    }

    @Test func stopFromAnotherThreadEndsRun() throws {
        let loop = try EventLoop()
        let exited = DispatchSemaphore(value: 0)
        let running = DispatchSemaphore(value: 0)
        loop.execute { running.signal() }
        Thread {
            loop.run()
            exited.signal()
        }.start()
        #expect(waited(running))
        loop.stop()
        #expect(waited(exited))
    }

    @Test func stopBeforeRunMakesRunReturnAtOnce() throws {
        let loop = try EventLoop()
        loop.stop()
        runWithWatchdog(loop, seconds: 30)
        // The stop was consumed: a later run goes on until stopped again.
        loop.schedule(after: 1_000_000) { loop.stop() }
        runWithWatchdog(loop)
    }

    @Test func eventLoopThreadStopIsIdempotent() throws {
        let loopThread = try EventLoopThread()
        loopThread.stop()
        loopThread.stop()
    }

    @Test func unregisteringADescriptorInTheSameTurnSuppressesItsPendingEvent() throws {
        let loop = try EventLoop()
        var first: [Int32] = [0, 0], second: [Int32] = [0, 0]
        #expect(pipe(&first) == 0 && pipe(&second) == 0)
        defer { for fd in first + second { close(fd) } }
        var byte: UInt8 = 1
        #expect(write(first[1], &byte, 1) == 1 && write(second[1], &byte, 1) == 1)
        var calls: [Int32] = []
        try loop.register(first[0], for: .readable) { readiness in
            #expect(readiness.contains(.readable))
            calls.append(first[0])
            loop.unregister(second[0])
            loop.stop()
        }
        try loop.register(second[0], for: .readable) { _ in
            calls.append(second[0])
            loop.unregister(first[0])
            loop.stop()
        }
        runWithWatchdog(loop)
        #expect(calls.count == 1)
    }

    @Test func modifyControlsWhichReadinessIsReported() throws {
        let loop = try EventLoop()
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var reports: [Readiness] = []
        // The write end of an empty pipe is always writable.
        try loop.register(ends[1], for: []) { reports.append($0) }
        loop.schedule(after: 5_000_000) { try? loop.modify(ends[1], interest: .writable) }
        loop.schedule(after: 30_000_000) { loop.stop() }
        runWithWatchdog(loop)
        loop.unregister(ends[1])
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { $0 == .writable })
        #expect(throws: SystemError.self) { try loop.modify(999, interest: .readable) }
    }
}
