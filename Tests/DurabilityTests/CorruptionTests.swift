import Foundation
import Glibc
import Testing
@testable import WarrenServer

/// Damage to the data directory between two runs of the broker: it must start, say
/// what it repaired in its log, and still hold every confirmed message outside the damage.
@Suite(.serialized) struct CorruptionTests {
    static let count = 300

    /// A stopped broker's data directory holding persistent messages 1...count in "q".
    private func directoryWithMessages(_ label: String) async throws -> TemporaryDirectory {
        let directory = TemporaryDirectory(label)
        let server = try startBroker(dataDirectory: directory.path)
        let outcome = try await PythonClients.expectSuccess("publish", port: server.port, ["q", "\(Self.count)", "64", "300", "-"])
        #expect(reportedValues(outcome.output, "acked") == ["\(Self.count)"])
        server.stop()
        return directory
    }

    /// Starts a broker on the directory and drains "q": the ids, and whether each came redelivered.
    private func recover(_ directory: TemporaryDirectory, log: LogLines) async throws -> [(id: Int, redelivered: Bool)] {
        let server = try startBroker(dataDirectory: directory.path, log: log)
        defer { server.stop() }
        let outcome = try await PythonClients.expectSuccess("drain", port: server.port, ["q"])
        return reportedValues(outcome.output, "got").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let id = Int(fields[0]) else { return nil }
            return (id, fields[1] == "1")
        }
    }

    private func segments(_ directory: TemporaryDirectory) -> [String] { directory.files(in: "segments", suffix: ".seg") }

    @Test func aSegmentCutMidRecordLosesOnlyTheCutRecord() async throws {
        let directory = try await directoryWithMessages("torn")
        let segment = try #require(segments(directory).last)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        let lastRecord = try #require(Self.offsets(of: "\(Self.count) ", in: bytes).last)
        #expect(truncate(segment, off_t(lastRecord + 20)) == 0)
        let log = LogLines()
        let recovered = try await recover(directory, log: log)
        #expect(recovered.map(\.id) == Array(1..<Self.count))
        #expect(log.all.contains { $0.contains("recovery: tornTail") }, "\(log.all)")
    }

    @Test func flippedBytesInARecordLoseOnlyThatMessage() async throws {
        let directory = try await directoryWithMessages("flipped")
        let segment = try #require(segments(directory).first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        let body = try #require(Self.offsets(of: "150 ....", in: bytes).first)
        bytes[body + 6] ^= 0x5A
        bytes[body + 40] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        let log = LogLines()
        let recovered = try await recover(directory, log: log)
        #expect(recovered.map(\.id) == Array(1..<150) + Array(151...Self.count))
        #expect(log.all.contains { $0.contains("recovery: damagedRecords") }, "\(log.all)")
    }

    @Test func aDeletedIndexJournalLosesNothingAndMarksEverythingRedelivered() async throws {
        let directory = try await directoryWithMessages("journal")
        for journal in directory.files(in: "index", suffix: ".idx") {
            try FileManager.default.removeItem(atPath: journal)
        }
        let log = LogLines()
        let recovered = try await recover(directory, log: log)
        #expect(recovered.map(\.id) == Array(1...Self.count))
        // Nothing says they were not delivered: at least once, flagged.
        #expect(recovered.allSatisfy { $0.redelivered })
        #expect(log.all.contains { $0.contains("recovery: indexFallback") }, "\(log.all)")
    }

    @Test func aDamagedDefinitionsLogStillBringsTheMessagesBack() async throws {
        let directory = try await directoryWithMessages("definitions")
        let path = directory.path + "/definitions.log"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let name = try #require(Self.offsets(of: "q", in: bytes).last)
        bytes[name] ^= 0x01  // the queue's declaration no longer verifies
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let log = LogLines()
        let recovered = try await recover(directory, log: log)
        #expect(recovered.map(\.id) == Array(1...Self.count))
        #expect(log.all.contains { $0.contains("had messages but no definition") }, "\(log.all)")
    }

    static func offsets(of text: String, in bytes: [UInt8]) -> [Int] {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return [] }
        return (0...(bytes.count - needle.count)).filter { start in
            bytes[start] == needle[0] && bytes[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
