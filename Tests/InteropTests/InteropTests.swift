// Interop suite: unmodified AMQP 0-9-1 clients (pika, aio-pika, rabbitmq-c's amqp-tools)
// run scenario scripts (Tests/InteropTests/python/*.py) against the broker under test.
//
// The broker under test is the one at $WARREN_TEST_AMQP_URL if that is set (this is how
// the suite is pointed at RabbitMQ, the reference), otherwise Warren started in-process
// on a free port (BrokerUnderTest.swift). setup.sh installs the clients once per run;
// if it cannot, every scenario fails (never skips).
//
// By hand:  bash Tests/InteropTests/setup.sh
//           AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ \
//             .build/interop-venv/bin/python Tests/InteropTests/python/hello_goodbye.py

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Interop: unmodified AMQP clients against the broker under test", .brokerUnderTest,
       .timeLimit(.minutes(20)))  // setup.sh may install from scratch; each scenario is killed after 180s
struct InteropTests {
    @Test("hello/goodbye consumers on a fanout exchange, in order")
    func helloGoodbye() async throws { try await runScenario("hello_goodbye") }

    @Test("pub/sub: exclusive server-named queues, all receive, gone after disconnect")
    func pubSub() async throws { try await runScenario("pubsub") }

    @Test("work queue: prefetch 1 fair dispatch, crashed worker's task redelivered")
    func workQueue() async throws { try await runScenario("work_queue") }

    @Test("routing: topic (* and # edge cases), direct, headers (all/any), default exchange")
    func routing() async throws { try await runScenario("routing") }

    @Test("publisher confirms with pika: acks, UnroutableError, basic.return 312 NO_ROUTE")
    func confirmsPika() async throws { try await runScenario("confirms_pika") }

    @Test("publisher confirms with aio-pika: acks, returned message, DeliveryError")
    func confirmsAioPika() async throws { try await runScenario("confirms_aio") }

    @Test("basic.get / purge / delete counts, if-empty and if-unused")
    func basicOperations() async throws { try await runScenario("basic_ops") }

    @Test("channel errors 403/404/405/406 close only the channel")
    func channelErrors() async throws { try await runScenario("channel_errors") }

    @Test("tx.select / commit / rollback of publishes and acks")
    func transactions() async throws { try await runScenario("tx") }

    @Test("nack / reject / recover: requeue order and redelivered flag")
    func nackRejectRecover() async throws { try await runScenario("nack_reject") }

    @Test("amqp-tools: declare, publish, get, consume round trip")
    func amqpTools() async throws { try await runScenario("amqp_tools") }

    @Test("queue features: TTL and reject dead-lettered with x-death, max-length drop-head, reject-publish nack, priorities, x-expires")
    func queueFeatures() async throws { try await runScenario("queue_features") }

    /// Every script in python/ (but the shared module and the hand runner) is run by a test above.
    @Test("every python scenario has a test")
    func everyScenarioIsRun() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Interop.scenarioDirectory.path)
        let scenarios = Set(files.filter { $0.hasSuffix(".py") && $0 != "common.py" && $0 != "run_all.py" }.map { String($0.dropLast(3)) })
        #expect(scenarios == Interop.knownScenarios, "python/ holds \(scenarios.sorted()), the tests run \(Interop.knownScenarios.sorted())")
    }
}

// MARK: - Running a scenario

enum Interop {
    static let knownScenarios: Set<String> = [
        "hello_goodbye", "pubsub", "work_queue", "routing", "confirms_pika", "confirms_aio",
        "basic_ops", "channel_errors", "tx", "nack_reject", "amqp_tools", "queue_features",
    ]

    /// Tests/InteropTests, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let packageRoot = directory.deletingLastPathComponent().deletingLastPathComponent()
    static let scenarioDirectory = directory.appendingPathComponent("python")
    static let python = packageRoot.appendingPathComponent(".build/interop-venv/bin/python")

    /// setup.sh, run once per test process; every scenario awaits it.
    static let setup = Task<Void, any Error> {
        let result = try await runProcess(
            executable: URL(fileURLWithPath: "/bin/bash"),
            arguments: [directory.appendingPathComponent("setup.sh").path],
            environment: [:], timeout: .seconds(900))
        guard result.succeeded else {
            throw InteropError("setup.sh failed (\(result.outcome)): the interop prerequisites could not be installed\n\(result.transcript)")
        }
    }

