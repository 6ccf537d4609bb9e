import WarrenCore

/// Message rates for the management API, from samples of the core's
/// counters taken on a loop timer (every 5 s by default). The core only
/// counts; this keeps the last two samples of each vhost and queue and
/// divides. Confined to the loop thread.
final class StatisticsSampler {
    /// Events per second over the last sampling interval.
    struct Rates {
        var published = 0.0
        var delivered = 0.0
        var redelivered = 0.0
        var acknowledged = 0.0
        var messages = 0.0
        var ready = 0.0
        var unacknowledged = 0.0
    }

    private struct Sample {
        var time: UInt64
        var counters: MessageCounters
        var ready: Int
        var unacknowledged: Int
    }

    private struct Pair {
        var previous: Sample?
        var latest: Sample
    }

    private let broker: Broker
    private let loop: EventLoop
    private let interval: UInt64
    private var vhosts: [String: Pair] = [:]
    /// Keyed by vhost name, NUL, queue name.
    private var queues: [String: Pair] = [:]
    private var timer: TimerID?
    /// Broker-wide samples, oldest first, for the charts (RabbitMQ's `samples`).
    private(set) var history: [HistoryPoint] = []
    static let historyLength = 120

    /// One broker-wide sample: the counters summed over vhosts and the queue depths.
    struct HistoryPoint {
        var milliseconds: UInt64
        var counters: MessageCounters
        var ready: Int
        var unacknowledged: Int
    }

    init(broker: Broker, loop: EventLoop, interval: UInt64) {
        self.broker = broker
        self.loop = loop
        self.interval = interval
    }

    func start() {
        sample()
    }

    func stop() {
        if let timer { loop.cancel(timer) }
        timer = nil
    }

    /// Takes one sample of every vhost and queue, then schedules the next.
    private func sample() {
        let now = loop.now
        var seenQueues: [String: Pair] = [:]
        for name in broker.virtualHostNames {
            guard let vhost = broker.virtualHost(named: name) else { continue }
            var ready = 0
            var unacknowledged = 0
            for queue in vhost.queues {
                ready += queue.messageCount
                unacknowledged += queue.unackedCount
                let key = Self.key(vhost: name, queue: queue.name)
                let sample = Sample(time: now, counters: queue.counters, ready: queue.messageCount,
                                    unacknowledged: queue.unackedCount)
                seenQueues[key] = Pair(previous: queues[key]?.latest, latest: sample)
            }
            let sample = Sample(time: now, counters: vhost.counters, ready: ready, unacknowledged: unacknowledged)
            vhosts[name] = Pair(previous: vhosts[name]?.latest, latest: sample)
        }
        queues = seenQueues
        recordHistory()
        timer = loop.schedule(after: interval) { [weak self] in self?.sample() }
    }

    private func recordHistory() {
        var point = HistoryPoint(milliseconds: wallClockMilliseconds(), counters: MessageCounters(), ready: 0, unacknowledged: 0)
        for pair in vhosts.values {
            point.counters = point.counters + pair.latest.counters
            point.ready += pair.latest.ready
            point.unacknowledged += pair.latest.unacknowledged
        }
        history.append(point)
        if history.count > Self.historyLength { history.removeFirst(history.count - Self.historyLength) }
    }

    /// `[{"sample": value, "timestamp": ms}]`, newest first, as RabbitMQ lists samples.
    func samples(_ value: (HistoryPoint) -> Int64) -> JSONValue {
        .array(history.reversed().map { point in
            .object([("sample", .integer(value(point))), ("timestamp", .integer(Int64(clamping: point.milliseconds)))])
        })
    }

    func rates(vhost: String) -> Rates { Self.rates(vhosts[vhost]) }

    func rates(vhost: String, queue: String) -> Rates { Self.rates(queues[Self.key(vhost: vhost, queue: queue)]) }

    /// The sum over every vhost.
    var totalRates: Rates {
        vhosts.values.map { Self.rates($0) }.reduce(into: Rates()) { total, rates in
            total.published += rates.published
            total.delivered += rates.delivered
            total.redelivered += rates.redelivered
            total.acknowledged += rates.acknowledged
            total.messages += rates.messages
            total.ready += rates.ready
            total.unacknowledged += rates.unacknowledged
        }
    }

    private static func key(vhost: String, queue: String) -> String { vhost + "\u{0}" + queue }

    private static func rates(_ pair: Pair?) -> Rates {
        guard let pair, let previous = pair.previous, pair.latest.time > previous.time else { return Rates() }
        let seconds = Double(pair.latest.time - previous.time) / 1e9
        let latest = pair.latest
        func rate(_ now: UInt64, _ before: UInt64) -> Double { now >= before ? Double(now - before) / seconds : 0 }
        func change(_ now: Int, _ before: Int) -> Double { Double(now - before) / seconds }
        return Rates(
            published: rate(latest.counters.published, previous.counters.published),
            delivered: rate(latest.counters.delivered, previous.counters.delivered),
            redelivered: rate(latest.counters.redelivered, previous.counters.redelivered),
            acknowledged: rate(latest.counters.acknowledged, previous.counters.acknowledged),
            messages: change(latest.ready + latest.unacknowledged, previous.ready + previous.unacknowledged),
            ready: change(latest.ready, previous.ready),
            unacknowledged: change(latest.unacknowledged, previous.unacknowledged))
    }
}

extension StatisticsSampler.Rates {
    /// RabbitMQ's `message_stats` object: each count with its `_details.rate`.
    static func messageStats(_ counters: MessageCounters, _ rates: Self) -> JSONValue {
        func entry(_ name: String, _ count: UInt64, _ rate: Double) -> [(String, JSONValue)] {
            [(name, .integer(Int64(clamping: count))), (name + "_details", .object([("rate", .number(rate))]))]
        }
        return .object(
            entry("publish", counters.published, rates.published)
                + entry("deliver_get", counters.delivered, rates.delivered)
                + entry("ack", counters.acknowledged, rates.acknowledged)
                + entry("redeliver", counters.redelivered, rates.redelivered))
    }

    /// `{"rate": …}` for one of the queue-depth rates.
    static func details(_ rate: Double) -> JSONValue { .object([("rate", .number(rate))]) }
}
