// Each example program is run as a child process against the broker under test, and
// what it prints is checked: the programs are the documentation, so they must work.

import Foundation
import Testing

@Suite("Examples/ programs against the broker under test", .serialized, .timeLimit(.minutes(5)))
struct ExamplesTests {
    @Test("hello/goodbye: both consumers see every name")
    func helloGoodbye() async throws {
        try await withBrokerURL { url in
            let exchange = fixedName("hello-goodbye")
            let hello = try ExampleProcess("hello-consumer", url: url,
                                           ["--exchange", exchange, "--queue", uniqueName("hello"), "--auto-delete"])
            let goodbye = try ExampleProcess("goodbye-consumer", url: url,
                                             ["--exchange", exchange, "--queue", uniqueName("goodbye"), "--auto-delete"])
            defer { [hello, goodbye].forEach { $0.kill() } }
            try await hello.waitUntilReady()
            try await goodbye.waitUntilReady()
            let producer = try await run("hello-producer", url: url, ["--exchange", exchange, "Alice", "Bob", "Zoë"])
            #expect(producer.status == 0, "\(producer.process.transcript)")
            #expect(producer.process.lines == ["[x] Sent Alice", "[x] Sent Bob", "[x] Sent Zoë"])
            try await hello.waitForLines(3, "hello NAME") { $0.hasPrefix("hello ") }
            try await goodbye.waitForLines(3, "goodbye NAME") { $0.hasPrefix("goodbye ") }
            #expect(hello.lines.dropFirst() == ["hello Alice", "hello Bob", "hello Zoë"])
            #expect(goodbye.lines.dropFirst() == ["goodbye Alice", "goodbye Bob", "goodbye Zoë"])
            #expect(try await hello.terminate() == 0, "\(hello.transcript)")
            #expect(try await goodbye.terminate() == 0, "\(goodbye.transcript)")
        }
    }

    @Test("pub/sub: two subscribers each get every message")
    func publishSubscribe() async throws {
        try await withBrokerURL { url in
            let exchange = fixedName("logs")
            let subscribers = try (0..<2).map { _ in try ExampleProcess("pubsub-subscriber", url: url, ["--exchange", exchange]) }
            defer { subscribers.forEach { $0.kill() } }
            for subscriber in subscribers { try await subscriber.waitUntilReady() }
            let publisher = try await run("pubsub-publisher", url: url, ["--exchange", exchange, "first", "second message"])
            #expect(publisher.status == 0, "\(publisher.process.transcript)")
            for subscriber in subscribers {
                try await subscriber.waitForLines(2, "[x] MESSAGE") { $0.hasPrefix("[x] ") }
                #expect(subscriber.lines.dropFirst() == ["[x] first", "[x] second message"])
                #expect(try await subscriber.terminate() == 0, "\(subscriber.transcript)")
            }
        }
    }

    @Test("work queue: prefetch 1 sends short tasks past a busy worker; a killed worker's task is redelivered")
    func workQueue() async throws {
        try await withBrokerURL { url in
            let queue = ["--queue", uniqueName("tasks"), "--auto-delete"]
            let workers = try (0..<2).map { _ in
                try ExampleProcess("worker", url: url, queue + ["--ms-per-dot", "150"])
            }
            defer { workers.forEach { $0.kill() } }
            for worker in workers { try await worker.waitUntilReady() }

            // Fair dispatch: whoever takes the long task gets none of the short ones.
            let tasks = ["long.............", "s1.", "s2.", "s3.", "s4."]
            let publisher = try await run("task-publisher", url: url, queue + tasks)
            #expect(publisher.status == 0, "\(publisher.process.transcript)")
            for task in tasks {
                try await waitForAny(workers, "Done '\(task)'") { $0 == "[x] Done '\(task)'" }
            }
            let received = workers.map { worker in
                Set(worker.lines.compactMap { $0.firstMatch(of: /\[x\] Received '(.*)'/).map { String($0.1) } })
            }
            #expect(received.contains(["long............."]), "\(workers.map(\.transcript))")
            #expect(received.contains(["s1.", "s2.", "s3.", "s4."]), "\(workers.map(\.transcript))")

            // Redelivery: kill the worker holding a task; the other gets it, marked redelivered.
            let crash = "crash.............."
            _ = try await run("task-publisher", url: url, queue + [crash])
            let holder = try await waitForAny(workers, "Received '\(crash)'") { $0 == "[x] Received '\(crash)'" }
            holder.kill()
            #expect(try await holder.waitForExit() == 128 + SIGKILL)
            let survivor = workers.first { $0 !== holder } ?? holder
            try await survivor.waitForLine("redelivered crash task") { $0 == "[x] Received '\(crash)' [redelivered]" }
            try await survivor.waitForLine("crash task done") { $0 == "[x] Done '\(crash)'" }
            #expect(try await survivor.terminate() == 0, "\(survivor.transcript)")
        }
    }

