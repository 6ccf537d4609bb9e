import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where `swift build` put the example executables: the directory of the test
/// binary itself (so `--scratch-path` and the build configuration follow), unless
/// WARREN_EXAMPLES_DIR says otherwise.
enum ExampleBinaries {
    static let directory: URL = {
        if let directory = ProcessInfo.processInfo.environment["WARREN_EXAMPLES_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var candidate = testBinary.deletingLastPathComponent()
        // Walk up out of a bundle layout (…/debug/X.xctest/Contents/MacOS/X) if there is one.
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: candidate.appendingPathComponent("worker").path) {
            candidate = candidate.deletingLastPathComponent()
        }
        return candidate
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// Lines a child process wrote, collected by a reader thread.
final class CapturedOutput: Sendable {
    private let state = Mutex((lines: [String](), partial: [UInt8](), finished: false))

    var lines: [String] { state.withLock { $0.lines } }
    var isFinished: Bool { state.withLock { $0.finished } }

    func read(from fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            state.withLock { state in
                for byte in buffer[0..<count] {
                    if byte == UInt8(ascii: "\n") {
                        state.lines.append(String(decoding: state.partial, as: UTF8.self))
                        state.partial.removeAll()
                    } else {
                        state.partial.append(byte)
                    }
                }
            }
        }
        state.withLock { state in
            if !state.partial.isEmpty { state.lines.append(String(decoding: state.partial, as: UTF8.self)) }
            state.finished = true
        }
        close(fd)
    }
}

struct ExampleFailure: Error, CustomStringConvertible {
    let description: String
}

/// One example program running as a child process, its stdout and stderr captured.
final class ExampleProcess {
    let name: String
    let arguments: [String]
    private let process = Process()
    let output = CapturedOutput()
    let errors = CapturedOutput()

    /// Starts `name` with `--url url` and `arguments`.
    convenience init(_ name: String, url: String, _ arguments: [String]) throws {
        try self.init(name, arguments: ["--url", url] + arguments)
    }

    /// Starts `name` with exactly `arguments`.
    init(_ name: String, arguments: [String]) throws {
        self.name = name
        self.arguments = arguments
        process.executableURL = URL(fileURLWithPath: ExampleBinaries.path(name))
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["AMQP_URL"] = nil
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let (output, errors) = (self.output, self.errors)
        let outFD = dup(stdout.fileHandleForReading.fileDescriptor)
        let errFD = dup(stderr.fileHandleForReading.fileDescriptor)
        try? stdout.fileHandleForReading.close()
        try? stderr.fileHandleForReading.close()
        Thread { output.read(from: outFD) }.start()
        Thread { errors.read(from: errFD) }.start()
    }

    var lines: [String] { output.lines }
    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    /// What to show when an expectation about this process fails.
    var transcript: String {
        "\(name) \(arguments.joined(separator: " "))\n--- stdout:\n\(output.lines.joined(separator: "\n"))"
            + "\n--- stderr:\n\(errors.lines.joined(separator: "\n"))"
    }

    /// Waits until a line satisfies `predicate`, and returns it.
    @discardableResult
    func waitForLine(
        timeout: Duration = .seconds(90), _ what: String, where predicate: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.lines.first(where: predicate) { return line }
            if !process.isRunning && output.isFinished { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ExampleFailure(description: "no line \(what) from:\n\(transcript)")
    }

    /// Waits for the "[*] ..." line a consumer prints once it is consuming.
    func waitUntilReady() async throws {
        try await waitForLine("[*] (ready)") { $0.hasPrefix("[*]") }
    }

    /// Waits until `count` lines satisfy `predicate`.
    func waitForLines(_ count: Int, _ what: String, timeout: Duration = .seconds(90),
                      where predicate: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while output.lines.filter(predicate).count < count {
            guard ContinuousClock.now < deadline, process.isRunning || !output.isFinished else {
                throw ExampleFailure(description: "expected \(count) lines \(what) from:\n\(transcript)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the process to exit and returns its status (128 + n for signal n).
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill()
                throw ExampleFailure(description: "still running after \(timeout):\n\(transcript)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Let the reader threads drain the pipes.
        for _ in 0..<100 where !(output.isFinished && errors.isFinished) {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// SIGTERM, as a user's Ctrl-C or a service manager would send; returns the exit status.
    func terminate() async throws -> Int32 {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        return try await waitForExit(timeout: .seconds(15))
    }

    /// SIGKILL: the process dies without a word to the broker.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}

/// Runs a program that is expected to finish, and returns it once it has.
func run(_ name: String, url: String, _ arguments: [String], timeout: Duration = .seconds(120)) async throws
    -> (status: Int32, process: ExampleProcess) {
    let process = try ExampleProcess(name, url: url, arguments)
    return (try await process.waitForExit(timeout: timeout), process)
}

/// A name no other test run uses, for exchanges and queues.
func uniqueName(_ prefix: String) -> String {
    "warren-examples-test.\(prefix).\(UUID().uuidString.prefix(8))"
}
