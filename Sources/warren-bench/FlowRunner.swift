/// Where and how long to run, shared by every scenario of a run.
struct RunContext: Sendable {
    var url: AMQPURL
    var brokerName: String
    var brokerPID: Int32?
    var seconds: Double
    var warmup: Double
    /// The built-in sink, for scenarios that count what it received.
    var sink: SinkServer?
}

/// Counters read at the two edges of the measurement window.
private struct Snapshot {
    var delivered: [Int]
    var bodyBytes: Int
    var published: Int
    var confirmed: Int
    var sinkReceived: Int
    var cpu: CPUSample
}

/// Runs a `FlowScenario`: declares, starts consumers (each on its own
/// connection and thread), then the publisher, lets the warm-up pass,
/// samples, waits out the window, samples again, stops everything, and
/// deletes what it declared.
struct FlowRunner {
    let scenario: FlowScenario
    let context: RunContext

    func run() -> ScenarioResult {
        do {
            return try runChecked()
        } catch {
            return .failed(scenario.id, scenario.title, broker: context.brokerName, error)
        }
    }

    private func runChecked() throws(BenchError) -> ScenarioResult {
        let control = try AMQPConnection.openWithChannel(context.url, name: "warren-bench control")
        defer { control.close() }
        try scenario.topology.declare(on: control)
        defer {
            do { try scenario.topology.delete(on: control) } catch { log("warning: cleanup of scenario \(scenario.id) failed: \(error)") }
        }

        let consumerStop = StopFlag(), publisherStop = StopFlag()
        let url = context.url
        var consumerThreads: [WorkerThread<ConsumerReport>] = []
        var consumerProgress: [ConsumerProgress] = []
        var publisherThread: WorkerThread<PublisherReport>?
        defer {
            // On every path out, including errors: no worker outlives its scenario.
            publisherStop.raise()
            consumerStop.raise()
            _ = publisherThread?.join()
            for thread in consumerThreads { _ = thread.join() }
        }
        for (index, plan) in scenario.consumers.enumerated() {
            let progress = ConsumerProgress()
            consumerProgress.append(progress)
            consumerThreads.append(try WorkerThread { () throws(BenchError) in
                try runConsumer(url: url, plan: plan, tag: "warren-bench-\(index + 1)", stop: consumerStop, progress: progress)
            })
        }
        guard waitUntil(timeoutSeconds: 30, { consumerProgress.allSatisfy(\.isReadyOrFinished) }) else {
            throw .timeout("consumers did not start within 30 s")
        }
        if let failed = consumerProgress.firstIndex(where: \.isFinished) {
            consumerStop.raise()
            if case .failure(let error) = consumerThreads[failed].join() { throw error }
            throw .protocolViolation("consumer \(failed + 1) ended before the run started")
        }

        let startNanos = monotonicNanos()
        let windowStart = startNanos + UInt64(context.warmup * 1e9)
        let windowEnd = windowStart + UInt64(context.seconds * 1e9)
        let publisherProgress = PublisherProgress()
        if let plan = scenario.publish {
            publisherThread = try WorkerThread { () throws(BenchError) in
                try runPublisher(url: url, plan: plan, stop: publisherStop, endNanos: windowEnd, progress: publisherProgress)
            }
        }

        sleep(until: windowStart)
        let before = snapshot(consumerProgress, publisherProgress)
        sleep(until: windowEnd)
        let after = snapshot(consumerProgress, publisherProgress)

        publisherStop.raise()
        let publisherResult = publisherThread?.join()
        if case .failure(let error) = publisherResult { throw error }
        if scenario.reportLatency {
            // Let the last stamped messages arrive before the consumers stop.
            let published = publisherProgress.published.current
            _ = waitUntil(timeoutSeconds: 5) { consumerProgress.reduce(0) { $0 + $1.delivered.current } >= published }
        }
        consumerStop.raise()
        var reports: [ConsumerReport] = []
        for thread in consumerThreads {
            switch thread.join() {
            case .success(let report): reports.append(report)
            case .failure(let error): throw error
            }
        }
        var result = measure(before, after)
        if scenario.reportLatency { addLatency(to: &result, reports, windowStart: windowStart, windowEnd: windowEnd) }
        if case .success(let report)? = publisherResult, report.nacked > 0 { result["nacked"] = Double(report.nacked) }
        return result
    }