    @Test("topic routing: *, # and exact words select the right logs")
    func topicRouting() async throws {
        try await withBrokerURL { url in
            let exchange = ["--exchange", fixedName("topic")]
            let kernel = try ExampleProcess("log-consumer", url: url, exchange + ["*.kern"])
            let critical = try ExampleProcess("log-consumer", url: url, exchange + ["critical.*"])
            let everything = try ExampleProcess("log-consumer", url: url, exchange + ["#"])
            let consumers = [kernel, critical, everything]
            defer { consumers.forEach { $0.kill() } }
            for consumer in consumers { try await consumer.waitUntilReady() }
            let logs = [("critical.kern", "kernel panic"), ("info.kern", "kernel booted"),
                        ("critical.disk", "disk failing"), ("info.disk.smart", "three words")]
            for (key, message) in logs {
                let publisher = try await run("log-publisher", url: url, exchange + [key, message])
                #expect(publisher.status == 0, "\(publisher.process.transcript)")
                #expect(publisher.process.lines == ["[x] Sent \(key): \(message)"])
            }
            try await everything.waitForLines(4, "logs") { $0.hasPrefix("[x] ") }
            try await kernel.waitForLines(2, "kernel logs") { $0.hasPrefix("[x] ") }
            try await critical.waitForLines(2, "critical logs") { $0.hasPrefix("[x] ") }
            try await Task.sleep(for: .milliseconds(300))  // nothing more should come
            #expect(kernel.lines.dropFirst() == ["[x] critical.kern: kernel panic", "[x] info.kern: kernel booted"])
            #expect(critical.lines.dropFirst() == ["[x] critical.kern: kernel panic", "[x] critical.disk: disk failing"])
            #expect(Array(everything.lines.dropFirst()) == logs.map { "[x] \($0.0): \($0.1)" })
            for consumer in consumers { #expect(try await consumer.terminate() == 0, "\(consumer.transcript)") }
        }
    }

    @Test("file copy is byte-identical", arguments: SampleFile.allCases)
    func fileCopy(sample: SampleFile) async throws {
        try await withBrokerURL { url in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("files"))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let input = directory.appendingPathComponent("input")
            let output = directory.appendingPathComponent("output")
            let contents = sample.contents
            try Data(contents).write(to: input)
            let queue = ["--queue", uniqueName("file"), "--auto-delete"]
            let consumer = try ExampleProcess("file-consumer", url: url, queue + [output.path])
            defer { consumer.kill() }
            try await consumer.waitUntilReady()
            let producer = try await run("file-producer", url: url, queue + [input.path])
            #expect(producer.status == 0, "\(producer.process.transcript)")
            #expect(try await consumer.waitForExit(timeout: .seconds(180)) == 0, "\(consumer.transcript)")
            let copy = try Data(contentsOf: output)
            #expect(copy.count == contents.count)
            #expect(copy == Data(contents), "the copy differs from the original")
            #expect(consumer.lines.last == "[x] Wrote \(sample.lineCount) lines (\(contents.count) bytes) to \(output.path)")
        }
    }

