import Glibc

/// A blocking TCP socket: the client's only contact with the operating system.
///
/// One reader thread calls `waitReadable` and `read`; writers call `writeAll`
/// one at a time (the `FrameWriter`'s mutex sees to that). Every send uses
/// MSG_NOSIGNAL, so a peer that has gone away gives EPIPE, not SIGPIPE.
/// The descriptor is closed once, by the reader thread, when it is done.
struct ClientSocket: Sendable {
    let fd: Int32

    /// Resolves `host` and connects to the first address that answers within
    /// `timeoutMilliseconds`, with TCP_NODELAY set.
    static func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(ClientError) -> ClientSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connectFailed("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var failure = "no address for \(host)"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            switch attempt(entry.pointee, timeoutMilliseconds: timeoutMilliseconds) {
            case .success(let socket): return socket
            case .failure(let reason): failure = "\(host):\(port): \(reason)"
            }
        }
        throw .connectFailed(failure)
    }

    private enum Attempt {
        case success(ClientSocket)
        case failure(String)
    }

    /// A nonblocking connect bounded by poll, then back to blocking mode.
    private static func attempt(_ entry: addrinfo, timeoutMilliseconds: Int) -> Attempt {
        let fd = socket(entry.ai_family, entry.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), entry.ai_protocol)
        guard fd >= 0 else { return .failure(errorText("socket")) }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, entry.ai_addr, entry.ai_addrlen) != 0 && errno != EINPROGRESS {
            let reason = errorText("connect")
            Glibc.close(fd)
            return .failure(reason)
        }
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&descriptor, 1, Int32(clamping: timeoutMilliseconds))
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        guard ready > 0, socketError == 0 else {
            Glibc.close(fd)
            if ready == 0 { return .failure("connect timed out after \(timeoutMilliseconds) ms") }
            return .failure(String(cString: strerror(socketError == 0 ? errno : socketError)))
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .success(ClientSocket(fd: fd))
    }

    /// Sends every byte, retrying short writes and EINTR.
    func writeAll(_ bytes: [UInt8]) throws(ClientError) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .connectionLost(errorText("send"))
            }
            sent += result
        }
    }

    enum Readiness {
        case readable
        case timedOut
    }

    /// Waits until the socket is readable (or hung up, which `read` then reports).
    func waitReadable(timeoutMilliseconds: Int32) -> Readiness {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready == 0 ? .timedOut : .readable
        }
    }

    /// Reads what is available into `buffer`; returns the count, or throws on
    /// end of stream or error.
    func read(into buffer: inout [UInt8]) throws(ClientError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, 0) }
            if count > 0 { return count }
            if count == 0 { throw .connectionLost("the broker closed the socket") }
            if errno == EINTR { continue }
            throw .connectionLost(errorText("recv"))
        }
    }

    /// Ends both directions, waking a reader blocked in poll or recv.
    func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    func close() {
        _ = Glibc.close(fd)
    }
}

private func errorText(_ call: String) -> String {
    "\(call): \(String(cString: strerror(errno)))"
}
