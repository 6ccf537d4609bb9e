import Glibc

/// One publisher (or none) and some consumers over a topology, measured for
/// a fixed window. Every scenario but the memory one is of this shape.
struct FlowScenario: Sendable {
    enum Measure: Sendable {
        /// Messages the consumers received (end to end).
        case delivered
        /// Messages the broker confirmed (publish-only scenarios: counting
        /// what the publisher wrote would count the socket buffers too, several
        /// megabytes on loopback).
        case confirmed
        /// Messages the built-in sink counted.
        case sinkReceived
    }

    var id: String
    var title: String
    var topology = Topology()
    var publish: PublishPlan?
    var consumers: [ConsumePlan] = []
    var measure = Measure.delivered
    var reportBytes = false
    var reportSpread = false
    var reportLatency = false
    /// Each publish reaches this many queues; `msgs_per_s` counts publishes
    /// (deliveries divided by this), `delivered_per_s` deliveries.
    var deliveriesPerPublish = 1
}

/// A scenario of the catalog, by kind.
enum Scenario: Sendable {
    case flow(FlowScenario)
    case memory(id: String, title: String)

    var id: String {
        switch self {
        case .flow(let flow): flow.id
        case .memory(let id, _): id
        }
    }

    /// Scenarios that need no broker: they run against the built-in sink.
    var usesSink: Bool { id.hasPrefix("sink") }
}

/// Builds the scenarios, with names unique to this run (process id and a
/// clock reading) so that concurrent or crashed runs never collide.
struct ScenarioCatalog {
    let prefix: String
    var options: RunOptions

    init(options: RunOptions) {
        self.options = options
        prefix = "warren-bench-\(getpid())-\(monotonicNanos() / 1_000_000 % 1_000_000)"
    }

    /// Catalog order, which is also run order: the memory scenario comes
    /// before any load, so that "idle" means a broker that has not just been busy.
    static let defaultBrokerIDs = ["sink", "sink-consume", "8", "ceiling", "1", "2", "3", "4", "5", "6.1k", "6.10k", "7.1KiB", "7.64KiB", "9"]
    static let sinkIDs = ["sink", "sink-consume"]

    /// The scenarios `--scenarios` names, in catalog order; `6` selects both 6.1k and 6.10k.
    func select(_ requested: [String], sinkOnly: Bool) throws(BenchError) -> [Scenario] {
        let all = sinkOnly ? Self.sinkIDs : Self.defaultBrokerIDs
        var chosen: [String] = []
        for name in requested {
            let matches = name == "all" ? all : Self.defaultBrokerIDs.filter { $0 == name || $0.hasPrefix(name + ".") }
            guard !matches.isEmpty else { throw .usage("unknown scenario \(name)") }
            chosen += matches
        }
        return Self.defaultBrokerIDs.filter(chosen.contains).map(scenario)
    }

    func scenario(_ id: String) -> Scenario {
        var chosen = unlimitedScenario(id)
        if let rate = options.rate, case .flow(var flow) = chosen, flow.publish?.ratePerSecond == nil, flow.publish != nil {
            flow.publish?.ratePerSecond = rate
            flow.title += ", publisher capped at \(rate) msgs/s"
            chosen = .flow(flow)
        }
        return chosen
    }

