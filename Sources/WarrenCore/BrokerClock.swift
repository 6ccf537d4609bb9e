/// A moment as the broker model sees it: two readings taken together.
public struct BrokerTime: Equatable, Sendable {
    /// Monotonic milliseconds (any origin): message TTL deadlines and queue
    /// expiry are measured on it, so a wall-clock jump cannot expire anything.
    public var milliseconds: UInt64
    /// Seconds since 1970: only the `time` of an `x-death` entry uses it.
    public var unixSeconds: Int64

    public init(milliseconds: UInt64, unixSeconds: Int64) {
        self.milliseconds = milliseconds
        self.unixSeconds = unixSeconds
    }
}

/// Where the broker model learns the time. The core never reads a clock of
/// its own: the server installs one that returns its event loop's per-turn
/// reading (one for the whole turn), and tests install a manual one, so runs
/// stay deterministic.
///
/// It is consulted only on the paths of queues that use TTL, queue expiry,
/// dead-lettering or limits, never while publishing to, delivering from or
/// acking on a plain queue. The timer's `expire(now:)` takes its time as an
/// argument instead.
public struct BrokerClock {
    public var now: () -> BrokerTime

    public init(now: @escaping () -> BrokerTime) {
        self.now = now
    }

    /// Always the origin: for brokers nobody drives in time (TTLs then never run out).
    public static var stopped: BrokerClock { BrokerClock { BrokerTime(milliseconds: 0, unixSeconds: 0) } }
}
