import Glibc

/// What one `read` produced.
enum ReadOutcome {
    case bytes(Int)
    /// SO_RCVTIMEO expired (or nothing was ready for a non-blocking read).
    case nothingYet
    case closed
}

/// A blocking TCP socket with TCP_NODELAY and send/receive timeouts, so a
/// worker blocked in `read` or `write` wakes up often enough to notice its
/// stop flag. One thread owns each socket.
final class TCPSocket {
    let fd: Int32
    private var isClosed = false

    init(adopting fd: Int32) {
        self.fd = fd
    }

    deinit { close() }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = Glibc.close(fd)
    }

    /// Connects to an IPv4 address (a dotted quad or a name resolved with getaddrinfo).
    static func connect(host: String, port: UInt16, timeoutMilliseconds: Int = 200) throws(BenchError) -> TCPSocket {
        let address = try resolve(host: host, port: port)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        let connection = TCPSocket(adopting: fd)
        // Bounds connect itself: a broker whose accept backlog is full drops
        // SYNs, and the kernel would otherwise retry for two minutes.
        connection.setTimeouts(milliseconds: 5000)
        var target = address
        let rc = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            throw .connect("\(host):\(port): \(String(cString: strerror(errno)))")
        }
        connection.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        connection.setTimeouts(milliseconds: timeoutMilliseconds)
        return connection
    }

    /// Listens on 127.0.0.1; port 0 picks a free port, which `localPort` then tells.
    static func listen(port: UInt16) throws(BenchError) -> TCPSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        let listener = TCPSocket(adopting: fd)
        listener.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
        var address = try resolve(host: "127.0.0.1", port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw .system("bind 127.0.0.1:\(port)", errno) }
        guard Glibc.listen(fd, 1024) == 0 else { throw .system("listen", errno) }
        listener.setTimeouts(milliseconds: 200)
        return listener
    }

    var localPort: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The next connection, or nil when the accept timeout expired first.
    func accept() throws(BenchError) -> TCPSocket? {
        let client = Glibc.accept(fd, nil, nil)
        if client < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return nil }
            throw .system("accept", errno)
        }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        let connection = TCPSocket(adopting: client)
        connection.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        connection.setTimeouts(milliseconds: 200)
        return connection
    }

    func setTimeouts(milliseconds: Int) {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// One `read`: blocks until bytes arrive, the receive timeout expires or the peer closes.
    /// With `wait: false` it never blocks (MSG_DONTWAIT).
    func read(into buffer: UnsafeMutableRawBufferPointer, wait: Bool = true) throws(BenchError) -> ReadOutcome {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .nothingYet }
        while true {
            let n = recv(fd, base, buffer.count, wait ? 0 : Int32(MSG_DONTWAIT))
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .nothingYet
            case ECONNRESET: return .closed
            default: throw .system("recv", errno)
            }
        }
    }

    /// Writes all of `bytes`, resuming after partial writes. Each time the
    /// send timeout expires (the peer is not reading) `keepWaiting` decides
    /// whether to go on; when it says no, the write is abandoned with a timeout.
    func writeAll(_ bytes: UnsafeRawBufferPointer, keepWaiting: () -> Bool = { true }) throws(BenchError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n >= 0 { offset += n; continue }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                if !keepWaiting() { throw .timeout("write stalled: the peer stopped reading") }
            case EPIPE, ECONNRESET: throw .peerClosed("write failed: \(String(cString: strerror(errno)))")
            default: throw .system("send", errno)
            }
        }
    }

    func writeAll(_ bytes: [UInt8], keepWaiting: () -> Bool = { true }) throws(BenchError) {
        try bytes.withBytes { (raw) throws(BenchError) in try writeAll(raw, keepWaiting: keepWaiting) }
    }

    /// Gathers several buffers into one system call (`writev`), resuming after partial writes.
    func writeVector(_ parts: [UnsafeRawBufferPointer], keepWaiting: () -> Bool = { true }) throws(BenchError) {
        var vectors = parts.filter { $0.count > 0 }.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        var first = 0
        while first < vectors.count {
            let n = vectors[first...].withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32($0.count)) }
            if n < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    if !keepWaiting() { throw .timeout("write stalled: the peer stopped reading") }
                    continue
                case EPIPE, ECONNRESET: throw .peerClosed("writev failed: \(String(cString: strerror(errno)))")
                default: throw .system("writev", errno)
                }
            }
            var written = n
            while first < vectors.count, written >= vectors[first].iov_len {
                written -= vectors[first].iov_len
                first += 1
            }
            if first < vectors.count, written > 0 {
                vectors[first].iov_base = vectors[first].iov_base.map { $0 + written }
                vectors[first].iov_len -= written
            }
        }
    }

    private static func resolve(host: String, port: UInt16) throws(BenchError) -> sockaddr_in {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list, let address = first.pointee.ai_addr else {
            throw .connect("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var result = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
        result.sin_port = port.bigEndian
        return result
    }
}
