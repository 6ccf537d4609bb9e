import AMQPProtocol
import Glibc
import Synchronization
import WarrenCore
import WarrenSystem

/// Server-wide state shared by the connections: the broker, the listener,
/// the registry of live connections and the flush list. Confined to the
/// event-loop thread.
final class ServerContext {
    let configuration: ServerConfiguration
    let broker: Broker
    let loop: EventLoop
    let listenAddress: String
    private(set) var connections: [ConnectionID: ClientConnection] = [:]
    private var nextConnectionID: UInt64 = 1
    private var pendingFlushes: [ClientConnection] = []
    private let logSink: @Sendable (String) -> Void
    /// The HTTP listener (management API, dashboard, metrics), when configured.
    var http: HTTPServer?
    /// The store behind durable definitions and persistent messages, when configured.
    var persistence: Persistence?

    init(configuration: ServerConfiguration, broker: Broker, loop: EventLoop, listenAddress: String, log: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.broker = broker
        self.loop = loop
        self.listenAddress = listenAddress
        self.logSink = log
        loop.onTurnEnd { [unowned self] in self.flushPending() }
    }

    func log(_ line: String) { logSink(line) }

    func accept(_ socket: TCPSocket) {
        let id = ConnectionID(nextConnectionID)
        nextConnectionID += 1
        let connection = ClientConnection(id: id, socket: socket, server: self)
        do {
            try loop.register(socket.fd, for: .readable) { [weak connection, unowned self] readiness in
                guard let connection else { return }
                if readiness.contains(.writable) {
                    // Output made earlier in this turn may hold deliveries: their
                    // delivered marks reach the kernel first (see Persistence).
                    self.persistence?.writeBuffered()
                    connection.flush()
                }
                if readiness.contains(.readable) || readiness.contains(.hangup) || readiness.contains(.error) {
                    connection.readable()
                }
            }
        } catch {
            log("cannot watch \(socket.peer): \(error)")
            socket.close()
            return
        }
        connections[id] = connection
        log("\(connection.name): accepted")
    }

    func connectionTerminated(_ connection: ClientConnection) {
        loop.unregister(connection.socket.fd)
        connection.socket.close()
        connections[connection.id] = nil
    }

    func flushAtTurnEnd(_ connection: ClientConnection) {
        pendingFlushes.append(connection)
    }

    private func flushPending() {
        while !pendingFlushes.isEmpty {
            let batch = pendingFlushes
            pendingFlushes.removeAll(keepingCapacity: true)
            for connection in batch { connection.flush() }
        }
    }
}

/// A running Warren broker: one event-loop thread, its AMQP listener, and
/// the broker state it owns.
///
/// `warren serve` and in-process embedding (tests, Swift apps) start the
/// same thing through `start(_:)`.
public final class Server: Sendable {
    private let thread: EventLoopThread
    private let listener: TCPListener
    private let context: UnsafeLoopBound<ServerContext>
    private let isRunning = LockedFlag(true)
    /// The port the AMQP listener is bound to (useful with port 0).
    public let port: Int
    /// The port the HTTP listener is bound to; nil when HTTP is off.
    public let httpPort: Int?

    private init(thread: EventLoopThread, listener: TCPListener, context: UnsafeLoopBound<ServerContext>, httpPort: Int?) {
        self.thread = thread
        self.listener = listener
        self.context = context
        self.port = Int(listener.localPort)
        self.httpPort = httpPort
    }

