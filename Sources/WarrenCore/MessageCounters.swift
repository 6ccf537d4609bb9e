/// Running totals of what happened to messages, kept per queue and per vhost
/// for the management API's `message_stats` and for `/metrics`.
///
/// Each event is one wrapping integer increment where it happens: no
/// allocation, no clock. Rates are the reader's business (the HTTP side
/// samples these every few seconds).
public struct MessageCounters: Equatable, Sendable {
    /// Messages that entered: per vhost, each publish; per queue, each enqueue.
    public internal(set) var published: UInt64 = 0
    /// Deliveries to consumers and by `basic.get`, first ones and redeliveries.
    public internal(set) var delivered: UInt64 = 0
    /// Deliveries that were delivered before (the redelivered flag was set).
    public internal(set) var redelivered: UInt64 = 0
    /// Explicit acknowledgements (no-ack deliveries are not counted).
    public internal(set) var acknowledged: UInt64 = 0

    public init() {}

    /// Field-by-field sums, for totals over queues or vhosts.
    public static func + (left: MessageCounters, right: MessageCounters) -> MessageCounters {
        var sum = left
        sum.published &+= right.published
        sum.delivered &+= right.delivered
        sum.redelivered &+= right.redelivered
        sum.acknowledged &+= right.acknowledged
        return sum
    }

    @inline(__always)
    mutating func countDelivery(redelivered isRedelivered: Bool) {
        delivered &+= 1
        if isRedelivered { redelivered &+= 1 }
    }
}
