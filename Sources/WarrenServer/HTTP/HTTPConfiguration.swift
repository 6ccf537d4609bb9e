/// Limits and timeouts of the HTTP listener (management API, dashboard,
/// metrics). Every limit is checked before the bytes it limits are buffered.
public struct HTTPConfiguration: Sendable {
    /// Longest request line (method, target, version); longer is 414.
    public var maximumRequestLineBytes: Int
    /// Most header fields in one request; more is 431.
    public var maximumHeaderCount: Int
    /// Most bytes in the header block; more is 431.
    public var maximumHeaderBytes: Int
    /// Largest request body (Content-Length); larger is 413.
    public var maximumBodyBytes: Int
    /// A request must arrive whole within this time of its first byte, however
    /// slowly it trickles in (slowloris); otherwise 408 and the socket closes.
    public var requestTimeoutSeconds: Double
    /// An idle keep-alive connection is closed after this long.
    public var idleTimeoutSeconds: Double
    /// HTTP connections open at once; further ones are closed on accept.
    public var maximumConnections: Int
    /// Seconds between the samples message rates are computed from.
    public var statisticsIntervalSeconds: Double

    public init(maximumRequestLineBytes: Int = 8192, maximumHeaderCount: Int = 100,
                maximumHeaderBytes: Int = 16384, maximumBodyBytes: Int = 16 << 20,
                requestTimeoutSeconds: Double = 30, idleTimeoutSeconds: Double = 60,
                maximumConnections: Int = 512, statisticsIntervalSeconds: Double = 5) {
        self.maximumRequestLineBytes = maximumRequestLineBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maximumConnections = maximumConnections
        self.statisticsIntervalSeconds = statisticsIntervalSeconds
    }

    /// Nanoseconds for the loop's timers; never traps on odd values.
    static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 1_000_000 }
        return UInt64(min(seconds, 86_400 * 365) * 1e9)
    }
}