    @Test("RPC: fib(n) and upper-casing through reply-to and correlation-id; no server is an error")
    func remoteProcedureCall() async throws {
        try await withBrokerURL { url in
            let queue = ["--queue", fixedName("rpc")]
            let server = try ExampleProcess("rpc-server", url: url, queue)
            defer { server.kill() }
            try await server.waitUntilReady()
            let fib = try await run("rpc-client", url: url, queue + ["30"])
            #expect(fib.status == 0, "\(fib.process.transcript)")
            #expect(fib.process.lines == ["[.] Got 832040"])
            let upper = try await run("rpc-client", url: url, queue + ["hello"])
            #expect(upper.process.lines == ["[.] Got HELLO"])
            #expect(server.lines.suffix(2) == ["[.] fib(30) = 832040", "[.] upper(hello) = HELLO"])
            #expect(try await server.terminate() == 0, "\(server.transcript)")
            let unserved = try await run("rpc-client", url: url, ["--queue", uniqueName("no-server"), "1"])
            #expect(unserved.status == 1)
            #expect(unserved.process.errors.lines.first?.contains("no rpc-server is serving") == true)
        }
    }

    @Test("--help prints the usage and exits 0; an unknown option exits 2")
    func usage() async throws {
        let help = try await run("worker", url: "amqp://unused/", ["--help"])
        #expect(help.status == 0)
        #expect(help.process.lines.first?.hasPrefix("usage: worker") == true)
        let wrong = try await run("worker", url: "amqp://unused/", ["--no-such-option"])
        #expect(wrong.status == 2)
        #expect(wrong.process.errors.lines.first == "unknown option --no-such-option")
    }
}

/// A name every run of this suite shares, for exchanges (and the RPC queue) that the
/// examples declare without auto-delete: one of each is left on the broker, not one per
/// run. The suite is serialized, and each test's queues are its own, so sharing is safe.
func fixedName(_ kind: String) -> String {
    "warren-examples-test.\(kind)"
}

/// Waits until one of `processes` prints a line satisfying `predicate`; returns that process.
@discardableResult
func waitForAny(_ processes: [ExampleProcess], _ what: String, timeout: Duration = .seconds(90),
                where predicate: (String) -> Bool) async throws -> ExampleProcess {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let process = processes.first(where: { $0.lines.contains(where: predicate) }) { return process }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ExampleFailure(description: "no process printed \(what):\n\(processes.map(\.transcript).joined(separator: "\n"))")
}

/// The four kinds of file the copy must survive.
enum SampleFile: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case empty, noTrailingNewline, notUTF8, tenMegabytes

    var testDescription: String { rawValue }

    var contents: [UInt8] {
        switch self {
        case .empty: return []
        case .noTrailingNewline: return Array("first line\nsecond line\n\nlast line, no newline".utf8)
        case .notUTF8: return [0xFF, 0xFE, 0x00, 0x0A, 0xC3, 0x28, 0x0A, 0x80, 0x0D, 0x0A, 0xF0, 0x9F, 0x98]
        case .tenMegabytes:
            // Deterministic pseudo-random lines of 0 to 400 bytes (any byte but newline).
            var generator = SplitMix64(seed: 42)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(10 * 1024 * 1024 + 512)
            while bytes.count < 10 * 1024 * 1024 {
                let length = Int(generator.next() % 401)
                for _ in 0..<length {
                    let byte = UInt8(truncatingIfNeeded: generator.next())
                    bytes.append(byte == 0x0A ? 0x0B : byte)
                }
                bytes.append(0x0A)
            }
            return bytes
        }
    }

    /// Lines as file-producer counts them: each newline ends one, and trailing bytes make one more.
    var lineCount: Int {
        let bytes = contents
        let newlines = bytes.count { $0 == 0x0A }
        return newlines + (bytes.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
    }
}

/// A small deterministic generator, so the 10 MB file is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
