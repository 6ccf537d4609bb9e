import Foundation
import Glibc

/// The machine and toolchain a comparison ran on.
struct MachineInfo {
    var processors = 0
    var cpuModel = "unknown"
    var memoryGiB = 0.0
    var kernel = "unknown"
    var swiftVersion = "unknown"
    var commit = "unknown"
    var hasUncommittedSources = false
    var date = ""
    /// /proc/loadavg's 1-minute figure when the comparison started and ended.
    var loadAtStart = ""
    var loadAtEnd = ""

    static func loadAverage() -> String {
        (ProcStats.readText("/proc/loadavg") ?? "").split(separator: " ").first.map(String.init) ?? "unknown"
    }

    static func collect() -> MachineInfo {
        var info = MachineInfo()
        info.processors = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let cpuinfo = ProcStats.readText("/proc/cpuinfo") ?? ""
        if let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            info.cpuModel = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let meminfo = ProcStats.readText("/proc/meminfo") ?? ""
        if let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kib = Double(line.filter(\.isNumber)) {
            info.memoryGiB = kib / 1_048_576
        }
        info.kernel = (ProcStats.readText("/proc/sys/kernel/osrelease") ?? "unknown").trimmingCharacters(in: .whitespacesAndNewlines)
        let swift = runCommand("swift", ["--version"], timeoutSeconds: 60).output
        info.swiftVersion = swift.split(separator: "\n").first.map(String.init) ?? "unknown"
        info.commit = runCommand("git", ["rev-parse", "--short", "HEAD"], timeoutSeconds: 10).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // Other people's work in progress is part of what was built.
        let dirty = runCommand("git", ["status", "--porcelain", "--", "Sources"], timeoutSeconds: 10).output
        info.hasUncommittedSources = !dirty.isEmpty
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        info.date = formatter.string(from: Date()) + " UTC"
        info.loadAtStart = loadAverage()
        return info
    }
}

/// Everything `compare` found, and its rendering as the docs section.
struct CompareReport {
    static let heading = "## Warren vs RabbitMQ"

    let options: CompareOptions
    var machine = MachineInfo()
    var sink: [ScenarioResult] = []
    var startupMilliseconds: [Double] = []
    var warrenUnavailable: String?
    var rabbitUnavailable: String?
    var rabbitVersion = "unknown"
    var warrenVersion = "unknown"
    var erlangVersion = "unknown"
    var warrenRestarts = 0
    var restartFailures: [String] = []
    var medians: [String: [String: ScenarioResult]] = [:]
    var scenarioOrder: [String] = []
    var brokerNames: [String] = []

    init(options: CompareOptions) { self.options = options }

    func ordering(_ a: ScenarioResult, _ b: ScenarioResult) -> Bool {
        let left = scenarioOrder.firstIndex(of: a.id) ?? .max, right = scenarioOrder.firstIndex(of: b.id) ?? .max
        return left != right ? left < right : a.broker > b.broker
    }

    /// Rows shown per scenario: metric name, label, and whether lower is better.
    static let rows: [(name: String, label: String)] = [
        ("msgs_per_s", "msgs/s"), ("mb_per_s", "MB/s (10⁶ B)"), ("delivered_per_s", "deliveries/s"),
        ("p50_us", "latency p50, µs"), ("p99_us", "latency p99, µs"), ("p999_us", "latency p99.9, µs"), ("max_us", "latency max, µs"),
        ("spread_min_pct", "smallest consumer share, %"), ("spread_max_pct", "largest consumer share, %"),
        ("rss_idle_mb", "RSS idle, MiB"), ("bytes_per_msg", "RSS per queued message beyond its 100 B body, bytes"),
        ("rss_per_conn_kb", "RSS per idle connection, KiB"), ("connections", "idle connections opened"),
        ("cpu_us_per_msg", "broker CPU per message, µs"),
    ]

    func markdown() -> String {
        var lines = [Self.heading, ""]
        lines.append("_Written by `warren-bench compare` on \(machine.date); running the command again replaces this section._")
        lines.append("")
        lines.append("Reproduce from the repository root: `\(reproduceCommand)`")
        lines.append("")
        lines += statusLines
        lines.append("")
        lines.append("| Scenario | Metric | Warren | RabbitMQ | Warren / RabbitMQ |")
        lines.append("|---|---|---:|---:|---:|")
        for id in scenarioOrder { lines += tableRows(id) }
        lines.append("")
        lines += caveatLines
        return lines.joined(separator: "\n") + "\n"
    }

    private var reproduceCommand: String {
        let words = options.commandLine.split(separator: " ").dropFirst()  // "warren-bench"
        return (["swift run -c release warren-bench"] + words.map(String.init)).joined(separator: " ")
    }

