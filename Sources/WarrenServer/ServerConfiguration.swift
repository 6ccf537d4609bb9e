import AMQPProtocol
import WarrenCore
import WarrenStore

/// Everything `warren serve` can be told, passed in as one value.
public struct ServerConfiguration: Sendable {
    /// AMQP listener port; 0 picks a free one (see `Server.port`).
    public var port: Int
    /// Address to listen on: "0.0.0.0", "127.0.0.1", "::".
    public var bind: String
    /// Heartbeat interval Warren proposes in connection.tune, in seconds.
    public var heartbeat: UInt16
    /// frame_max Warren proposes; never below `minimumFrameMax`.
    public var frameMax: UInt32
    /// channel_max Warren proposes.
    public var channelMax: UInt16
    /// A peer that has not finished the handshake by then is disconnected.
    public var handshakeTimeoutSeconds: UInt64
    /// Bodies larger than this are refused with 406 PRECONDITION_FAILED.
    public var maximumMessageSize: UInt64
    /// HTTP port (management API, dashboard, `/metrics`) on `bind`; nil turns
    /// HTTP off, 0 picks a free port (see `Server.httpPort`). Off unless set:
    /// `warren serve` sets 15672, RabbitMQ's management port.
    public var httpPort: Int?
    /// The HTTP listener's limits and timeouts.
    public var http: HTTPConfiguration
    /// Where durable definitions and persistent messages live (created if missing;
    /// one broker at a time). Nil, the default for in-process brokers, means no
    /// persistence: everything is gone when the server stops. `warren serve` passes
    /// its `--data-dir`.
    public var dataDirectory: String?
    /// How long the event loop keeps polling after I/O before it sleeps, in
    /// microseconds (`EventLoop.busyPollNanoseconds`). 0, the default for in-process
    /// brokers, never polls; `warren serve` uses 200.
    public var busyPollMicroseconds: UInt64
    /// Test hook: delays or fails the store's writes and syncs. Nil in production.
    var storeFaults: FaultInjector?
    public init(
        port: Int = 5672, bind: String = "0.0.0.0", heartbeat: UInt16 = 60,
        frameMax: UInt32 = 131_072, channelMax: UInt16 = 2047,
        handshakeTimeoutSeconds: UInt64 = 10, maximumMessageSize: UInt64 = 134_217_728,
        httpPort: Int? = nil, http: HTTPConfiguration = HTTPConfiguration(),
        dataDirectory: String? = nil, busyPollMicroseconds: UInt64 = 0
    ) {
        self.port = port
        self.bind = bind
        self.heartbeat = heartbeat
        self.frameMax = max(frameMax, minimumFrameMax)
        self.channelMax = channelMax
        self.handshakeTimeoutSeconds = handshakeTimeoutSeconds
        self.maximumMessageSize = maximumMessageSize
        self.httpPort = httpPort
        self.http = http
        self.dataDirectory = dataDirectory
        self.busyPollMicroseconds = busyPollMicroseconds
    }
}

/// The smallest frame_max either side may ask for.
public let minimumFrameMax: UInt32 = 4096
