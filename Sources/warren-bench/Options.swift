/// Where a broker is and how to log in: `amqp://user:password@host:port/vhost`.
struct AMQPURL: Sendable, CustomStringConvertible {
    var user = "guest"
    var password = "guest"
    var host = "127.0.0.1"
    var port: UInt16 = 5672
    var virtualHost = "/"

    init(user: String = "guest", password: String = "guest", host: String = "127.0.0.1", port: UInt16 = 5672, virtualHost: String = "/") {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.virtualHost = virtualHost
    }

    /// Parses the URL forms RabbitMQ's clients accept; an empty path or `/` is vhost `/`.
    init(parsing text: String) throws(BenchError) {
        guard text.hasPrefix("amqp://") else { throw .usage("--url must start with amqp:// (got \(text))") }
        var rest = Substring(text.dropFirst("amqp://".count))
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            user = try Self.percentDecoded(parts[0])
            password = parts.count > 1 ? try Self.percentDecoded(parts[1]) : ""
        }
        if let colon = rest.lastIndex(of: ":") {
            guard let number = UInt16(rest[rest.index(after: colon)...]) else { throw .usage("bad port in \(text)") }
            port = number
            rest = rest[..<colon]
        }
        if !rest.isEmpty { host = String(rest) }
        virtualHost = path.isEmpty ? "/" : try Self.percentDecoded(path)
    }

    private static func percentDecoded(_ text: Substring) throws(BenchError) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { throw .usage("bad percent escape in URL component \(text)") }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    var description: String {
        let vhost = virtualHost == "/" ? "" : virtualHost.replacingSlashes()
        return "amqp://\(user):***@\(host):\(port)/\(vhost)"
    }
}

private extension String {
    func replacingSlashes() -> String { split(separator: "/", omittingEmptySubsequences: false).joined(separator: "%2f") }
}

/// Settings for `warren-bench run` (and, per broker, for `compare`).
struct RunOptions: Sendable {
    var url = AMQPURL()
    var brokerName: String?
    var brokerPID: Int32?
    var scenarios: [String] = ["all"]
    var useSink = false
    var seconds = 10.0
    var warmup = 1.0
    var batchMessages: Int?
    /// Caps every publisher but the latency scenario's at this many msgs/s.
    var rate: Int?
    var memoryMessages = 1_000_000
    var idleConnections = 1_000
    var topicBindings = 10_000
    var quiet = false
}

/// Settings for `warren-bench compare`.
struct CompareOptions: Sendable {
    var run = RunOptions()
    var brokers = ["warren", "rabbitmq"]
    var runs = 3
    var rabbitURL = AMQPURL()
    var warrenPort: UInt16 = 5673
    var warrenBinary = ".build/release/warren"
    var docsPath = "docs/benchmarks.md"
    var writeDocs = true
    var commandLine = ""
}

/// Reads `--name value` pairs off the command line into options.
struct ArgumentParser {
    private var arguments: ArraySlice<String>

    init(_ arguments: ArraySlice<String>) { self.arguments = arguments }

    mutating func parseRun(into options: inout RunOptions) throws(BenchError) {
        while let name = arguments.popFirst() {
            if try !parseRunOption(name, into: &options) { throw .usage("unknown option \(name)") }
        }
    }

    mutating func parseCompare(into options: inout CompareOptions) throws(BenchError) {
        while let name = arguments.popFirst() {
            if try parseRunOption(name, into: &options.run) { continue }
            switch name {
            case "--brokers":
                options.brokers = try value(for: name).split(separator: ",").map { String($0) }
                for broker in options.brokers where broker != "warren" && broker != "rabbitmq" {
                    throw .usage("--brokers takes warren and/or rabbitmq, not \(broker)")
                }
            case "--runs": options.runs = try integer(for: name, in: 1...100)
            case "--rabbitmq-url": options.rabbitURL = try AMQPURL(parsing: try value(for: name))
            case "--warren-port": options.warrenPort = UInt16(try integer(for: name, in: 1...65535))
            case "--warren-binary": options.warrenBinary = try value(for: name)
            case "--docs": options.docsPath = try value(for: name)
            case "--no-docs": options.writeDocs = false
            default: throw .usage("unknown option \(name)")
            }
        }
    }

    private mutating func parseRunOption(_ name: String, into options: inout RunOptions) throws(BenchError) -> Bool {
        switch name {
        case "--url": options.url = try AMQPURL(parsing: try value(for: name))
        case "--broker-name": options.brokerName = try value(for: name)
        case "--broker-pid": options.brokerPID = Int32(try integer(for: name, in: 1...Int(Int32.max)))
        case "--scenarios": options.scenarios = try value(for: name).split(separator: ",").map { String($0) }
        case "--sink": options.useSink = true
        case "--seconds": options.seconds = try decimal(for: name, in: 0.5...3600)
        case "--warmup": options.warmup = try decimal(for: name, in: 0...600)
        case "--batch": options.batchMessages = try integer(for: name, in: 1...100_000)
        case "--rate": options.rate = try integer(for: name, in: 1...100_000_000)
        case "--memory-messages": options.memoryMessages = try integer(for: name, in: 1...100_000_000)
        case "--idle-connections": options.idleConnections = try integer(for: name, in: 1...60_000)
        case "--topic-bindings": options.topicBindings = try integer(for: name, in: 4...1_000_000)
        case "--quiet": options.quiet = true
        default: return false
        }
        return true
    }

