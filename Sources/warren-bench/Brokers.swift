import Foundation
import Glibc

/// A broker the compare runner measures: where it listens and which process it is.
struct ManagedBroker: Sendable {
    var name: String
    var url: AMQPURL
    var pid: Int32
    var version: String
}

/// True when an AMQP handshake succeeds at `url` within `timeoutSeconds`.
func acceptsAMQP(_ url: AMQPURL, timeoutSeconds: Double = 2) -> Bool {
    guard let connection = try? AMQPConnection.open(url, name: "warren-bench probe", timeoutSeconds: timeoutSeconds) else { return false }
    connection.close(timeoutSeconds: 1)
    return true
}

/// RabbitMQ from Debian's package: installed if missing, reused if running
/// with enough file descriptors for scenario 8, (re)started otherwise.
enum RabbitMQControl {
    static let serverScript = "/usr/sbin/rabbitmq-server"

    static func ensureRunning(url: AMQPURL, neededSockets: Int) throws(BenchError) -> ManagedBroker {
        if !FileManager.default.fileExists(atPath: serverScript) {
            log("compare: rabbitmq-server is missing; installing it with apt-get")
            let install = runCommand("apt-get", ["install", "-y", "rabbitmq-server"], timeoutSeconds: 900, captureOutput: false)
            guard install.status == 0 else { throw .broker("apt-get install -y rabbitmq-server failed (status \(install.status))") }
        }
        if let pid = beamPID(), acceptsAMQP(url), statusText() != nil {
            let limit = ProcStats.openFileLimit(pid: pid) ?? 0
            if limit >= neededSockets + 200 {
                log("compare: reusing the RabbitMQ already running (pid \(pid), \(limit) open files)")
                return try describe(url: url, pid: pid)
            }
            log("compare: RabbitMQ (pid \(pid)) may open only \(limit) files, too few for \(neededSockets) connections; restarting it")
            stop(pid: pid)
        }
        return try start(url: url, neededSockets: neededSockets)
    }

    /// Stops and starts RabbitMQ, for measurements that want a fresh VM.
    static func restart(url: AMQPURL, neededSockets: Int) throws(BenchError) -> ManagedBroker {
        if let pid = beamPID() { stop(pid: pid) }
        return try start(url: url, neededSockets: neededSockets)
    }

    static var isRunning: Bool { beamPID() != nil }

    /// Stops the RabbitMQ this machine runs, if any (`compare` leaves the machine as it found it).
    static func stopIfRunning() {
        if let pid = beamPID() { stop(pid: pid) }
    }

    private static func stop(pid: Int32) {
        _ = runCommand("rabbitmqctl", ["stop"], timeoutSeconds: 120)
        _ = waitUntil(timeoutSeconds: 60) { !ProcStats.isAlive(pid: pid) }
    }

    /// `rabbitmq-server -detached`, then waits for port 5672 and `rabbitmqctl status`.
    ///
    /// As root, Debian's wrapper switches to the rabbitmq user with `su`,
    /// whose PAM session resets the soft limit on open files to 1024 (RabbitMQ
    /// then allows only 832 sockets). So the same `su` is done here with a
    /// `ulimit -n` in front, up to this process's hard limit.
    private static func start(url: AMQPURL, neededSockets: Int) throws(BenchError) -> ManagedBroker {
        let files = ProcStats.raiseOpenFileLimit(to: max(65_536, neededSockets + 1024))
        let direct = "/usr/lib/rabbitmq/bin/rabbitmq-server"
        let started: (status: Int32, output: String)
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: direct) {
            log("compare: starting rabbitmq-server -detached as user rabbitmq, open files \(files)")
            let script = "ulimit -n \(files) 2>/dev/null; cd /var/lib/rabbitmq && exec \(direct) -detached"
            started = runCommand("/usr/bin/su", ["rabbitmq", "-s", "/bin/sh", "-c", script], timeoutSeconds: 120, captureOutput: false)
        } else {
            log("compare: starting rabbitmq-server -detached")
            started = runCommand(serverScript, ["-detached"], timeoutSeconds: 120, captureOutput: false)
        }
        guard started.status == 0 else { throw .broker("rabbitmq-server -detached exited with status \(started.status)") }
        guard waitUntil(timeoutSeconds: 120, { acceptsAMQP(url) }), statusText() != nil, let pid = beamPID() else {
            throw .broker("RabbitMQ did not accept AMQP connections on \(url.host):\(url.port) within 120 s")
        }
        return try describe(url: url, pid: pid)
    }

    private static func describe(url: AMQPURL, pid: Int32) throws(BenchError) -> ManagedBroker {
        let connection = try AMQPConnection.open(url, name: "warren-bench probe")
        defer { connection.close() }
        return ManagedBroker(name: "RabbitMQ", url: url, pid: pid, version: connection.version)
    }

    /// The beam.smp process (the Erlang VM running RabbitMQ).
    static func beamPID() -> Int32? {
        let found = runCommand("pgrep", ["-f", "beam.smp"], timeoutSeconds: 10)
        return found.output.split(separator: "\n").compactMap { Int32($0) }.first
    }

    static func statusText() -> String? {
        let status = runCommand("rabbitmqctl", ["status"], timeoutSeconds: 60)
        return status.status == 0 ? status.output : nil
    }

    /// "Erlang/OTP 25 [erts-13.1.5]", from `rabbitmqctl status`.
    static func erlangVersion() -> String {
        guard let status = statusText(),
              let line = status.split(separator: "\n").first(where: { $0.contains("Erlang configuration:") }),
              let otp = line.range(of: "Erlang/OTP")
        else { return "unknown" }
        let words = line[otp.lowerBound...].split(separator: " ")
        return words.prefix(3).joined(separator: " ")
    }
}

