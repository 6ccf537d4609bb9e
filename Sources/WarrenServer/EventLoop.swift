import Glibc
import Synchronization
import WarrenSystem

/// What a registered descriptor is watched for.
public struct Interest: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let readable = Interest(rawValue: 1 << 0)
    public static let writable = Interest(rawValue: 1 << 1)
}

/// What epoll reported for a descriptor in one turn.
///
/// `.hangup` and `.error` arrive even when not asked for, and the loop is level-triggered:
/// a handler that sees them must read to end of stream or unregister, or it is called
/// again on every turn.
public struct Readiness: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let readable = Readiness(rawValue: 1 << 0)
    public static let writable = Readiness(rawValue: 1 << 1)
    /// The peer hung up (EPOLLHUP), or closed its sending side (EPOLLRDHUP).
    public static let hangup = Readiness(rawValue: 1 << 2)
    /// A pending socket error (EPOLLERR); the next read or write reports it.
    public static let error = Readiness(rawValue: 1 << 3)
}

/// A single-threaded reactor in the manner of Redis's ae.c: descriptors, one eventfd for
/// cross-thread wakeups, and timers, dispatched from `epoll_wait` (level-triggered). It
/// knows nothing of AMQP. Each turn:
/// wait → ready descriptors → due timers → work from `execute` → `onTurnEnd` hooks.
///
/// ## Thread confinement
/// This is the one place the loop's ownership is declared, for itself and for the state
/// its handlers own. The `@unchecked Sendable` stands for this contract:
/// - Until `run()` starts, the thread that made the loop may set it up (register a
///   listener, schedule timers). While `run()` runs, every member except `execute(_:)`
///   and `stop()` is called only on the thread inside `run()`, which is where all
///   handlers, timers, jobs and hooks run.
/// - `execute(_:)` and `stop()` are safe from any thread: they touch only a mutex-guarded
///   queue, an atomic flag and the eventfd.
/// Debug builds check the contract with `assertOnLoop()`.
public final class EventLoop: @unchecked Sendable {
    /// Monotonic nanoseconds, read once per turn right after `epoll_wait` returns.
    /// Timers are scheduled relative to it.
    public private(set) var now: UInt64

    private struct Registration {
        var generation: UInt32
        var interest: Interest
        var handler: (Readiness) -> Void
    }

    private struct PendingWork {
        var jobs: [@Sendable () -> Void] = []
        /// True once the eventfd was signalled for jobs the loop has not taken yet.
        var wakeupPending = false
    }

    private let calls: LinuxCalls
    private let epollFD: Int32
    private let wakeFD: Int32
    private let readyEvents: UnsafeMutableRawPointer
    private static let maxReadyEvents: Int32 = 256

    /// Indexed by descriptor; descriptors are small and dense.
    private var registrations: [Registration?] = []
    private var nextGeneration: UInt32 = 0
    private var timers = TimerQueue()
    private var turnEndHooks: [() -> Void] = []
    private var spareJobs: [@Sendable () -> Void] = []

    private let pending = Mutex(PendingWork())
    private let stopRequested = Atomic<Bool>(false)
    /// pthread_t of the thread inside `run()`, 0 when not running.
    private let loopThread = Atomic<UInt>(0)

    public init() throws(SystemError) {
        let calls = try LinuxCalls.resolved()
        let epollFD = calls.epollCreate1(O_CLOEXEC)
        guard epollFD >= 0 else { throw SystemError("epoll_create1") }
        let wakeFD = calls.eventFD(0, O_CLOEXEC | O_NONBLOCK)
        guard wakeFD >= 0 else {
            let error = SystemError("eventfd")
            Glibc.close(epollFD)
            throw error
        }
        self.calls = calls
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.readyEvents = .allocate(byteCount: Int(Self.maxReadyEvents) * Epoll.eventSize, alignment: 8)
        self.now = monotonicNanoseconds()
        try register(wakeFD, for: .readable) { _ in
            var counter: UInt64 = 0
            _ = Glibc.read(wakeFD, &counter, MemoryLayout<UInt64>.size)
        }
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
        readyEvents.deallocate()
    }

    // MARK: Descriptors

