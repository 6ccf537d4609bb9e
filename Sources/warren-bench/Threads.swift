import Glibc
import Synchronization

/// Nanoseconds on CLOCK_MONOTONIC: the one clock every measurement and
/// every latency timestamp uses, so publisher and consumer agree.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// Sleeps until `deadline` (CLOCK_MONOTONIC nanoseconds); returns at once if it has passed.
func sleep(until deadline: UInt64) {
    var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
}

func sleep(seconds: Double) {
    sleep(until: monotonicNanos() &+ UInt64(max(0, seconds) * 1e9))
}

/// A flag one thread raises and others poll; relaxed loads are enough
/// because it only ever goes from false to true.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// A count a worker publishes now and then (once per read or write, not per
/// message) and the main thread samples at the edges of the measurement window.
final class SharedCount: Sendable {
    private let value = Atomic<Int>(0)
    func store(_ newValue: Int) { value.store(newValue, ordering: .relaxed) }
    func add(_ delta: Int) { value.add(delta, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}

/// A dedicated POSIX thread running one worker to completion, whose result
/// `join()` hands back. Workers own their sockets; nothing is shared but
/// the flags and counts above.
final class WorkerThread<Output: Sendable>: Sendable {
    private let outcome = Outcome<Output>()
    private let handle = Mutex<pthread_t?>(nil)

    init(_ body: @escaping @Sendable () throws(BenchError) -> Output) throws(BenchError) {
        let start = ThreadStart { [outcome] in
            let result: Result<Output, BenchError>
            do throws(BenchError) { result = .success(try body()) } catch { result = .failure(error) }
            outcome.value.withLock { $0 = result }
        }
        let context = Unmanaged.passRetained(start).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, threadEntry, context)
        guard rc == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            throw .system("pthread_create", rc)
        }
        handle.withLock { $0 = thread }
    }

    /// Waits for the thread to finish and returns what it produced.
    func join() -> Result<Output, BenchError> {
        if let thread = handle.withLock({ h -> pthread_t? in defer { h = nil }; return h }) {
            pthread_join(thread, nil)
        }
        return outcome.value.withLock { $0 } ?? .failure(.protocolViolation("worker thread ended without a result"))
    }
}

/// Where a worker leaves its result for `join`.
private final class Outcome<Output: Sendable>: Sendable {
    let value = Mutex<Result<Output, BenchError>?>(nil)
}

/// The closure a new thread runs, passed through pthread_create's context pointer.
private final class ThreadStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

private func threadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue().body()
    return nil
}

/// Waits, bounded by `timeoutSeconds`, until `condition` holds; polls every millisecond.
func waitUntil(timeoutSeconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = monotonicNanos() &+ UInt64(timeoutSeconds * 1e9)
    while !condition() {
        if monotonicNanos() >= deadline { return false }
        sleep(seconds: 0.001)
    }
    return true
}