    private var statusLines: [String] {
        var lines = [
            "- Machine: \(machine.processors) CPUs (`nproc`), \(machine.cpuModel), \(fixed(machine.memoryGiB, decimals: 1)) GiB RAM, Linux \(machine.kernel); tool and broker share these CPUs.",
            "- Versions: \(machine.swiftVersion); RabbitMQ \(rabbitVersion) on \(erlangVersion) (Debian package); Warren \(warrenVersion) built from commit `\(machine.commit)`\(machine.hasUncommittedSources ? " plus the uncommitted work then under Sources/" : "").",
            "- Method: \(options.runs) runs per scenario and broker, brokers alternating (the one not measured is stopped with SIGSTOP meanwhile), median shown; each run is \(formatNumber(options.run.warmup)) s of warm-up, then a \(formatNumber(options.run.seconds)) s window.",
            "- Load average (1 min) when the comparison started: \(machine.loadAtStart); when it ended: \(machine.loadAtEnd). Anything above 2 means other work was competing for the 2 CPUs.",
        ]
        if let reason = warrenUnavailable {
            lines.append("- **RabbitMQ only: Warren was not measured.** \(reason)")
        } else if !startupMilliseconds.isEmpty, let median = Statistics.median(startupMilliseconds) {
            let each = startupMilliseconds.map { formatNumber($0) }.joined(separator: ", ")
            lines.append("- Warren startup, spawn to first completed AMQP handshake: **\(formatNumber(median)) ms** (median; runs: \(each) ms).")
        }
        if warrenRestarts > 0 { lines.append("- Warren stopped running \(warrenRestarts) time(s) during the comparison and was restarted.") }
        if let reason = rabbitUnavailable { lines.append("- **RabbitMQ was not measured.** \(reason)") }
        for failure in restartFailures { lines.append("- A restart before scenario 8 failed, so that run is missing: \(failure)") }
        let publish = sink.first { $0.id == "sink" }?["msgs_per_s"]
        let consume = sink.first { $0.id == "sink-consume" }?["msgs_per_s"]
        if let publish, let consume {
            lines.append("- The tool's own ceiling (built-in sink, no broker): **\(grouped(publish)) publishes/s** and **\(grouped(consume)) deliveries/s** (16 B bodies), far above every figure below.")
        }
        return lines
    }

    private func tableRows(_ id: String) -> [String] {
        let warren = medians["Warren"]?[id], rabbit = medians["RabbitMQ"]?[id]
        guard let any = rabbit ?? warren else { return [] }
        let label = "\(id): \(any.title)"
        var rows: [String] = []
        for (name, metric) in Self.rows {
            let left = warren?[name], right = rabbit?[name]
            guard left != nil || right != nil else { continue }
            let ratio = (left != nil && right != nil && right != 0) ? fixed((left ?? 0) / (right ?? 1), decimals: 2) : "—"
            rows.append("| \(rows.isEmpty ? label : "") | \(metric) | \(cell(warren, name)) | \(cell(rabbit, name)) | \(ratio) |")
        }
        for result in [warren, rabbit].compactMap({ $0 }) where result.error != nil || !result.notes.isEmpty {
            let text = result.error.map { "failed: \($0)" } ?? result.notes.joined(separator: " ")
            rows.append("| \(rows.isEmpty ? label : "") | \(result.broker) notes | \(text.replacingOccurrences(of: "|", with: "/")) | | |")
        }
        return rows
    }

    private func cell(_ result: ScenarioResult?, _ name: String) -> String {
        guard let result else { return "n/a" }
        return result[name].map(grouped) ?? (result.error != nil ? "failed" : "—")
    }

    private var caveatLines: [String] {
        [
            "How to read it: for msgs/s, MB/s and deliveries/s higher is better; for latency, CPU and RSS lower is better. \"broker CPU per message\" is the broker process's utime+stime over the window (`/proc/PID/stat`) divided by the messages counted.",
            "",
            "Caveats:",
            "- One machine with 2 shared CPUs: the tool, the broker and anything else running compete. The tool's threads mostly block in the kernel (see the sink ceiling), but every CPU-second they use is one the broker does not get.",
            "- RSS is `VmRSS` of the broker process after it settles. For RabbitMQ that is the Erlang VM (`beam.smp`): its allocators keep freed memory, so RSS is not what `rabbitmqctl status` calls used memory, and a queue's memory may not return after deletion. Before each scenario 8 run, `compare` restarts the broker, so \"idle\" is a fresh process.",
            "- `ceiling` counts publishes the broker confirmed (counting what the publisher wrote would count megabytes of socket buffers). Scenario 9 counts routed publishes as deliveries ÷ 3: each key matches exactly three bindings on three queues.",
            "- Latency is stamped by the publisher just before each write and read by the consumer on arrival (CLOCK_MONOTONIC, same machine); it includes both sockets and the broker.",
            "- Publishers are not rate-limited (except in 6): where they outrun the consumers, the queue grows during the window, and broker CPU per message also pays for enqueuing messages that are not delivered within it. That is why a scenario that delivers far less than is published (4, with its prefetch of 1) shows a large CPU per message.",
            "- RabbitMQ runs with its Debian defaults (3.10: classic queues, version 1). Queue and exchange names are unique per run and deleted afterwards.",
        ]
    }
}

/// Replaces one `## ` section of a markdown file, leaving every other section as it is.
enum DocsSection {
    static func replace(heading: String, with section: String, in path: String) throws(BenchError) {
        // Read right before writing: other people edit other sections of this file.
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# Benchmarks\n"
        var lines = existing.components(separatedBy: "\n")
        let replacement = section.components(separatedBy: "\n")
        if let start = lines.firstIndex(of: heading) {
            let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.endIndex
            let keepsFollowing = end < lines.endIndex
            lines.replaceSubrange(start..<end, with: keepsFollowing ? replacement : replacement.dropLast())
        } else {
            while lines.last == "" { lines.removeLast() }
            lines += [""] + replacement.dropLast()
            lines.append("")
        }
        do {
            try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw .broker("cannot write \(path): \(error)")
        }
    }
}
