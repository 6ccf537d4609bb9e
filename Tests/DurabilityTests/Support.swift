import Foundation
import Glibc
import Testing
@testable import WarrenServer

// Shared by the durability tests: temporary data directories, the pika/aio-pika venv
// the interop suite installs, the `warren` binary as a subprocess, and the client
// scripts (Scripts.swift) written to a temporary file and run with that venv.

/// A fresh directory under /tmp, removed when the value goes away.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init(_ label: String) {
        var template = Array("/tmp/warren-durable-\(label)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        path = created ?? "/tmp/warren-durable-\(label)-\(UUID().uuidString)"
        if created == nil { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func files(in subdirectory: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path + "/" + subdirectory)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { path + "/" + subdirectory + "/" + $0 }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

enum Paths {
    /// Tests/DurabilityTests, found from this file's path.
    static let testDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let packageRoot = testDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let python = packageRoot.appendingPathComponent(".build/interop-venv/bin/python").path
    static let setupScript = packageRoot.appendingPathComponent("Tests/InteropTests/setup.sh").path

    /// `warren`, built into the same products directory as this test bundle (wherever
    /// --scratch-path put it).
    static var warren: String? {
        guard let bundle = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let candidate = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("warren").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }
}

// MARK: - Subprocesses

struct ProcessOutcome {
    var status: Int32
    var timedOut: Bool
    var output: String
    var error: String

    var succeeded: Bool { !timedOut && status == 0 }
    var transcript: String { "status \(status)\(timedOut ? " (timed out)" : "")\n--- stdout ---\n\(output)\n--- stderr ---\n\(error)" }
}

/// Runs a program to completion, polling without blocking a cooperative thread for
/// long. Output goes to files, so no pipe fills up.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
         timeout: Double = 120) async throws -> ProcessOutcome {
    let scratch = TemporaryDirectory("process")
    let outPath = scratch.path + "/stdout", errPath = scratch.path + "/stderr"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try process.run()
    let deadline = monotonicSeconds() + timeout
    var timedOut = false
    while process.isRunning {
        if monotonicSeconds() > deadline {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            break
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    return ProcessOutcome(status: process.terminationStatus, timedOut: timedOut,
                          output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                          error: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

// MARK: - Python clients

enum PythonClients {
    /// setup.sh (idempotent, serialised with the interop suite's run by its own lock),
    /// once per test process.
    static let setup = Task<Void, any Error> {
        let outcome = try await runProgram("/bin/bash", [Paths.setupScript], timeout: 900)
        guard outcome.succeeded else {
            throw TestFailure("Tests/InteropTests/setup.sh failed: the python clients are missing\n\(outcome.transcript)")
        }
    }

    /// The client script, written once per process.
    static let scriptPath: String = {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("warren-durability-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).py").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(Scripts.clients.utf8))
        return path
    }()

    /// Runs `durability.py <command> <arguments>` against the broker on `port`.
    static func run(_ command: String, port: Int, _ arguments: [String] = [], timeout: Double = 120) async throws -> ProcessOutcome {
        try await setup.value
        return try await runProgram(
            Paths.python, [scriptPath, command] + arguments,
            environment: ["AMQP_URL": "amqp://guest:guest@127.0.0.1:\(port)/", "PYTHONUNBUFFERED": "1",
                          "PYTHONDONTWRITEBYTECODE": "1"],
            timeout: timeout)
    }

    /// Runs a command that must succeed.
    static func expectSuccess(_ command: String, port: Int, _ arguments: [String] = [],
                              sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProcessOutcome {
        let outcome = try await run(command, port: port, arguments)
        if !outcome.succeeded {
            Issue.record("durability.py \(command) failed\n\(outcome.transcript)", sourceLocation: sourceLocation)
        }
        return outcome
    }
}

// MARK: - The warren binary

/// `warren serve` as a subprocess on a free loopback port, HTTP off, its log in a file.
final class WarrenProcess {
    let process = Process()
    let logPath: String
    private(set) var port = 0

    init(dataDirectory: String, logDirectory: TemporaryDirectory, label: String) throws {
        guard let warren = Paths.warren else {
            throw TestFailure("warren is not in the build products directory; build all products first")
        }
        logPath = logDirectory.path + "/warren-\(label).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: warren)
        process.arguments = ["serve", "--bind", "127.0.0.1", "--port", "0", "--http-port", "off",
                             "--data-dir", dataDirectory]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Starts it and waits for its "listening on" line.
    func start(timeout: Double = 60) async throws {
        try process.run()
        let deadline = monotonicSeconds() + timeout
        while monotonicSeconds() < deadline {
            if let range = log.range(of: "listening on "),
               let line = log[range.upperBound...].split(separator: "\n").first,
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                self.port = port
                return
            }
            guard process.isRunning else { throw TestFailure("warren exited with \(process.terminationStatus)\n\(log)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("warren did not start listening within \(timeout) s\n\(log)")
    }

    /// SIGKILL: a crash, as far as the data directory can tell.
    func crash() async throws {
        kill(process.processIdentifier, SIGKILL)
        try await waitForExit()
    }

    /// SIGTERM and wait: a clean stop.
    func stop() async throws {
        kill(process.processIdentifier, SIGTERM)
        try await waitForExit()
    }

    func waitForExit(timeout: Double = 30) async throws {
        let deadline = monotonicSeconds() + timeout
        while process.isRunning {
            guard monotonicSeconds() < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestFailure("warren did not exit")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

// MARK: - In-process brokers

/// A broker in this process on a free port with `dataDirectory`, its log kept.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

func startBroker(dataDirectory: String, log: LogLines = LogLines()) throws -> Server {
    try Server.start(ServerConfiguration(port: 0, bind: "127.0.0.1", dataDirectory: dataDirectory),
                     log: { log.append($0) })
}

/// Lines of the form `key value...` a client script printed.
func reportedValues(_ output: String, _ key: String) -> [String] {
    output.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ", maxSplits: 1)
        guard fields.count == 2, fields[0] == key else { return nil }
        return String(fields[1])
    }
}
