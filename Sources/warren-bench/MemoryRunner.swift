import AMQPProtocol

/// Scenario 8: the broker's resident memory (VmRSS) idle, with a deep queue,
/// and with many idle connections.
///
/// RSS is what the kernel charges the process, not what the broker thinks it
/// uses: Erlang's allocators keep freed carriers, so RabbitMQ's figures
/// include cached memory, and a garbage-collected or pooled heap may not
/// shrink after a queue is deleted. Each reading follows a settling pause.
struct MemoryRunner {
    let id: String
    let title: String
    let context: RunContext
    let options: RunOptions
    let queueName: String

    static let bodySize = 100

    func run() -> ScenarioResult {
        guard let pid = context.brokerPID else {
            return .failed(id, title, broker: context.brokerName, .usage("scenario 8 needs --broker-pid (RabbitMQ: pgrep -f beam.smp)"))
        }
        do {
            return try measure(pid: pid)
        } catch {
            return .failed(id, title, broker: context.brokerName, error)
        }
    }

    /// RSS once it has settled: sampled every second until two successive
    /// changes are both under 0.5% (garbage collection and allocator
    /// trimming run for a while after a burst), or 30 s have passed.
    private func rss(_ pid: Int32) throws(BenchError) -> Double {
        var previous = try readRSS(pid)
        var calm = 0
        for _ in 0..<30 {
            sleep(seconds: 1)
            let current = try readRSS(pid)
            calm = abs(current - previous) < previous * 0.005 ? calm + 1 : 0
            previous = current
            if calm >= 2 { break }
        }
        return previous
    }

    private func readRSS(_ pid: Int32) throws(BenchError) -> Double {
        guard let bytes = ProcStats.residentBytes(pid: pid) else {
            throw .broker("cannot read /proc/\(pid)/status: is --broker-pid right?")
        }
        return Double(bytes)
    }

    private func measure(pid: Int32) throws(BenchError) -> ScenarioResult {
        var result = ScenarioResult(id: id, title: title, broker: context.brokerName)
        let idle = try rss(pid)
        result["rss_idle_mb"] = idle / 1_048_576

        // Connections first, while the broker's heap is still calm; the deep
        // queue second, since a deleted queue's memory may not come back.
        let connections = try openIdleConnections()
        let withConnections = try rss(pid)
        for connection in connections.opened { connection.close(timeoutSeconds: 1) }
        let base = try rss(pid)
        result["connections"] = Double(connections.opened.count)
        if !connections.opened.isEmpty {
            // Against the mean of before and after, so a slow drift (a heap
            // still shrinking) cancels out instead of landing in the figure.
            result["rss_per_conn_kb"] = (withConnections - (idle + base) / 2) / Double(connections.opened.count) / 1024
        }
        if let error = connections.error {
            result.notes.append("only_\(connections.opened.count)_of_\(options.idleConnections)_connections:_\(error)")
        }

        let queued = try fillQueue(pid: pid)
        result["rss_queued_mb"] = queued.rss / 1_048_576
        result["bytes_per_msg"] = (queued.rss - base) / Double(options.memoryMessages) - Double(Self.bodySize)
        result["fill_msgs_per_s"] = queued.rate
        return result
    }

    /// Publishes `memoryMessages` 100-byte messages to a fresh queue with no
    /// consumer, waits until the broker reports them all queued, reads RSS,
    /// and deletes the queue.
    private func fillQueue(pid: Int32) throws(BenchError) -> (rss: Double, rate: Double) {
        let control = try AMQPConnection.openWithChannel(context.url, name: "warren-bench memory control")
        defer { control.close() }
        let topology = Topology(queues: [.init(name: queueName)])
        try topology.declare(on: control)
        defer {
            do { try topology.delete(on: control) } catch { log("warning: cleanup of scenario 8 failed: \(error)") }
        }
        // Confirms keep the fill from piling messages up in the broker's
        // buffers and mailboxes, which would inflate RSS beyond the queue itself.
        let plan = PublishPlan(routingKeys: [queueName], bodySize: Self.bodySize, confirmWindow: 1000,
                               messageLimit: options.memoryMessages, batchMessages: options.batchMessages)
        let started = monotonicNanos()
        let report = try runPublisher(url: context.url, plan: plan, stop: StopFlag(),
                                      endNanos: started + 600_000_000_000, progress: PublisherProgress())
        guard report.published == options.memoryMessages else {
            throw .timeout("published only \(report.published) of \(options.memoryMessages) messages in 600 s")
        }
        var depth = 0
        let deadline = monotonicNanos() + 300_000_000_000
        while monotonicNanos() < deadline {
            depth = try control.messageCount(queue: queueName)
            if depth >= options.memoryMessages { break }
            sleep(seconds: 0.2)
        }
        guard depth >= options.memoryMessages else {
            throw .timeout("queue holds \(depth) of \(options.memoryMessages) messages after 300 s")
        }
        let rate = Double(options.memoryMessages) / (Double(monotonicNanos() - started) / 1e9)
        return (try rss(pid), rate)
    }

    /// Opens connections one after another (handshake and `connection.open`,
    /// no channel) until there are enough, one fails, or two minutes pass.
    private func openIdleConnections() throws(BenchError) -> (opened: [AMQPConnection], error: String?) {
        ProcStats.raiseOpenFileLimit(to: options.idleConnections + 1024)
        var opened: [AMQPConnection] = []
        let deadline = monotonicNanos() + 120_000_000_000
        while opened.count < options.idleConnections {
            guard monotonicNanos() < deadline else { return (opened, "time_limit") }
            do {
                opened.append(try AMQPConnection.open(context.url, name: "warren-bench idle \(opened.count + 1)", timeoutSeconds: 5))
            } catch {
                return (opened, error.description)
            }
        }
        return (opened, nil)
    }
}
