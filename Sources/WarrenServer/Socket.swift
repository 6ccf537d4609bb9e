import Glibc

// Thin wrappers over the Glibc socket calls used by the loop's owners.
//
// SIGPIPE: nothing here calls write(2) or writev(2) on a socket. Every send goes through
// send(2) or sendmsg(2) with MSG_NOSIGNAL, so writing to a socket the peer has closed
// returns EPIPE instead of killing the process, and no process-wide signal disposition
// is touched (an embedding application keeps its own).
//
// Ownership: `TCPListener` and `TCPSocket` are values naming a descriptor, like
// swift-system's `FileDescriptor`. Copying one does not duplicate the descriptor; the
// owner (a connection or the server, on the loop thread) calls `close()` exactly once,
// after unregistering it from the loop.

/// A failed system call: which call, and the errno it left.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Linux calls that Swift's Glibc module does not export: their headers (sys/epoll.h,
/// sys/eventfd.h, and accept4 behind _GNU_SOURCE) are outside its module map, and
/// WarrenServer has no C shim target. `dlsym` gives the real C entry points, called with
/// the C calling convention, so this is ABI-exact; it is resolved once per process.
struct LinuxCalls: Sendable {
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollControl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (
        Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
    ) -> Int32

    let epollCreate1: EpollCreate1
    let epollControl: EpollControl
    let epollWait: EpollWait
    let eventFD: EventFD
    let accept4: Accept4

    private static let shared: LinuxCalls? = {
        guard let process = dlopen(nil, RTLD_NOW),
              let create = dlsym(process, "epoll_create1"),
              let control = dlsym(process, "epoll_ctl"),
              let wait = dlsym(process, "epoll_wait"),
              let eventFD = dlsym(process, "eventfd"),
              let accept4 = dlsym(process, "accept4")
        else { return nil }
        return LinuxCalls(
            epollCreate1: unsafeBitCast(create, to: EpollCreate1.self),
            epollControl: unsafeBitCast(control, to: EpollControl.self),
            epollWait: unsafeBitCast(wait, to: EpollWait.self),
            eventFD: unsafeBitCast(eventFD, to: EventFD.self),
            accept4: unsafeBitCast(accept4, to: Accept4.self))
    }()

    static func resolved() throws(SystemError) -> LinuxCalls {
        guard let calls = shared else { throw SystemError("dlsym(epoll, eventfd, accept4)", errno: ENOSYS) }
        return calls
    }
}

/// An IPv4 or IPv6 endpoint in presentation form. Built once per accepted connection.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: UInt16
    /// 127.0.0.0/8, ::1, or an IPv4-mapped loopback (::ffff:127.x.y.z).
    public let isLoopback: Bool

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    init?(_ address: UnsafeRawPointer) {
        switch Int32(address.loadUnaligned(as: sockaddr.self).sa_family) {
        case AF_INET:
            var ipv4 = address.loadUnaligned(as: sockaddr_in.self)
            port = UInt16(bigEndian: ipv4.sin_port)
            isLoopback = UInt32(bigEndian: ipv4.sin_addr.s_addr) >> 24 == 127
            host = Self.presentation(AF_INET, &ipv4.sin_addr)
        case AF_INET6:
            var ipv6 = address.loadUnaligned(as: sockaddr_in6.self)
            port = UInt16(bigEndian: ipv6.sin6_port)
            isLoopback = withUnsafeBytes(of: ipv6.sin6_addr) { bytes in
                let zeroPrefix = bytes.prefix(10).allSatisfy { $0 == 0 }
                let isOne = zeroPrefix && bytes[10...14].allSatisfy { $0 == 0 } && bytes[15] == 1
                return isOne || (zeroPrefix && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127)
            }
            host = Self.presentation(AF_INET6, &ipv6.sin6_addr)
        default:
            return nil
        }
    }

    private static func presentation(_ family: Int32, _ address: UnsafeRawPointer) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { text in
            guard let written = inet_ntop(family, address, text.baseAddress, socklen_t(text.count))
            else { return "?" }
            return String(cString: written)
        }
    }

    /// The address a descriptor is bound to (`getsockname`) or connected to (`getpeername`).
    fileprivate static func of(
        _ fd: Int32, using call: (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?) -> Int32
    ) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutableBytes(of: &storage) { raw in
            let status = call(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), &length)
            guard status == 0, let base = raw.baseAddress else { return nil }
            return SocketAddress(base)
        }
    }
}