    /// Watches `fd` and calls `handler` on the loop thread while it is ready. The loop
    /// does not own `fd`: unregister it before closing it.
    public func register(_ fd: Int32, for interest: Interest, handler: @escaping (Readiness) -> Void) throws(SystemError) {
        assertOnLoop()
        nextGeneration &+= 1
        try control(Epoll.add, fd, interest, generation: nextGeneration, call: "epoll_ctl(ADD)")
        let index = Int(fd)
        if index >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: index + 1 - registrations.count))
        }
        registrations[index] = Registration(generation: nextGeneration, interest: interest, handler: handler)
    }

    /// Changes what a registered `fd` is watched for. Free when nothing changes, so an
    /// owner may call it every turn (for example to want `.writable` only while output waits).
    public func modify(_ fd: Int32, interest: Interest) throws(SystemError) {
        assertOnLoop()
        let index = Int(fd)
        guard index >= 0, index < registrations.count, let registration = registrations[index] else {
            throw SystemError("epoll_ctl(MOD)", errno: ENOENT)
        }
        guard registration.interest != interest else { return }
        try control(Epoll.modify, fd, interest, generation: registration.generation, call: "epoll_ctl(MOD)")
        registrations[index]?.interest = interest
    }

    /// Stops watching `fd`. Its handler is not called again, even for events already
    /// collected in this turn. Unknown descriptors are ignored.
    public func unregister(_ fd: Int32) {
        assertOnLoop()
        let index = Int(fd)
        guard index >= 0, index < registrations.count, registrations[index] != nil else { return }
        registrations[index] = nil
        _ = calls.epollControl(epollFD, Epoll.delete, fd, nil)
    }

    private func control(_ operation: Int32, _ fd: Int32, _ interest: Interest, generation: UInt32, call: String) throws(SystemError) {
        let status = withUnsafeTemporaryAllocation(byteCount: Epoll.eventSize, alignment: 8) { event in
            event.storeBytes(of: Epoll.events(for: interest), toByteOffset: 0, as: UInt32.self)
            event.storeBytes(of: Epoll.token(fd, generation), toByteOffset: Epoll.dataOffset, as: UInt64.self)
            return calls.epollControl(epollFD, operation, fd, event.baseAddress)
        }
        guard status == 0 else { throw SystemError(call) }
    }

    // MARK: Timers

    /// Runs `body` on the loop thread once `now` has passed `now + nanoseconds`, in a later
    /// turn (never inside the current timer phase). Equal deadlines fire in scheduling order.
    @discardableResult
    public func schedule(after nanoseconds: UInt64, _ body: @escaping () -> Void) -> TimerID {
        assertOnLoop()
        let (deadline, overflow) = now.addingReportingOverflow(nanoseconds)
        return timers.schedule(at: overflow ? .max : deadline, body)
    }

    /// Forgets a timer that has not fired. Cancelling a fired or unknown timer does nothing.
    public func cancel(_ id: TimerID) {
        assertOnLoop()
        timers.cancel(id)
    }

    // MARK: Cross-thread work

    /// Runs `body` on the loop thread during a coming turn. Safe from any thread; jobs run
    /// in the order they were enqueued. The eventfd is written once per batch, not per job.
    /// Jobs enqueued after `stop()` run only if `run()` is called again.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        let mustWake = pending.withLock { work in
            work.jobs.append(body)
            defer { work.wakeupPending = true }
            return !work.wakeupPending
        }
        if mustWake { wake() }
    }

    /// Registers `body` to run at the end of every turn, after handlers, timers and jobs:
    /// the place to flush output batched during the turn (one `writev` per connection).
    public func onTurnEnd(_ body: @escaping () -> Void) {
        assertOnLoop()
        turnEndHooks.append(body)
    }

    // MARK: Running

    /// Runs turns on the calling thread until `stop()`. The turn in which `stop()` is
    /// called completes (its timers, jobs and hooks run) before `run()` returns.
    public func run() {
        loopThread.store(UInt(pthread_self()), ordering: .releasing)
        defer {
            loopThread.store(0, ordering: .releasing)
            stopRequested.store(false, ordering: .releasing)
        }
        while !stopRequested.load(ordering: .acquiring) {
            runTurn()
        }
    }

    /// Asks `run()` to return after the current turn. Safe from any thread. A stop asked
    /// before `run()` starts makes the next `run()` return at once.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        wake()
    }

    /// True on the thread currently inside `run()`.
    var isOnLoopThread: Bool {
        loopThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Debug-only check of the thread-confinement contract: outside `run()` any single
    /// thread may set the loop up; inside it, only the loop thread may touch it.
    @inline(__always)
    func assertOnLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(loopThread.load(ordering: .relaxed) == 0 || isOnLoopThread,
               "EventLoop touched off its thread", file: file, line: line)
    }

    /// How long the loop keeps polling after its last I/O before it sleeps in
    /// `epoll_wait`; 0 never polls. See `waitForEvents()`.
    public var busyPollNanoseconds: UInt64 = 0
    /// When the last turn that handled I/O began.
    private var lastActivity: UInt64 = 0

    private func runTurn() {
        var readyCount = waitForEvents()
        if readyCount < 0 {
            let code = Glibc.errno
            // EBADF, EFAULT or EINVAL would mean the loop's own state is corrupt; no peer can cause them.
            precondition(code == EINTR, "epoll_wait failed with errno \(code)")
            readyCount = 0
        }
        now = monotonicNanoseconds()
        if readyCount > 0 { lastActivity = now }
        dispatchReadyDescriptors(Int(readyCount))
        runDueTimers()
        runEnqueuedWork()
        for hook in turnEndHooks { hook() }
    }

    /// Waits for I/O or the next timer. Shortly after I/O, it polls without sleeping
    /// (yielding the CPU to any other runnable thread) for up to `busyPollNanoseconds`:
    /// a thread that sleeps is woken by the kernel, and on a virtual machine also
    /// through the hypervisor when its CPU went idle, which is most of a message's
    /// latency at moderate rates. Polling trades CPU for that wake-up.
    private func waitForEvents() -> Int32 {
        var timeout = pollTimeout()
        guard timeout != 0, busyPollNanoseconds > 0 else {
            return calls.epollWait(epollFD, readyEvents, Self.maxReadyEvents, timeout)
        }
        let spinUntil = min(lastActivity &+ busyPollNanoseconds, timers.nextDeadline() ?? .max)
        while monotonicNanoseconds() < spinUntil {
            let count = calls.epollWait(epollFD, readyEvents, Self.maxReadyEvents, 0)
            if count != 0 { return count }
            sched_yield()
        }
        timeout = pollTimeout()
        return calls.epollWait(epollFD, readyEvents, Self.maxReadyEvents, timeout)
    }

    /// Milliseconds until the nearest deadline, rounded up so the loop never wakes early
    /// and spins; -1 (wait for I/O) with no timers.
    private func pollTimeout() -> Int32 {
        guard let deadline = timers.nextDeadline() else { return -1 }
        let current = monotonicNanoseconds()
        guard deadline > current else { return 0 }
        return Int32(clamping: (deadline - current + 999_999) / 1_000_000)
    }

    private func dispatchReadyDescriptors(_ count: Int) {
        for slot in 0..<count {
            let offset = slot * Epoll.eventSize
            let events = readyEvents.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            let token = readyEvents.loadUnaligned(fromByteOffset: offset + Epoll.dataOffset, as: UInt64.self)
            let index = Int(UInt32(truncatingIfNeeded: token))
            // A handler earlier in this batch may have unregistered this descriptor, or
            // closed it and registered a new one under the same number: the generation
            // tells them apart. Interest may also have narrowed since the wait.
            guard index < registrations.count, let registration = registrations[index],
                  registration.generation == UInt32(truncatingIfNeeded: token >> 32) else { continue }
            let readiness = Epoll.readiness(from: events, wanted: registration.interest)
            if !readiness.isEmpty { registration.handler(readiness) }
        }
    }

    private func runDueTimers() {
        let watermark = timers.watermark
        while let body = timers.popDue(now: now, scheduledBefore: watermark) { body() }
    }

    private func runEnqueuedWork() {
        var batch: [@Sendable () -> Void] = []
        swap(&batch, &spareJobs)
        pending.withLock { work in
            swap(&work.jobs, &batch)
            work.wakeupPending = false
        }
        for job in batch { job() }
        batch.removeAll(keepingCapacity: true)
        spareJobs = batch
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }
}

