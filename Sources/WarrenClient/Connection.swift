import Synchronization
import WarrenSystem

/// A connection to an AMQP 0-9-1 broker.
///
/// ```swift
/// let connection = try await Connection.connect(to: "amqp://guest:guest@localhost:5672/")
/// let channel = try await connection.openChannel()
/// try await channel.publish("hi", routingKey: "greetings")
/// await connection.close()
/// ```
///
/// Each connection has one reader thread that makes the TCP connection, runs
/// the handshake, then reads frames and routes them to channels, sends
/// heartbeats and notices a silent broker. Any task may write; a mutex in the
/// `FrameWriter` keeps frames whole. The connection lives until `close()` or
/// until the broker or the network ends it; dropping the last reference does
/// not close it.
public final class Connection: Sendable {
    public let configuration: ConnectionConfiguration
    /// What the handshake settled: channel-max, frame-max, heartbeat.
    public let tuning: ConnectionTuning
    /// The broker's `connection.start` properties (product, version, capabilities).
    public let serverProperties: FieldTable
    /// Blocked/unblocked notices and the final close. Buffers the newest 64.
    public let events: AsyncStream<ConnectionEvent>

    let writer: FrameWriter
    let socket: ClientSocket
    let eventSink: AsyncStream<ConnectionEvent>.Continuation
    let state: Mutex<State>

    struct State {
        var channels: [UInt16: Channel] = [:]
        /// Why the connection ended; nil while it is alive.
        var ending: ClientError?
        var closeRequested = false
        /// When the reader stops waiting for `close-ok` (monotonic nanoseconds).
        var closeDeadline: UInt64?
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        /// Set once `finish` has ended every channel and the event stream.
        var isFinished = false
    }

    /// How long `close()` waits for the broker's `close-ok`.
    static let closeTimeoutNanoseconds: UInt64 = 5_000_000_000

    init(configuration: ConnectionConfiguration, tuning: ConnectionTuning, serverProperties: FieldTable,
         socket: ClientSocket, writer: FrameWriter) {
        self.configuration = configuration
        self.tuning = tuning
        self.serverProperties = serverProperties
        self.socket = socket
        self.writer = writer
        (events, eventSink) = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .bufferingNewest(64))
        state = Mutex(State())
    }

    /// Connects to an `amqp://` URL (see `ConnectionConfiguration(url:)`).
    public static func connect(to url: String) async throws(ClientError) -> Connection {
        try await connect(ConnectionConfiguration(url: url))
    }

    /// Connects, authenticates with PLAIN and opens the virtual host. The
    /// blocking work happens on the connection's own reader thread, never on
    /// the caller's.
    public static func connect(_ configuration: ConnectionConfiguration) async throws(ClientError) -> Connection {
        let result: Result<Connection, ClientError> = await withCheckedContinuation { continuation in
            startThread(name: "warren-client") { Connection.runReader(configuration, reportingTo: continuation) }
        }
        return try result.get()
    }

    /// True until the connection ends or `close()` is called.
    public var isOpen: Bool { state.withLock { $0.ending == nil && !$0.closeRequested } }

    /// Why the connection ended, once it has.
    public var closeReason: ClientError? { state.withLock { $0.ending } }

    /// Opens a channel on the lowest free channel number.
    public func openChannel() async throws(ClientError) -> Channel {
        let channel = try state.withLock { state throws(ClientError) -> Channel in
            if let ending = state.ending { throw ending }
            if state.closeRequested { throw .closedByApplication }
            guard let id = (1...max(tuning.channelMax, 1)).first(where: { state.channels[$0] == nil }) else {
                throw .noFreeChannel
            }
            let channel = Channel(id: id, connection: self)
            state.channels[id] = channel
            return channel
        }
        do {
            try await channel.open()
        } catch {
            forget(channel)
            throw error
        }
        return channel
    }

    /// Closes the connection (reply code 200) and waits for the broker's
    /// `close-ok`, at most five seconds. Open channels end with
    /// `.closedByApplication`; their consumers' sequences simply finish.
    /// Calling it again, or after the connection died, returns at once.
    public func close() async {
        let shouldSend = state.withLock { state -> Bool in
            guard state.ending == nil, !state.closeRequested else { return false }
            state.closeRequested = true
            state.closeDeadline = monotonicNanoseconds() + Self.closeTimeoutNanoseconds
            return true
        }
        if shouldSend {
            // A failed write shuts the socket down, and the reader then finishes.
            try? writer.writeMethod(channel: 0, .connectionClose(ConnectionClose(
                replyCode: ReplyCode.success.rawValue, replyText: "Goodbye", classId: 0, methodId: 0)))
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = state.withLock { state -> Bool in
                guard !state.isFinished else { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }

    /// Removes a channel from the table once its number may be reused.
    func forget(_ channel: Channel) {
        state.withLock { state in
            if state.channels[channel.id] === channel { state.channels[channel.id] = nil }
        }
    }
}
