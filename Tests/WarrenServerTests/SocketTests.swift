import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
@testable import WarrenServer

private func waited(_ semaphore: DispatchSemaphore, seconds: Double = 10) -> Bool {
    semaphore.wait(timeout: .now() + seconds) == .success
}

/// A listener on an ephemeral loopback port, a blocking client, and the accepted end.
private func connectedPair() throws -> (listener: TCPListener, client: TCPSocket, server: TCPSocket) {
    let listener = try TCPListener(host: "127.0.0.1", port: 0)
    let client = try TCPSocket.connect(host: "127.0.0.1", port: listener.localPort, receiveTimeoutSeconds: 10)
    // The kernel completes the handshake before connect returns; allow a little slack anyway.
    for _ in 0..<1_000 {
        if let server = try listener.accept() { return (listener, client, server) }
        usleep(1_000)
    }
    throw SystemError("accept (test)", errno: ETIMEDOUT)
}

/// Reads from a blocking socket until `count` bytes arrived, the peer closed, or the
/// receive timeout expired.
private func readExactly(_ count: Int, from socket: TCPSocket) -> [UInt8] {
    var received: [UInt8] = []
    while received.count < count {
        guard case .bytes = socket.read(into: &received, maxBytes: count - received.count) else { break }
    }
    return received
}

@Suite struct SocketTests {
    @Test func listenerOnPortZeroAcceptsALoopbackClient() throws {
        let (listener, client, server) = try connectedPair()
        defer { listener.close(); client.close(); server.close() }
        #expect(listener.localPort != 0)
        #expect(server.isLoopback)
        #expect(server.peer.host == "127.0.0.1")
        #expect(client.peer.port == listener.localPort)
        #expect(try listener.accept() == nil)  // nothing else pending: EAGAIN, not an error
    }

    @Test func ipv6LoopbackIsRecognised() throws {
        let listener = try TCPListener(host: "::1", port: 0)
        defer { listener.close() }
        let client = try TCPSocket.connect(host: "::1", port: listener.localPort, receiveTimeoutSeconds: 10)
        defer { client.close() }
        var accepted: TCPSocket?
        for _ in 0..<1_000 where accepted == nil {
            accepted = try listener.accept()
            if accepted == nil { usleep(1_000) }
        }
        let server = try #require(accepted)
        defer { server.close() }
        #expect(server.isLoopback)
        #expect(server.peer.host == "::1")
        #expect(server.peer.description.hasPrefix("[::1]:"))
    }