    private mutating func value(for name: String) throws(BenchError) -> String {
        guard let value = arguments.popFirst() else { throw .usage("\(name) needs a value") }
        return value
    }

    private mutating func integer(for name: String, in range: ClosedRange<Int>) throws(BenchError) -> Int {
        let text = try value(for: name)
        guard let number = Int(text), range.contains(number) else {
            throw .usage("\(name) takes an integer in \(range.lowerBound)...\(range.upperBound), not \(text)")
        }
        return number
    }

    private mutating func decimal(for name: String, in range: ClosedRange<Double>) throws(BenchError) -> Double {
        let text = try value(for: name)
        guard let number = Double(text), range.contains(number) else {
            throw .usage("\(name) takes a number in \(range.lowerBound)...\(range.upperBound), not \(text)")
        }
        return number
    }
}

let helpText = """
warren-bench: a load generator for any AMQP 0-9-1 broker, in the spirit of RabbitMQ's PerfTest.

USAGE
  warren-bench [run] [options]     run scenarios against the broker at --url
  warren-bench --sink [options]    measure the tool alone against its built-in fake broker
  warren-bench compare [options]   Warren vs RabbitMQ side by side; writes docs/benchmarks.md
  warren-bench store [options]     WarrenStore throughput and broker recovery time (store --help)
  warren-bench --help

SCENARIOS (each runs --warmup + --seconds, then stops and deletes what it declared)
  ceiling   publish only (confirmed), to a fanout exchange with no bindings (broker ingress)
  sink      publish only, to the built-in sink (the tool's own publish ceiling; no broker)
  sink-consume  consume only, from the built-in sink flooding deliveries (consumer ceiling)
  1         1 publisher -> 1 queue -> 1 consumer, 16-byte body, auto-ack
  2         as 1, manual acks (multiple, every 100), prefetch 100
  3         fanout: 1 publisher -> fanout exchange -> 4 queues -> 4 consumers
  4         work queue: 1 publisher -> 1 queue -> 4 consumers, prefetch 1, manual acks
  5         durable queue, persistent messages, confirms (<= 1000 in flight), manual acks
  6         latency at a fixed 1,000 and 10,000 msgs/s: p50/p99/p99.9/max in microseconds
  7         as 1 with 1 KiB and 64 KiB bodies (MB/s and msgs/s)
  8         broker RSS: idle, per queued 100-byte message, per idle connection (needs --broker-pid)
  9         topic routing: 10,000 wildcard bindings on one topic exchange, consumers draining
  all       sink,sink-consume,8,ceiling,1,...,7,9, in that order (the default; with --sink: the two sink ones)

RUN OPTIONS
  --url URL               broker (default amqp://guest:guest@127.0.0.1:5672/); loopback only
  --broker-pid PID        broker process: CPU per message from /proc/PID/stat, RSS for scenario 8
                          (RabbitMQ: pgrep -f beam.smp)
  --broker-name NAME      label in RESULT lines (default: the broker's product property)
  --scenarios LIST        comma-separated ids from the list above (default all)
  --sink                  run against the built-in sink instead of a broker
  --seconds N             measurement window per scenario (default 10)
  --warmup N              seconds of load before the window opens (default 1)
  --batch N               publishes per write (default: as many as fit in 64 KiB)
  --rate N                cap publishers at N msgs/s (default: as fast as the broker takes them;
                          scenario 6 keeps its own rates)
  --memory-messages N     scenario 8 queue depth (default 1000000)
  --idle-connections N    scenario 8 connections (default 1000)
  --topic-bindings N      scenario 9 bindings (default 10000)
  --quiet                 only RESULT lines and the table

COMPARE OPTIONS (plus the run options, which apply to both brokers)
  --brokers LIST          warren,rabbitmq (default both; RabbitMQ is installed with apt-get if missing)
  --runs N                runs per scenario and broker, alternating brokers; medians reported (default 3)
  --rabbitmq-url URL      default amqp://guest:guest@127.0.0.1:5672/
  --warren-port N         default 5673
  --warren-binary PATH    default .build/release/warren (built with swift build -c release if missing)
  --docs PATH             where the "## Warren vs RabbitMQ" section goes (default docs/benchmarks.md)
  --no-docs               print only

OUTPUT
  One line per scenario, e.g.
    RESULT scenario=1 broker=RabbitMQ msgs_per_s=41234 cpu_us_per_msg=21.3 ...
  then a table. Exit status: 0 success, 1 a scenario or broker failed, 64 bad usage.
"""