/// A listening TCP socket, nonblocking, for use with `EventLoop.register(_:for:handler:)`.
public struct TCPListener: Sendable {
    public let fd: Int32
    public let localAddress: SocketAddress
    /// The bound port; the one the kernel chose when the listener was opened with port 0.
    public var localPort: UInt16 { localAddress.port }

    /// Binds `host` (a numeric address such as "127.0.0.1", "0.0.0.0" or "::", or a name)
    /// and `port` (0 for an ephemeral port) with SO_REUSEADDR, and listens.
    /// On Linux "::" also accepts IPv4 unless the system sets `bindv6only`.
    public init(host: String, port: UInt16, backlog: Int32 = 1024) throws(SystemError) {
        let fd = try forEachAddress(host: host, port: port, passive: true) { entry throws(SystemError) in
            let fd = socket(entry.ai_family, entry.ai_socktype | socketFlags(nonblocking: true), entry.ai_protocol)
            guard fd >= 0 else { throw SystemError("socket") }
            do throws(SystemError) {
                try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)")
                guard bind(fd, entry.ai_addr, entry.ai_addrlen) == 0 else { throw SystemError("bind(\(host):\(port))") }
                guard listen(fd, backlog) == 0 else { throw SystemError("listen") }
                return fd
            } catch {
                Glibc.close(fd)
                throw error
            }
        }
        guard let local = SocketAddress.of(fd, using: getsockname) else {
            let error = SystemError("getsockname")
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
        self.localAddress = local
    }

    /// Accepts one pending connection as a nonblocking, close-on-exec socket with
    /// TCP_NODELAY set, or returns nil when none is pending. Call it until nil on each
    /// readable event. Throws on resource exhaustion (EMFILE, ENOBUFS...): the listener
    /// stays readable, so the owner should pause accepting rather than retry at once.
    public func accept() throws(SystemError) -> TCPSocket? {
        let calls = try LinuxCalls.resolved()
        var storage = sockaddr_storage()
        while true {
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutableBytes(of: &storage) { raw in
                calls.accept4(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), &length,
                              socketFlags(nonblocking: true))
            }
            if client < 0 {
                switch Glibc.errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EAGAIN, EWOULDBLOCK: return nil
                default: throw SystemError("accept4")
                }
            }
            try? setOption(client, Int32(IPPROTO_TCP), TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)")
            let peer = withUnsafeBytes(of: &storage) { raw in raw.baseAddress.flatMap(SocketAddress.init) }
            return TCPSocket(fd: client, peer: peer ?? SocketAddress.unknown)
        }
    }

    public func close() {
        Glibc.close(fd)
    }
}

/// The outcome of one `recv`.
public enum ReadResult: Equatable, Sendable {
    case bytes(Int)
    case wouldBlock
    /// The peer closed its sending side (end of stream).
    case closed
    case error(Int32)
}

/// The outcome of one `send`/`sendmsg`. `.bytes` may be fewer than offered.
public enum WriteResult: Equatable, Sendable {
    case bytes(Int)
    case wouldBlock
    /// EPIPE or ECONNRESET mean the peer is gone.
    case error(Int32)
}

/// A connected TCP socket. Accepted sockets are nonblocking; `connect` gives a blocking one.
public struct TCPSocket: Sendable {
    public let fd: Int32
    public let peer: SocketAddress
    public var isLoopback: Bool { peer.isLoopback }