/// `struct epoll_event` and the constants of sys/epoll.h, which Swift's Glibc module
/// does not import.
private enum Epoll {
    static let add: Int32 = 1, delete: Int32 = 2, modify: Int32 = 3

    static let input: UInt32 = 0x001, output: UInt32 = 0x004, error: UInt32 = 0x008
    static let hangup: UInt32 = 0x010, readHangup: UInt32 = 0x2000

    // x86 declares epoll_event packed: { uint32_t events; uint64_t data; } is 12 bytes.
    #if arch(x86_64) || arch(i386)
    static let eventSize = 12, dataOffset = 4
    #else
    static let eventSize = 16, dataOffset = 8
    #endif

    /// The event's user data: the descriptor and its registration's generation.
    static func token(_ fd: Int32, _ generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    /// EPOLLRDHUP only while reading: level-triggered, it would otherwise wake a loop
    /// that paused reading every turn until the connection closes.
    static func events(for interest: Interest) -> UInt32 {
        (interest.contains(.readable) ? input | readHangup : 0) | (interest.contains(.writable) ? output : 0)
    }

    static func readiness(from events: UInt32, wanted interest: Interest) -> Readiness {
        var readiness: Readiness = []
        if events & input != 0 && interest.contains(.readable) { readiness.insert(.readable) }
        if events & output != 0 && interest.contains(.writable) { readiness.insert(.writable) }
        if events & (hangup | readHangup) != 0 { readiness.insert(.hangup) }
        if events & error != 0 { readiness.insert(.error) }
        return readiness
    }
}

/// An `EventLoop` running on its own thread: for tests and for a broker
/// embedded in another process.
public final class EventLoopThread: Sendable {
    public let loop: EventLoop
    private let exited = Semaphore()

    /// Makes a loop and returns once its thread is inside `run()`.
    public init(name: String = "warren-loop") throws(SystemError) {
        let loop = try EventLoop()
        let running = Semaphore()
        let exited = self.exited
        self.loop = loop
        loop.execute { running.signal() }
        startThread(name: name) {
            loop.run()
            exited.signal()
        }
        running.wait()
    }

    /// Stops the loop and waits for its thread to end. Any thread may call it, any number
    /// of times; on the loop's own thread it only requests the stop (it cannot join itself).
    public func stop() {
        loop.stop()
        guard !loop.isOnLoopThread else { return }
        exited.wait()
        exited.signal()  // later callers return at once
    }

    deinit {
        stop()
    }
}
