import Foundation
import Glibc
import Testing
@testable import WarrenServer

/// A full disk under the broker: publishers are nacked for what could not be written,
/// never acked; once acks free space, confirms are acks again. A real 24 MiB tmpfs (the
/// suite runs as root, as CI does; where mounting is refused this fails, never skips).
@Suite(.serialized) struct DiskFullTests {
    @Test func aFullDiskNacksPublishersAndConfirmsResumeOnceSpaceIsFreed() async throws {
        let mountPoint = TemporaryDirectory("tmpfs")
        let mounted = try await runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mountPoint.path], timeout: 30)
        guard mounted.succeeded else {
            Issue.record("mounting a 24 MiB tmpfs failed: the disk-full test needs root\n\(mounted.transcript)")
            return
        }
        defer { _ = try? Glibc.umount(mountPoint.path) }
        let log = LogLines()
        let server = try startBroker(dataDirectory: mountPoint.path + "/data", log: log)
        defer { server.stop() }

        // 120 messages of 256 KiB cannot fit in 24 MiB.
        var outcome = try await PythonClients.expectSuccess("publish", port: server.port, ["big", "120", "4", "262144", "-"])
        let acked = reportedValues(outcome.output, "acked").first.flatMap { Int($0) } ?? -1
        let nacked = reportedValues(outcome.output, "nacked").first.flatMap { Int($0) } ?? -1
        #expect(acked > 30 && acked < 100, "acked \(acked)")
        #expect(nacked > 0 && acked + nacked == 120, "acked \(acked), nacked \(nacked)")
        #expect(log.all.contains { $0.contains("persistent publishes are nacked until writes succeed") }, "\(log.all)")

        // Consuming frees the sealed segments; then writes and acks resume.
        outcome = try await PythonClients.expectSuccess("drain-ack", port: server.port, ["big"])
        #expect(reportedValues(outcome.output, "drained") == ["120"])
        try await Task.sleep(for: .milliseconds(200))
        outcome = try await PythonClients.expectSuccess("publish", port: server.port, ["big", "10", "4", "262144", "-", "1000"])
        #expect(reportedValues(outcome.output, "acked") == ["10"], "\(outcome.transcript)")
        #expect(log.all.contains { $0.contains("writes succeed again") }, "\(log.all)")
    }
}