    /// Most buffers sent by one `writev` call; the rest wait for the next call.
    public static let maxVectors = 64

    init(fd: Int32, peer: SocketAddress) {
        self.fd = fd
        self.peer = peer
    }

    /// Connects a blocking socket (TCP_NODELAY on) for tests and tools. With a
    /// `receiveTimeoutSeconds` above 0, a read that waits longer returns `.wouldBlock`,
    /// so a test cannot hang on a silent server.
    public static func connect(host: String, port: UInt16, receiveTimeoutSeconds: Int = 0) throws(SystemError) -> TCPSocket {
        try forEachAddress(host: host, port: port, passive: false) { entry throws(SystemError) in
            let fd = socket(entry.ai_family, entry.ai_socktype | socketFlags(nonblocking: false), entry.ai_protocol)
            guard fd >= 0 else { throw SystemError("socket") }
            guard Glibc.connect(fd, entry.ai_addr, entry.ai_addrlen) == 0 else {
                let error = SystemError("connect(\(host):\(port))")
                Glibc.close(fd)
                throw error
            }
            try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)")
            if receiveTimeoutSeconds > 0 {
                var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            }
            let peer = SocketAddress.of(fd, using: getpeername) ?? SocketAddress.unknown
            return TCPSocket(fd: fd, peer: peer)
        }
    }

    /// While a connection drains: reads and drops what the peer still sends (up to
    /// 1 MiB per call), so that closing does not reset the connection under the last
    /// bytes Warren wrote. False once the peer has closed or the socket failed.
    func discardInput() -> Bool {
        var scratch: [UInt8] = []
        for _ in 0..<16 {
            scratch.removeAll(keepingCapacity: true)
            switch read(into: &scratch, maxBytes: 64 * 1024) {
            case .bytes: continue
            case .wouldBlock: return true
            case .closed, .error: return false
            }
        }
        return true
    }

    /// Reads at most `maxBytes` and appends them to `buffer`, straight into its spare
    /// capacity (grown geometrically if needed; the new bytes are not zero-filled first).
    public func read(into buffer: inout [UInt8], maxBytes: Int) -> ReadResult {
        guard maxBytes > 0 else { return .bytes(0) }
        var result = ReadResult.wouldBlock
        buffer.append(addingCapacity: maxBytes) { span in
            span.withUnsafeMutableBufferPointer { free, initialized in
                while true {
                    let count = recv(fd, free.baseAddress, min(free.count, maxBytes), 0)
                    if count > 0 {
                        initialized = count
                        result = .bytes(count)
                    } else if count == 0 {
                        result = .closed
                    } else {
                        let code = Glibc.errno
                        if code == EINTR { continue }
                        result = code == EAGAIN || code == EWOULDBLOCK ? .wouldBlock : .error(code)
                    }
                    return
                }
            }
        }
        return result
    }

    /// Sends as much of `bytes` as the socket takes now.
    public func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        guard !bytes.isEmpty else { return .bytes(0) }
        while true {
            let count = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if let result = Self.writeResult(count) { return result }
        }
    }

    /// Sends as much of `bytes[offset...]` as the socket takes now.
    public func write(_ bytes: [UInt8], from offset: Int = 0) -> WriteResult {
        bytes.withUnsafeBytes { raw in write(UnsafeRawBufferPointer(rebasing: raw[min(offset, raw.count)...])) }
    }

    /// Sends several buffers with one `sendmsg` (gather write), skipping the first
    /// `firstOffset` bytes of the first buffer (what an earlier partial write already
    /// sent). At most `maxVectors` buffers go per call. Allocates nothing: the iovecs
    /// live on the stack.
    public func writev<Buffers: RandomAccessCollection>(
        _ buffers: Buffers, firstOffset: Int = 0
    ) -> WriteResult where Buffers.Element == [UInt8] {
        let count = min(buffers.count, Self.maxVectors)
        guard count > 0 else { return .bytes(0) }
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            gather(buffers, from: buffers.startIndex, slot: 0, firstOffset: firstOffset, into: vectors)
        }
    }

    /// Pins each buffer (nested `withUnsafeBytes`, one level per buffer) so that all
    /// iovecs are valid at once when `sendmsg` runs at the innermost level.
    private func gather<Buffers: RandomAccessCollection>(
        _ buffers: Buffers, from index: Buffers.Index, slot: Int, firstOffset: Int,
        into vectors: UnsafeMutableBufferPointer<iovec>
    ) -> WriteResult where Buffers.Element == [UInt8] {
        guard slot < vectors.count else { return sendVectors(vectors) }
        return buffers[index].withUnsafeBytes { bytes in
            let skip = slot == 0 ? min(max(firstOffset, 0), bytes.count) : 0
            vectors[slot] = iovec(
                iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress?.advanced(by: skip)),
                iov_len: bytes.count - skip)
            return gather(buffers, from: buffers.index(after: index), slot: slot + 1,
                          firstOffset: firstOffset, into: vectors)
        }
    }

    private func sendVectors(_ vectors: UnsafeMutableBufferPointer<iovec>) -> WriteResult {
        var message = msghdr()
        message.msg_iov = vectors.baseAddress
        message.msg_iovlen = vectors.count
        while true {
            let count = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            if let result = Self.writeResult(count) { return result }
        }
    }

    /// Maps a send return value; nil means EINTR, try again.
    private static func writeResult(_ count: Int) -> WriteResult? {
        if count >= 0 { return .bytes(count) }
        let code = Glibc.errno
        switch code {
        case EINTR: return nil
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        default: return .error(code)
        }
    }

    public enum ShutdownDirection: Sendable {
        case reading, writing, both
    }

    /// Half-closes the connection (`.writing` sends FIN after queued data).
    public func shutdown(_ direction: ShutdownDirection) throws(SystemError) {
        let how = switch direction {
        case .reading: Int32(SHUT_RD)
        case .writing: Int32(SHUT_WR)
        case .both: Int32(SHUT_RDWR)
        }
        guard Glibc.shutdown(fd, how) == 0 else { throw SystemError("shutdown") }
    }

    /// Closes the descriptor. Unregister it from the loop first.
    public func close() {
        Glibc.close(fd)
    }
}