    private func unlimitedScenario(_ id: String) -> Scenario {
        let queue = "\(prefix)-s\(id)"
        let toQueue = PublishPlan(routingKeys: [queue], batchMessages: options.batchMessages)
        let oneQueue = Topology(queues: [.init(name: queue)])
        switch id {
        case "sink":
            return .flow(FlowScenario(id: id, title: "tool ceiling: publish only, to the built-in sink",
                                      publish: PublishPlan(routingKeys: ["sink"], batchMessages: options.batchMessages), measure: .sinkReceived))
        case "sink-consume":
            return .flow(FlowScenario(id: id, title: "tool ceiling: consume only, from the built-in sink",
                                      consumers: [ConsumePlan(queue: "sink")]))
        case "ceiling":
            let exchange = "\(prefix)-unbound"
            return .flow(FlowScenario(id: id, title: "publish only (confirmed, <=10000 in flight), fanout exchange without bindings",
                                      topology: Topology(exchange: .init(name: exchange, type: "fanout")),
                                      publish: PublishPlan(exchange: exchange, routingKeys: [""], confirmWindow: 10_000,
                                                           batchMessages: options.batchMessages),
                                      measure: .confirmed))
        case "1":
            return .flow(FlowScenario(id: id, title: "1 -> 1 queue -> 1, 16 B, auto-ack", topology: oneQueue, publish: toQueue,
                                      consumers: [ConsumePlan(queue: queue)]))
        case "2":
            return .flow(FlowScenario(id: id, title: "1 -> 1 queue -> 1, 16 B, acks (multiple/100), prefetch 100", topology: oneQueue,
                                      publish: toQueue, consumers: [ConsumePlan(queue: queue, noAck: false, prefetch: 100, ackEvery: 100)]))
        case "3":
            let exchange = "\(prefix)-fanout"
            let queues = (1...4).map { Topology.QueueSpec(name: "\(queue)-\($0)", bindingKeys: [""]) }
            return .flow(FlowScenario(id: id, title: "fanout: 1 -> exchange -> 4 queues -> 4, 16 B, auto-ack",
                                      topology: Topology(exchange: .init(name: exchange, type: "fanout"), queues: queues),
                                      publish: PublishPlan(exchange: exchange, routingKeys: [""], batchMessages: options.batchMessages),
                                      consumers: queues.map { ConsumePlan(queue: $0.name) }))
        case "4":
            return .flow(FlowScenario(id: id, title: "work queue: 1 -> 1 queue -> 4, prefetch 1, acks", topology: oneQueue, publish: toQueue,
                                      consumers: (1...4).map { _ in ConsumePlan(queue: queue, noAck: false, prefetch: 1, ackEvery: 1) },
                                      reportSpread: true))
        case "5":
            var plan = toQueue
            plan.persistent = true
            plan.confirmWindow = 1000
            return .flow(FlowScenario(id: id, title: "durable queue, persistent, confirms (<=1000 in flight), acks (multiple/100), prefetch 100",
                                      topology: Topology(queues: [.init(name: queue, durable: true)]), publish: plan,
                                      consumers: [ConsumePlan(queue: queue, noAck: false, prefetch: 100, ackEvery: 100)]))
        case "6.1k", "6.10k":
            let rate = id == "6.1k" ? 1_000 : 10_000
            var plan = toQueue
            plan.ratePerSecond = rate
            plan.stampTimestamps = true
            let capacity = Int(Double(rate) * (options.warmup + options.seconds + 10) * 1.2)
            return .flow(FlowScenario(id: id, title: "latency at \(rate) msgs/s, 16 B, auto-ack", topology: oneQueue, publish: plan,
                                      consumers: [ConsumePlan(queue: queue, latency: LatencyRecording(capacity: capacity))],
                                      reportLatency: true))
        case "7.1KiB", "7.64KiB":
            var plan = toQueue
            plan.bodySize = id == "7.1KiB" ? 1024 : 65_536
            return .flow(FlowScenario(id: id, title: "as 1 with a \(id.dropFirst(2)) body", topology: oneQueue, publish: plan,
                                      consumers: [ConsumePlan(queue: queue)], reportBytes: true))
        case "8":
            return .memory(id: id, title: "broker RSS: idle, \(grouped(Double(options.memoryMessages))) queued 100 B messages, \(grouped(Double(options.idleConnections))) idle connections")
        default:
            return .flow(topicScenario(id: id, queue: queue))
        }
    }

    /// 10,000 bindings in four families of patterns, one family per queue:
    /// `r.N.*`, `r.*.N`, `r.N.#` and `#.N.end`. A key `r.A.B` matches exactly
    /// three bindings (one in each of the first three queues); the fourth
    /// family never matches but still sits in the exchange's routing table.
    private func topicScenario(id: String, queue: String) -> FlowScenario {
        let perFamily = max(1, options.topicBindings / 4)
        let families: [(Int) -> String] = [{ "r.\($0).*" }, { "r.*.\($0)" }, { "r.\($0).#" }, { "#.\($0).end" }]
        let queues = families.enumerated().map { index, pattern in
            Topology.QueueSpec(name: "\(queue)-\(index + 1)", bindingKeys: (0..<perFamily).map(pattern))
        }
        let keys = (0..<64).map { "r.\(($0 * 37) % perFamily).\(($0 * 101 + 7) % perFamily)" }
        let exchange = "\(prefix)-topic"
        return FlowScenario(id: id, title: "topic: \(grouped(Double(perFamily * 4))) wildcard bindings, each key matches 3, 4 consumers",
                            topology: Topology(exchange: .init(name: exchange, type: "topic"), queues: queues),
                            publish: PublishPlan(exchange: exchange, routingKeys: keys, batchMessages: options.batchMessages),
                            consumers: queues.map { ConsumePlan(queue: $0.name) }, deliveriesPerPublish: 3)
    }
}
