import Foundation
import Glibc
import Testing
@testable import WarrenServer

/// Durable definitions and persistent messages across a clean restart, through pika:
/// an in-process broker with a data directory is stopped and started again on it.
@Suite(.serialized) struct RestartTests {
    @Test func durableDefinitionsAndPersistentMessagesSurviveACleanRestartAndTransientOnesDoNot() async throws {
        let directory = TemporaryDirectory("restart")
        var server = try startBroker(dataDirectory: directory.path)
        _ = try await PythonClients.expectSuccess("restart-setup", port: server.port)
        server.stop()
        let log = LogLines()
        server = try startBroker(dataDirectory: directory.path, log: log)
        defer { server.stop() }
        _ = try await PythonClients.expectSuccess("restart-verify", port: server.port)
        #expect(log.all.contains { $0.contains("recovery:") && $0.contains("messages") })
    }

    @Test func confirmedMessagesSurviveRestartsInOrderAndAcksStick() async throws {
        let directory = TemporaryDirectory("restart-order")
        var server = try startBroker(dataDirectory: directory.path)
        var outcome = try await PythonClients.expectSuccess("publish", port: server.port, ["orders", "500", "64", "200", "-"])
        #expect(reportedValues(outcome.output, "acked") == ["500"])
        outcome = try await PythonClients.expectSuccess("ack-first", port: server.port, ["orders", "120"])
        server.stop()
        server = try startBroker(dataDirectory: directory.path)
        outcome = try await PythonClients.expectSuccess("publish", port: server.port, ["orders", "100", "64", "200", "-", "501"])
        server.stop()
        server = try startBroker(dataDirectory: directory.path)
        defer { server.stop() }
        outcome = try await PythonClients.expectSuccess("drain", port: server.port, ["orders"])
        let ids = reportedValues(outcome.output, "got").compactMap { Int($0.split(separator: " ")[0]) }
        #expect(ids == Array(121...600), "recovered \(ids.count) messages: \(ids.prefix(5))...")
        #expect(reportedValues(outcome.output, "got").allSatisfy { $0.hasSuffix(" 0") }, "never delivered: redelivered=false")
    }

    @Test func committedPersistentMessagesAndAcksSurviveARestartAndRolledBackOnesDoNot() async throws {
        let directory = TemporaryDirectory("restart-tx")
        var server = try startBroker(dataDirectory: directory.path)
        _ = try await PythonClients.expectSuccess("transactions", port: server.port)
        server.stop()
        server = try startBroker(dataDirectory: directory.path)
        defer { server.stop() }
        let outcome = try await PythonClients.expectSuccess("drain", port: server.port, ["txq"])
        #expect(reportedValues(outcome.output, "got").map { $0.split(separator: " ")[0] } == (2...53).map { "c\($0)"[...] })
    }

    @Test func aSecondBrokerOnTheSameDataDirectoryIsRefusedWithExitCode1() async throws {
        let directory = TemporaryDirectory("locked")
        let server = try startBroker(dataDirectory: directory.path)
        defer { server.stop() }
        #expect {
            _ = try startBroker(dataDirectory: directory.path)
        } throws: { error in
            "\(error)".contains("is in use by another Warren broker")
        }
        guard let warren = Paths.warren else {
            Issue.record("warren is not in the build products directory")
            return
        }
        let outcome = try await runProgram(warren, ["serve", "--port", "0", "--http-port", "off", "--data-dir", directory.path],
                                    timeout: 30)
        #expect(outcome.status == 1)
        #expect(outcome.error.contains("data directory \(directory.path) is in use by another Warren broker"),
                "stderr: \(outcome.error)")
    }
}
