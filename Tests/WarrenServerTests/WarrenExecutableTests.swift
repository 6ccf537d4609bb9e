import AMQPProtocol
import Foundation
import Glibc
import Testing
@testable import WarrenServer

/// The `warren` executable, run as a subprocess from the build products
/// directory this test bundle was built into (wherever --scratch-path put it).
@Suite struct WarrenExecutableTests {
    static var executable: URL? {
        guard let bundle = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        // The test runner is <products>/WarrenPackageTests.xctest; warren is built beside it.
        let candidate = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("warren")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    struct Run {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs warren with `arguments` to completion (killed after `timeout`).
    static func run(_ arguments: [String], timeout: Double = 20) throws -> Run? {
        guard let executable else {
            Issue.record("warren is not in the build products directory; build all products first")
            return nil
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let deadline = monotonicSeconds() + timeout
        let captured = readUntilClosed([output.fileHandleForReading.fileDescriptor,
                                        error.fileHandleForReading.fileDescriptor], deadline: deadline)
        guard waitForExit(process, timeout: max(deadline - monotonicSeconds(), 0.1)) else {
            Issue.record("warren \(arguments) did not exit")
            return nil
        }
        return Run(status: process.terminationStatus,
                   standardOutput: String(decoding: captured[0], as: UTF8.self),
                   standardError: String(decoding: captured[1], as: UTF8.self))
    }

    /// Everything written to `descriptors` until each is closed or `deadline` passes.
    static func readUntilClosed(_ descriptors: [Int32], deadline: Double) -> [[UInt8]] {
        var captured = Array(repeating: [UInt8](), count: descriptors.count)
        var open = Set(descriptors.indices)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty, monotonicSeconds() < deadline {
            var polled = open.sorted().map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), 100) >= 0 else { break }
            for (slot, index) in open.sorted().enumerated() where polled[slot].revents != 0 {
                let count = read(descriptors[index], &chunk, chunk.count)
                if count > 0 { captured[index] += chunk[..<count] } else { open.remove(index) }
            }
        }
        return captured
    }

    static func waitForExit(_ process: Process, timeout: Double) -> Bool {
        let deadline = monotonicSeconds() + timeout
        while process.isRunning && monotonicSeconds() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        return true
    }

    /// The flags `warren serve` takes; --help must describe each one.
    static let serveFlags = ["--port", "--bind", "--http-port", "--data-dir", "--busy-poll-us", "--help", "-h"]

    /// The broker's idle memory is mostly the libraries it maps: warren must not link Foundation.
    @Test func linksNoFoundationLibrary() throws {
        let executable = try #require(Self.executable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/readelf")
        process.arguments = ["--dynamic", executable.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let needed = text.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(needed.contains { $0.contains("libc.so") }, "readelf listed no libraries: \(text)")
        #expect(!needed.contains { $0.contains("Foundation") }, "\(needed)")
    }

    @Test(arguments: [["--help"], ["-h"], ["serve", "--help"]])
    func helpExitsZeroAndDescribesEveryFlag(arguments: [String]) throws {
        guard let run = try Self.run(arguments) else { return }
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("Usage: warren"))
        #expect(run.standardError.isEmpty)
        let lines = run.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for flag in Self.serveFlags {
            // An option line names the flag first ("--port N  …", "-h, --help  …") and then explains it.
            let described = lines.contains { line in
                let named = line.hasPrefix(flag + " ") || line.hasPrefix(flag + ",") || line.contains(", \(flag) ")
                return named && line.count > flag.count + 10
            }
            #expect(described, "\(arguments.joined(separator: " ")) does not describe \(flag)")
        }
    }

    @Test(arguments: [
        (["--bogus"], "unknown option '--bogus'"),
        (["--port"], "--port needs a value"),
        (["--port", "70000"], "--port: '70000' is not a port number"),
        (["serve", "--bind"], "--bind needs a value"),
        (["--busy-poll-us", "soon"], "--busy-poll-us: 'soon' is not a number of microseconds"),
    ])
    func commandLineMistakeExitsTwoWithAClearError(arguments: [String], message: String) throws {
        guard let run = try Self.run(arguments) else { return }
        #expect(run.status == 2)
        #expect(run.standardError.contains(message), "stderr: \(run.standardError)")
        #expect(run.standardError.contains("warren --help"))
        #expect(run.standardOutput.isEmpty)
    }

    @Test func sigtermClosesClientsWith320AndExitsZero() throws {
        guard let executable = Self.executable else {
            Issue.record("warren is not in the build products directory; build all products first")
            return
        }
        let dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("warren-sigterm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--bind", "127.0.0.1", "--port", "0", "--http-port", "0",
                             "--data-dir", dataDirectory.path]
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        guard let port = Self.listeningPort(from: error.fileHandleForReading, timeout: 20) else {
            Issue.record("warren did not say where it listens")
            return
        }
        let client = try RawAMQPClient(port: port)
        try client.handshake()
        let queue = try client.declareQueue(exclusive: true).queue
        client.publish(Array("before the signal".utf8), routingKey: queue)
        try client.sync()

        kill(process.processIdentifier, SIGTERM)
        let close = try client.expectConnectionClose(answer: false, timeout: 10)
        #expect(close.replyCode == 320)
        #expect(close.replyText == "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'")
        #expect(Self.waitForExit(process, timeout: 20), "warren did not exit after SIGTERM")
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    /// Reads warren's log until the "listening on host:port" line.
    static func listeningPort(from handle: FileHandle, timeout: Double) -> Int? {
        let deadline = monotonicSeconds() + timeout
        var text = ""
        while monotonicSeconds() < deadline {
            var descriptor = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) >= 0 else { return nil }
            guard descriptor.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(handle.fileDescriptor, &chunk, chunk.count)
            guard count > 0 else { return nil }
            text += String(decoding: chunk[..<count], as: UTF8.self)
            if let range = text.range(of: "listening on "),
               let line = text[range.upperBound...].split(separator: "\n").first,
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return port
            }
        }
        return nil
    }
}