/// Warren's release binary, started fresh with its own data directory.
final class WarrenControl {
    let binary: String
    let port: UInt16
    private var process: ChildProcess?
    private var dataDirectory: String?

    init(binary: String, port: UInt16) {
        self.binary = binary
        self.port = port
    }

    var url: AMQPURL { AMQPURL(host: "127.0.0.1", port: port) }

    /// Where Warren's own output goes.
    var logPath: String { "/tmp/warren-bench-warren-\(getpid()).log" }

    /// Builds the binary if it is missing: `swift build -c release --product warren`,
    /// with `--scratch-path` when the binary lives under another build directory.
    func buildIfMissing() throws(BenchError) {
        guard !FileManager.default.isExecutableFile(atPath: binary) else { return }
        var arguments = ["build", "-c", "release", "--product", "warren"]
        let suffix = "/release/warren"
        if binary.hasSuffix(suffix) {
            let scratch = String(binary.dropLast(suffix.count))
            if scratch != ".build" { arguments += ["--scratch-path", scratch] }
        }
        log("compare: \(binary) is missing; running swift \(arguments.joined(separator: " "))")
        let build = runCommand("swift", arguments, timeoutSeconds: 1800, captureOutput: false)
        guard build.status == 0, FileManager.default.isExecutableFile(atPath: binary) else {
            throw .broker("swift \(arguments.joined(separator: " ")) failed (status \(build.status))")
        }
    }

    /// Spawns Warren and returns the milliseconds from spawn to the first
    /// successful TCP connect and AMQP handshake.
    @discardableResult
    func start() throws(BenchError) -> Double {
        stop()
        let directory = NSTemporaryDirectory() + "warren-bench-\(getpid())-\(monotonicNanos() % 1_000_000_000)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        dataDirectory = directory
        // Warren logs every connection; scenario 8 opens a thousand.
        let logFD = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer { if logFD >= 0 { close(logFD) } }
        let began = monotonicNanos()
        let process = try ChildProcess(binary, ["--port", String(port), "--data-dir", directory],
                                       stdoutFD: logFD >= 0 ? logFD : nil, stderrFD: logFD >= 0 ? logFD : nil)
        self.process = process
        let deadline = began + 20_000_000_000
        while monotonicNanos() < deadline {
            guard process.isRunning else {
                throw .broker("\(binary) exited with status \(process.exitStatus ?? -1) before accepting connections")
            }
            if acceptsAMQP(url, timeoutSeconds: 2) { return Double(monotonicNanos() - began) / 1e6 }
            sleep(seconds: 0.001)
        }
        stop()
        throw .broker("Warren did not complete an AMQP handshake on port \(port) within 20 s")
    }

    var pid: Int32? { process.flatMap { $0.isRunning ? $0.pid : nil } }

    /// SIGTERM, then SIGKILL after 10 s; removes the data directory.
    func stop() {
        process?.stop()
        process = nil
        if let dataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
        dataDirectory = nil
    }
}