    /// Binds the listener and starts the event loop; returns once the
    /// broker accepts connections.
    public static func start(
        _ configuration: ServerConfiguration,
        log: @escaping @Sendable (String) -> Void = Server.standardErrorLog
    ) throws -> Server {
        guard let port = UInt16(exactly: configuration.port) else {
            throw SystemError("bind: port \(configuration.port) out of range", errno: EINVAL)
        }
        // The data directory first: a second broker on it is refused before it binds anything.
        let persistence = UnsafeLoopBound<Persistence>()
        persistence.value = try configuration.dataDirectory.map { directory throws in
            try Persistence.open(directory: directory, faults: configuration.storeFaults, log: log)
        }
        let listener: TCPListener
        do {
            listener = try TCPListener(host: configuration.bind, port: port)
        } catch {
            persistence.value?.close()
            throw error
        }
        let httpListener: TCPListener?
        do {
            httpListener = try configuration.httpPort.map { httpPort throws in
                guard let httpPort = UInt16(exactly: httpPort) else {
                    throw SystemError("bind: HTTP port \(httpPort) out of range", errno: EINVAL)
                }
                return try TCPListener(host: configuration.bind, port: httpPort)
            }
        } catch {
            listener.close()
            persistence.value?.close()
            throw error
        }
        let thread: EventLoopThread
        do {
            thread = try EventLoopThread()
        } catch {
            listener.close()
            httpListener?.close()
            persistence.value?.close()
            throw error
        }
        let loop = thread.loop
        let box = UnsafeLoopBound<ServerContext>()
        let ready = Semaphore()
        let failure = LockedValue<Error?>(nil)
        loop.execute {
            loop.busyPollNanoseconds = configuration.busyPollMicroseconds &* 1000
            let broker = Broker()
            ExpiryTimer.install(on: broker, loop: loop)  // TTLs and x-expires (Expiry.swift)
            do {
                // Before the context: its turn-end flush must run after the store's.
                try persistence.value?.attach(to: broker, loop: loop)
            } catch {
                failure.set(error)
            }
            let context = ServerContext(configuration: configuration, broker: broker, loop: loop,
                                        listenAddress: "\(listener.localAddress)", log: log)
            context.persistence = persistence.value
            box.value = context
            // Message ids carry wall-clock milliseconds, read from the loop's clock (no syscall per message).
            let (wallAtStart, loopAtStart) = (wallClockMilliseconds(), loop.now)
            broker.messageIDClock = { [unowned loop] in wallAtStart &+ (loop.now &- loopAtStart) / 1_000_000 }
            do {
                try loop.register(listener.fd, for: .readable) { _ in
                    while let socket = try? listener.accept() { context.accept(socket) }
                }
                if let httpListener {
                    context.http = try HTTPServer(context: context, listener: httpListener, configuration: configuration.http)
                }
            } catch {
                failure.set(error)
            }
            ready.signal()
        }
        ready.wait()
        if let error = failure.get() {
            let closed = Semaphore()
            thread.loop.execute {
                persistence.value?.close()
                closed.signal()
            }
            closed.wait()
            thread.stop()
            listener.close()
            httpListener?.close()
            throw error
        }
        log("Warren \(ServerProperties.version) listening on \(listener.localAddress)")
        if let httpListener { log("HTTP management and dashboard on http://\(httpListener.localAddress)/") }
        return Server(thread: thread, listener: listener, context: box, httpPort: httpListener.map { Int($0.localPort) })
    }

    /// Closes every connection with 320 CONNECTION_FORCED, stops the loop
    /// and returns once it has stopped. Calling it again does nothing.
    public func stop() {
        guard isRunning.exchange(false) else { return }
        let loop = thread.loop
        let listener = self.listener
        let context = self.context
        runOnLoop {
            loop.unregister(listener.fd)
            listener.close()
            context.value?.http?.stop()
            for connection in Array(context.value?.connections.values ?? [:].values) {
                connection.forceClose(reason: "broker forced connection closure with reason 'shutdown'")
            }
        }
        // The closes are written at the end of that turn; then every socket
        // is released, whether or not its client answered close-ok.
        runOnLoop {
            for connection in Array(context.value?.connections.values ?? [:].values) {
                connection.terminate(reason: "shutdown")
            }
            context.value?.persistence?.close()
        }
        thread.stop()
    }

    /// Runs `body` on the loop thread with the server's state and returns
    /// its result; nil once the server has stopped. For tests and diagnostics.
    func withContext<Result: Sendable>(_ body: @escaping @Sendable (ServerContext) -> Result) -> Result? {
        guard isRunning.load() else { return nil }
        let result = LockedValue<Result?>(nil)
        let context = self.context
        runOnLoop { if let value = context.value { result.set(body(value)) } }
        return result.get()
    }

    private func runOnLoop(_ body: @escaping @Sendable () -> Void) {
        let done = Semaphore()
        thread.loop.execute {
            body()
            done.signal()
        }
        done.wait()
    }

    public static let standardErrorLog: @Sendable (String) -> Void = { line in
        let text = Array("\(utcTimestamp()) \(line)\n".utf8)
        text.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// Holds a loop-confined object so that the `Server` handle (which other
/// threads hold) can pass it back into the loop. Only read or written on
/// the loop thread.
final class UnsafeLoopBound<Value: AnyObject>: @unchecked Sendable {
    var value: Value?
}

/// A flag that one caller can take down exactly once.
final class LockedFlag: Sendable {
    private let storage: Mutex<Bool>
    init(_ value: Bool) { storage = Mutex(value) }
    func load() -> Bool { storage.withLock { $0 } }
    /// Sets the flag and returns what it was.
    func exchange(_ value: Bool) -> Bool { storage.withLock { old in defer { old = value }; return old } }
}

/// A tiny mutex-protected value for handing results across threads.
final class LockedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    func get() -> Value { storage.withLock { $0 } }
    func set(_ value: Value) { storage.withLock { $0 = value } }
}

/// The current time as ISO 8601 in UTC to the second, e.g. `2026-11-23T07:05:46Z`.
func utcTimestamp() -> String {
    var seconds = time(nil)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
        + "T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}