extension SocketAddress {
    /// For the rare accepted socket whose address the kernel did not report.
    static let unknown = SocketAddress(host: "?", port: 0, isLoopback: false)

    private init(host: String, port: UInt16, isLoopback: Bool) {
        self.host = host
        self.port = port
        self.isLoopback = isLoopback
    }
}

private func socketFlags(nonblocking: Bool) -> Int32 {
    Int32(SOCK_CLOEXEC.rawValue) | (nonblocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
}

private func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ call: String) throws(SystemError) {
    var value = value
    guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw SystemError(call) }
}

/// Resolves `host:port` (getaddrinfo) and returns the first `attempt` that succeeds,
/// or throws the last failure.
private func forEachAddress<T>(
    host: String, port: UInt16, passive: Bool, _ attempt: (addrinfo) throws(SystemError) -> T
) throws(SystemError) -> T {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
        let reason = String(cString: gai_strerror(status))
        throw SystemError("getaddrinfo(\(host)): \(reason)", errno: status == EAI_SYSTEM ? Glibc.errno : EADDRNOTAVAIL)
    }
    defer { freeaddrinfo(list) }
    var lastError = SystemError("getaddrinfo(\(host))", errno: EADDRNOTAVAIL)
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let entry = cursor {
        do {
            return try attempt(entry.pointee)
        } catch {
            lastError = error
        }
        cursor = entry.pointee.ai_next
    }
    throw lastError
}
