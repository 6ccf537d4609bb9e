import Glibc

/// eventfd(2), which Swift's Glibc module does not export (sys/eventfd.h is outside its
/// module map) and WarrenStore has no C shim. As in WarrenServer's `LinuxCalls`, `dlsym`
/// gives the real C entry point, called with the C calling convention; resolved once.
enum EventFD {
    private typealias Create = @convention(c) (UInt32, Int32) -> Int32

    private static let create: Create? = {
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "eventfd") else { return nil }
        return unsafeBitCast(symbol, to: Create.self)
    }()

    /// A non-blocking, close-on-exec eventfd with counter 0.
    static func make() throws(StoreError) -> Int32 {
        guard let create else { throw .io(call: "dlsym(eventfd)", path: "-", errno: ENOSYS) }
        let fd = create(0, O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .io(call: "eventfd", path: "-", errno: errno) }
        return fd
    }

    static func signal(_ fd: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, MemoryLayout<UInt64>.size)
    }

    /// Resets the counter; EAGAIN (nothing pending) is fine.
    static func drain(_ fd: Int32) {
        var counter: UInt64 = 0
        _ = Glibc.read(fd, &counter, MemoryLayout<UInt64>.size)
    }
}