    private func snapshot(_ consumers: [ConsumerProgress], _ publisher: PublisherProgress) -> Snapshot {
        Snapshot(
            delivered: consumers.map(\.delivered.current),
            bodyBytes: consumers.reduce(0) { $0 + $1.bodyBytes.current },
            published: publisher.published.current,
            confirmed: publisher.confirmed.current,
            sinkReceived: context.sink?.received.current ?? 0,
            cpu: CPUSample.take(brokerPID: context.brokerPID))
    }

    private func measure(_ before: Snapshot, _ after: Snapshot) -> ScenarioResult {
        var result = ScenarioResult(id: scenario.id, title: scenario.title, broker: context.brokerName)
        let elapsed = Double(after.cpu.wallNanos - before.cpu.wallNanos) / 1e9
        let perConsumer = zip(after.delivered, before.delivered).map { $0 - $1 }
        let delivered = perConsumer.reduce(0, +)
        let count: Int
        switch scenario.measure {
        case .delivered: count = delivered / max(1, scenario.deliveriesPerPublish)
        case .confirmed: count = after.confirmed - before.confirmed
        case .sinkReceived: count = after.sinkReceived - before.sinkReceived
        }
        result["msgs_per_s"] = Double(count) / elapsed
        if count == 0, !scenario.reportLatency {
            // A stall is a finding, not a figure: it must not pass as a slow median.
            result.error = "no messages counted in the \(formatNumber(elapsed)) s window"
        }
        if scenario.deliveriesPerPublish > 1 {
            result["delivered_per_s"] = Double(delivered) / elapsed
        }
        if scenario.reportBytes {
            result["mb_per_s"] = Double(after.bodyBytes - before.bodyBytes) / elapsed / 1e6
        }
        if let brokerBefore = before.cpu.brokerMicros, let brokerAfter = after.cpu.brokerMicros, count > 0 {
            result["cpu_us_per_msg"] = (brokerAfter - brokerBefore) / Double(count)
            result["broker_cpu_pct"] = (brokerAfter - brokerBefore) / (elapsed * 1e6) * 100
        }
        result["tool_cpu_pct"] = (after.cpu.toolMicros - before.cpu.toolMicros) / (elapsed * 1e6) * 100
        if scenario.reportSpread, delivered > 0 {
            let shares = perConsumer.map { Double($0) / Double(delivered) * 100 }
            result["spread_min_pct"] = shares.min()
            result["spread_max_pct"] = shares.max()
            result.notes.append("split=" + shares.map { fixed($0, decimals: 1) }.joined(separator: "/"))
        }
        return result
    }

    /// Percentiles of the messages published inside the window, in microseconds.
    private func addLatency(to result: inout ScenarioResult, _ reports: [ConsumerReport], windowStart: UInt64, windowEnd: UInt64) {
        var inWindow: [UInt64] = []
        for report in reports {
            for (stamp, latency) in zip(report.stamps, report.latencies) where stamp >= windowStart && stamp < windowEnd {
                inWindow.append(latency)
            }
        }
        inWindow.sort()
        result["msgs_per_s"] = Double(inWindow.count) / context.seconds
        for (name, fraction) in [("p50_us", 0.5), ("p99_us", 0.99), ("p999_us", 0.999), ("max_us", 1.0)] {
            result[name] = Double(Statistics.percentile(inWindow, fraction)) / 1000
        }
        result["samples"] = Double(inWindow.count)
    }
}
