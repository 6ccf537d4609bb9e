import Glibc

/// Starts a detached POSIX thread running `body`.
///
/// Warren's libraries use this instead of Foundation's `Thread` so that a program linking
/// them does not load Foundation: the broker's idle memory is mostly the code it maps.
public func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let created = pthread_create(&thread, &attributes, { context in
        guard let context else { return nil }
        let body = Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue()
        body.run()
        return nil
    }, context)
    pthread_attr_destroy(&attributes)
    if created != 0 {
        // Out of threads: run inline rather than lose the work.
        Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run()
        return
    }
    // Linux limits thread names to 15 bytes plus the terminator.
    _ = setThreadName?(thread, String(name.utf8.prefix(15)) ?? "warren")
}

/// `pthread_setname_np`, which Glibc's Swift module hides behind _GNU_SOURCE; nil if absent.
private let setThreadName: (@convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_setname_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32).self)
}()

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// A counting semaphore over a POSIX `sem_t`.
public final class Semaphore: @unchecked Sendable {
    // sem_t must not move once initialised, so it lives in its own allocation.
    private let semaphore: UnsafeMutablePointer<sem_t>

    public init(value: UInt32 = 0) {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, value)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    public func signal() {
        sem_post(semaphore)
    }

    public func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
