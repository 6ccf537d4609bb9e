import AMQPProtocol

/// What the broker and client settled on in `connection.tune`/`tune-ok`.
public struct ConnectionTuning: Hashable, Sendable {
    /// The highest channel number that may be opened.
    public var channelMax: UInt16
    /// The largest frame either side may send, framing included.
    public var frameMax: UInt32
    /// Seconds between heartbeats; 0 when they are off.
    public var heartbeat: UInt16
}

/// The opening conversation on channel 0, run on the reader thread before
/// anything else: protocol header, start/start-ok (PLAIN), tune/tune-ok,
/// open/open-ok. Blocking, bounded by the configuration's connection timeout.
struct Handshake {
    let configuration: ConnectionConfiguration
    let writer: FrameWriter
    var source: FrameSource
    let deadline: UInt64

    /// The capabilities this client implements; RabbitMQ sends `basic.cancel`
    /// and `connection.blocked` only to clients that claim them.
    static let capabilities: FieldTable = [
        "publisher_confirms": .boolean(true),
        "exchange_exchange_bindings": .boolean(true),
        "basic.nack": .boolean(true),
        "consumer_cancel_notify": .boolean(true),
        "connection.blocked": .boolean(true),
        "authentication_failure_close": .boolean(true),
    ]

    init(configuration: ConnectionConfiguration, writer: FrameWriter, source: FrameSource) {
        self.configuration = configuration
        self.writer = writer
        self.source = source
        let timeout = UInt64(max(configuration.connectionTimeoutMilliseconds, 1)) * 1_000_000
        deadline = monotonicNanoseconds() + timeout
    }

    mutating func run() throws(ClientError) -> (tuning: ConnectionTuning, serverProperties: FieldTable) {
        try writer.write { $0.writeBytes(protocolHeader) }
        guard case .connectionStart(let start) = try nextMethod("connection.start") else {
            throw .handshakeFailed("the broker did not begin with connection.start")
        }
        let mechanisms = String(decoding: start.mechanisms, as: UTF8.self).split(separator: " ")
        guard mechanisms.contains("PLAIN") else {
            throw .handshakeFailed("the broker offers \(mechanisms.joined(separator: ", ")), not PLAIN")
        }
        try writer.writeMethod(channel: 0, .connectionStartOk(startOk()))

        let tune: ConnectionTune
        switch try nextMethod("connection.tune (is the login right?)") {
        case .connectionTune(let proposal): tune = proposal
        case .connectionSecure: throw .handshakeFailed("the broker asked for a SASL challenge PLAIN does not have")
        default: throw .handshakeFailed("expected connection.tune")
        }
        let tuning = negotiate(tune)
        source.maximumFrameSize = Int(tuning.frameMax)
        try writer.writeMethod(channel: 0, .connectionTuneOk(ConnectionTuneOk(
            channelMax: tuning.channelMax, frameMax: tuning.frameMax, heartbeat: tuning.heartbeat)))
        try writer.writeMethod(channel: 0, .connectionOpen(ConnectionOpen(virtualHost: configuration.virtualHost)))
        guard case .connectionOpenOk = try nextMethod("connection.open-ok") else {
            throw .handshakeFailed("expected connection.open-ok")
        }
        return (tuning, start.serverProperties)
    }

    private func startOk() -> ConnectionStartOk {
        var properties: FieldTable = [
            "product": .string("WarrenClient"),
            "platform": .string("Swift"),
            "version": .string("0.1.0"),
            "capabilities": .table(Self.capabilities),
        ]
        if let name = configuration.connectionName { properties["connection_name"] = .string(name) }
        let response = [0] + Array(configuration.username.utf8) + [0] + Array(configuration.password.utf8)
        return ConnectionStartOk(clientProperties: properties, mechanism: "PLAIN", response: response, locale: "en_US")
    }

    /// The broker proposes, the client may lower: 0 means "no limit" for
    /// channel-max and frame-max. Heartbeat follows pika: the URL's value when
    /// given (0 turns heartbeats off), the broker's otherwise.
    func negotiate(_ tune: ConnectionTune) -> ConnectionTuning {
        Self.negotiate(tune, with: configuration)
    }

    static func negotiate(_ tune: ConnectionTune, with configuration: ConnectionConfiguration) -> ConnectionTuning {
        func lower<N: FixedWidthInteger>(_ server: N, _ client: N?) -> N {
            let server = server == 0 ? N.max : server
            guard let client, client != 0 else { return server }
            return min(server, client)
        }
        let channelMax = lower(tune.channelMax, configuration.channelMax)
        var frameMax = lower(tune.frameMax, configuration.frameMax)
        if frameMax == UInt32.max { frameMax = 131_072 }  // neither side has a limit: RabbitMQ's default
        frameMax = max(frameMax, 4096)  // the spec's frame-min-size
        let heartbeat = configuration.heartbeat ?? tune.heartbeat
        return ConnectionTuning(channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat)
    }

    /// The next method on channel 0, skipping heartbeats. A `connection.close`
    /// (refused login, unknown vhost) is answered and thrown with its code and
    /// text; end of stream here usually means the login was refused.
    private mutating func nextMethod(_ step: String) throws(ClientError) -> Method {
        while true {
            let frame: Frame
            do {
                frame = try source.nextFrame(before: deadline, waitingFor: step)
            } catch {
                if case .connectionLost(let detail) = error {
                    throw .handshakeFailed("\(detail) while waiting for \(step)")
                }
                throw error
            }
            switch frame {
            case .heartbeat: continue
            case .method(0, .connectionClose(let close)):
                try? writer.writeMethod(channel: 0, .connectionCloseOk(ConnectionCloseOk()))
                throw .connectionClosed(CloseReason(close))
            case .method(0, let method): return method
            default: throw .handshakeFailed("unexpected frame on channel \(frame.channel) while waiting for \(step)")
            }
        }
    }
}
