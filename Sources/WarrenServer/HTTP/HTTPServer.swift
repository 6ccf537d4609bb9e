import Glibc
import WarrenCore

/// Warren's HTTP side: the listener for the management API, the dashboard and
/// `/metrics`, on the same event loop as AMQP and over the same broker (there
/// is one owner of the state, and this reads and changes it directly).
/// Confined to the loop thread.
final class HTTPServer {
    unowned let context: ServerContext
    let listener: TCPListener
    let configuration: HTTPConfiguration
    let statistics: StatisticsSampler
    /// Wall-clock milliseconds when the server started.
    let startedAt: UInt64
    private let router = HTTPRouter.management()
    private var connections: [Int32: HTTPConnection] = [:]
    private var pendingFlushes: [HTTPConnection] = []
    private var isStopped = false

    var loop: EventLoop { context.loop }
    var broker: Broker { context.broker }

    /// Watches `listener` on the context's loop and starts sampling statistics.
    /// Call on the loop thread.
    init(context: ServerContext, listener: TCPListener, configuration: HTTPConfiguration) throws(SystemError) {
        self.context = context
        self.listener = listener
        self.configuration = configuration
        self.startedAt = wallClockMilliseconds()
        self.statistics = StatisticsSampler(broker: context.broker, loop: context.loop,
                                            interval: HTTPConfiguration.nanoseconds(configuration.statisticsIntervalSeconds))
        try context.loop.register(listener.fd, for: .readable) { [weak self] _ in self?.acceptPending() }
        context.loop.onTurnEnd { [weak self] in self?.flushPending() }
        statistics.start()
    }

    func log(_ line: String) { context.log(line) }

    private func acceptPending() {
        while !isStopped {
            let socket: TCPSocket
            do {
                guard let accepted = try listener.accept() else { return }
                socket = accepted
            } catch {
                // Out of descriptors or buffers: the listener stays readable, so
                // stop watching it for a moment instead of spinning the loop.
                log("HTTP accept failed: \(error); pausing accepts for 100 ms")
                try? loop.modify(listener.fd, interest: [])
                loop.schedule(after: 100_000_000) { [weak self] in
                    guard let self, !self.isStopped else { return }
                    try? self.loop.modify(self.listener.fd, interest: .readable)
                }
                return
            }
            guard connections.count < configuration.maximumConnections else {
                socket.close()
                continue
            }
            let connection = HTTPConnection(socket: socket, server: self)
            do {
                try loop.register(socket.fd, for: .readable) { [weak connection] readiness in
                    connection?.handle(readiness)
                }
            } catch {
                connection.terminate()
                socket.close()
                continue
            }
            connections[socket.fd] = connection
        }
    }

    /// Answers one request: routing, authentication, the handler.
    func respond(to request: HTTPRequest, from connection: HTTPConnection) -> HTTPResponse {
        router.respond(to: request, server: self, peer: connection.socket.peer)
    }

    func flushAtTurnEnd(_ connection: HTTPConnection) {
        pendingFlushes.append(connection)
    }

    private func flushPending() {
        while !pendingFlushes.isEmpty {
            let batch = pendingFlushes
            pendingFlushes.removeAll(keepingCapacity: true)
            for connection in batch { connection.flush() }
        }
    }

    /// Called by a connection that has terminated: forget it and close its socket.
    func connectionClosed(_ connection: HTTPConnection) {
        let fd = connection.socket.fd
        guard connections[fd] === connection else { return }
        loop.unregister(fd)
        connection.socket.close()
        connections[fd] = nil
    }

    /// The AMQP listener's port, from its address (`host:port` or `[host]:port`).
    var amqpPort: Int {
        context.listenAddress.split(separator: ":").last.flatMap { Int($0) } ?? 0
    }

    /// HTTP connections open now.
    var connectionCount: Int { connections.count }

    /// Stops listening and closes every HTTP connection at once.
    func stop() {
        guard !isStopped else { return }
        isStopped = true
        statistics.stop()
        loop.unregister(listener.fd)
        listener.close()
        for connection in Array(connections.values) { connection.terminate() }
    }
}

/// Milliseconds since the Unix epoch, from the real-time clock.
func wallClockMilliseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return UInt64(max(spec.tv_sec, 0)) &* 1000 &+ UInt64(max(spec.tv_nsec, 0)) / 1_000_000
}