    @Test func connectingToAClosedPortThrowsConnectionRefused() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let port = listener.localPort
        listener.close()
        #expect(throws: SystemError.self) { try TCPSocket.connect(host: "127.0.0.1", port: port) }
        do {
            _ = try TCPSocket.connect(host: "127.0.0.1", port: port)
        } catch {
            #expect(error.errno == ECONNREFUSED)
        }
    }

    @Test func readAppendsAfterExistingBytes() throws {
        let (listener, client, server) = try connectedPair()
        defer { listener.close(); client.close(); server.close() }
        #expect(server.write([1, 2, 3]) == .bytes(3))
        var buffer: [UInt8] = [9]
        #expect(client.read(into: &buffer, maxBytes: 2) == .bytes(2))
        #expect(client.read(into: &buffer, maxBytes: 100) == .bytes(1))
        #expect(buffer == [9, 1, 2, 3])
    }

    @Test func writevOfSeveralBuffersArrivesInOrder() throws {
        let (listener, client, server) = try connectedPair()
        defer { listener.close(); client.close(); server.close() }
        let buffers: [[UInt8]] = [[0, 1, 2], [], [3, 4], Array(5..<200)]
        // The first byte stands for what an earlier partial write already sent.
        #expect(server.writev(buffers, firstOffset: 1) == .bytes(199))
        #expect(server.writev(buffers[2...]) == .bytes(197))
        #expect(readExactly(396, from: client) == Array(1..<200) + Array(3..<200))
    }

    @Test func writevSendsAtMostMaxVectorsBuffersPerCall() throws {
        let (listener, client, server) = try connectedPair()
        defer { listener.close(); client.close(); server.close() }
        let buffers = (0..<100).map { [UInt8(truncatingIfNeeded: $0)] }
        #expect(server.writev(buffers) == .bytes(TCPSocket.maxVectors))
        #expect(readExactly(TCPSocket.maxVectors, from: client) == (0..<TCPSocket.maxVectors).map { UInt8($0) })
    }

    @Test func writingToAClosedPeerReportsAnErrorInsteadOfSIGPIPE() throws {
        let (listener, client, server) = try connectedPair()
        defer { listener.close(); server.close() }
        client.close()
        let chunk = [UInt8](repeating: 7, count: 64 * 1024)
        var outcome = WriteResult.bytes(0)
        for _ in 0..<1_000 {
            outcome = server.writev([chunk, chunk])
            if case .error = outcome { break }
            usleep(1_000)
        }
        #expect(outcome == .error(EPIPE) || outcome == .error(ECONNRESET))
    }

    @Test func peerCloseIsReportedAsClosedThroughTheLoop() throws {
        let loopThread = try EventLoopThread(name: "test-close")
        defer { loopThread.stop() }
        let loop = loopThread.loop
        let (listener, client, server) = try connectedPair()
        defer { listener.close() }
        let results = Mutex<[ReadResult]>([])
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            var buffer: [UInt8] = []
            try? loop.register(server.fd, for: .readable) { _ in
                let result = server.read(into: &buffer, maxBytes: 4096)
                results.withLock { $0.append(result) }
                if result == .closed {
                    loop.unregister(server.fd)
                    server.close()
                    done.signal()
                }
            }
        }
        _ = client.write([42])
        client.close()
        #expect(waited(done))
        let seen = results.withLock { $0 }
        #expect(seen.last == .closed)
        #expect(seen.dropLast().allSatisfy { $0 == .bytes(1) || $0 == .wouldBlock })
    }

    @Test func echoRoundTripThroughTheLoop() throws {
        let loopThread = try EventLoopThread(name: "test-echo")
        defer { loopThread.stop() }
        let loop = loopThread.loop
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let wentWritable = Flag()
        let ready = DispatchSemaphore(value: 0)
        loop.execute {
            try? loop.register(listener.fd, for: .readable) { _ in
                while let socket = try? listener.accept() {
                    EchoConnection(socket: socket, loop: loop, wentWritable: wentWritable).start()
                }
            }
            ready.signal()
        }
        #expect(waited(ready))
        let client = try TCPSocket.connect(host: "127.0.0.1", port: listener.localPort, receiveTimeoutSeconds: 10)
        defer { client.close() }

        // A small message, then one big enough that the echo must wait for .writable.
        let hello = Array("hello warren".utf8)
        #expect(client.write(hello) == .bytes(hello.count))
        #expect(readExactly(hello.count, from: client) == hello)

        let payload = (0..<(16 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        Thread {
            var offset = 0
            while offset < payload.count {
                guard case .bytes(let sent) = client.write(payload, from: offset) else { return }
                offset += sent
            }
        }.start()
        // Not reading yet fills the socket buffers, so the echo has to wait for .writable.
        for _ in 0..<10_000 where !wentWritable.isSet { usleep(1_000) }
        #expect(wentWritable.isSet)
        #expect(readExactly(payload.count, from: client) == payload)

        let closed = DispatchSemaphore(value: 0)
        loop.execute {
            loop.unregister(listener.fd)
            listener.close()
            closed.signal()
        }
        #expect(waited(closed))
    }
}

/// A minimal loop-owned connection: echoes what it reads, wants `.writable` only while
/// output is waiting, and stops reading while it is (simple backpressure).
private final class EchoConnection {
    let socket: TCPSocket
    let loop: EventLoop
    let wentWritable: Flag
    var input: [UInt8] = []
    var output: [UInt8] = []
    var sent = 0

    init(socket: TCPSocket, loop: EventLoop, wentWritable: Flag) {
        self.socket = socket
        self.loop = loop
        self.wentWritable = wentWritable
    }

    func start() {
        try? loop.register(socket.fd, for: .readable) { [self] readiness in handle(readiness) }
    }

    private func handle(_ readiness: Readiness) {
        if readiness.contains(.writable) { flush() }
        if readiness.contains(.readable) {
            input.removeAll(keepingCapacity: true)
            switch socket.read(into: &input, maxBytes: 64 * 1024) {
            case .bytes:
                output.append(contentsOf: input)
                flush()
            case .wouldBlock:
                break
            case .closed, .error:
                loop.unregister(socket.fd)
                socket.close()
                return
            }
        }
    }

    private func flush() {
        while sent < output.count {
            guard case .bytes(let count) = socket.write(output, from: sent) else { break }
            sent += count
        }
        if sent == output.count {
            output.removeAll(keepingCapacity: true)
            sent = 0
            try? loop.modify(socket.fd, interest: .readable)
        } else {
            wentWritable.set()
            try? loop.modify(socket.fd, interest: .writable)
        }
    }
}

private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