    /// The URL of the broker under test, provided by the `.brokerUnderTest` suite trait.
    @TaskLocal static var brokerURL: String?
}

func runScenario(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    try await Interop.setup.value
    let url = try #require(Interop.brokerURL, "no broker: the suite must have the .brokerUnderTest trait")
    let script = Interop.scenarioDirectory.appendingPathComponent("\(name).py")
    let result = try await runProcess(
        executable: Interop.python, arguments: [script.path],
        environment: ["AMQP_URL": url, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"],
        timeout: .seconds(180))
    if !result.succeeded {
        Issue.record("scenario \(name) \(result.outcome)\n\(result.transcript)", sourceLocation: sourceLocation)
    }
}

struct InteropError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - The broker under test

/// Starts the broker under test once for the whole suite and stops it afterwards.
struct BrokerUnderTestTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["WARREN_TEST_AMQP_URL"], !url.isEmpty {
            try await Interop.$brokerURL.withValue(url) { try await function() }
            return
        }
        let broker = try startWarrenInProcess()
        defer { broker.stop() }
        try await Interop.$brokerURL.withValue(broker.url) { try await function() }
    }
}

extension Trait where Self == BrokerUnderTestTrait {
    /// Runs the suite against $WARREN_TEST_AMQP_URL, or against Warren started in-process.
    static var brokerUnderTest: Self { Self() }
}

// MARK: - Subprocesses

struct ProcessResult {
    var status: Int32
    var uncaughtSignal: Bool
    var timedOut: Bool
    var stdout: String
    var stderr: String

    var succeeded: Bool { !timedOut && !uncaughtSignal && status == 0 }

    var outcome: String {
        if timedOut { return "timed out and was killed" }
        if uncaughtSignal { return "was killed by signal \(status)" }
        return "exited with status \(status)"
    }

    var transcript: String {
        "--- stdout ---\n\(stdout)\(stdout.hasSuffix("\n") || stdout.isEmpty ? "" : "\n")--- stderr ---\n\(stderr)"
    }
}

private final class ProcessBox: @unchecked Sendable {
    let process = Process()
}

/// Runs a program to completion without blocking a cooperative thread. Output goes to
/// temporary files (no pipe can fill up); past `timeout` the process is terminated, then
/// killed.
func runProcess(executable: URL, arguments: [String], environment: [String: String],
                timeout: Duration) async throws -> ProcessResult {
    let temporary = FileManager.default.temporaryDirectory
        .appendingPathComponent("warren-interop-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: temporary) }
    let outURL = temporary.appendingPathComponent("stdout")
    let errURL = temporary.appendingPathComponent("stderr")
    for file in [outURL, errURL] where !FileManager.default.createFile(atPath: file.path, contents: nil) {
        throw InteropError("cannot create \(file.path)")
    }
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)

    let box = ProcessBox()
    let process = box.process
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.currentDirectoryURL = Interop.packageRoot
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = outHandle
    process.standardError = errHandle

    let timedOut = Flag()
    let watchdog = WatchdogBox()
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { finished in
            continuation.resume(returning: finished.terminationStatus)
        }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: InteropError("cannot run \(executable.path): \(error)"))
            return
        }
        let pid = process.processIdentifier
        watchdog.task = Task.detached {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled, box.process.isRunning else { return }
            timedOut.set()
            kill(pid, SIGTERM)
            try? await Task.sleep(for: .seconds(5))
            if box.process.isRunning { kill(pid, SIGKILL) }
        }
    }
    watchdog.task?.cancel()
    try? outHandle.close()
    try? errHandle.close()
    let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? "<unreadable stdout>"
    let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? "<unreadable stderr>"
    return ProcessResult(status: status, uncaughtSignal: process.terminationReason == .uncaughtSignal,
                         timedOut: timedOut.isSet, stdout: stdout, stderr: stderr)
}

private final class WatchdogBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _task: Task<Void, Never>?
    var task: Task<Void, Never>? {
        get { lock.withLock { _task } }
        set { lock.withLock { _task = newValue } }
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
