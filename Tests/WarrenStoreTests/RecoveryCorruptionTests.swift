import Foundation
import Testing
@testable import WarrenStore

/// Damage on disk: recovery must open, keep every intact record, and say what it did.
struct RecoveryCorruptionTests {
    /// A closed store with messages 1...count in queue "q", and the record offsets of its
    /// single segment.
    private func closedStore(_ directory: TemporaryDirectory, count: UInt64 = 50) throws -> [UInt32] {
        let (store, _) = try openStore(directory)
        for id in UInt64(1)...count { _ = try store.appendMessage(message(id), queues: ["q"]) }
        let offsets = store.segments.segments.first?.offsets ?? []
        store.close()
        return offsets
    }

    @Test func tornTailIsTruncatedAndEveryCompleteRecordKept() throws {
        let directory = TemporaryDirectory()
        let offsets = try closedStore(directory)
        let segment = try #require(directory.segmentFiles.last)
        let lastRecord = Int(offsets[49])
        #expect(truncate(segment, off_t(fileSize(segment) - 10)) == 0)
        var (store, recovered) = try openStore(directory)
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1...49))
        #expect(recovered.notes.map(\.kind) == [.tornTail])
        #expect(fileSize(segment) == lastRecord)
        _ = try store.appendMessage(message(51), queues: ["q"])
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1...49) + [51])
        #expect(recovered.notes.isEmpty)
    }

    @Test func flippedPayloadByteDropsOnlyThatRecord() throws {
        let directory = TemporaryDirectory()
        _ = try closedStore(directory)
        let segment = try #require(directory.segmentFiles.first)
        var bytes = readFile(segment)
        let body = try #require(occurrences(of: Array("body-25".utf8), in: bytes).first)
        bytes[body + 2] ^= 0x20
        writeFile(segment, bytes)
        let (store, recovered) = try openStore(directory)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1...24) + Array(26...50))
        #expect(recovered.notes.map(\.kind) == [.damagedRecords])
    }

    @Test func damagedLengthFieldIsResynchronisedPast() throws {
        let directory = TemporaryDirectory()
        let offsets = try closedStore(directory)
        let segment = try #require(directory.segmentFiles.first)
        var bytes = readFile(segment)
        bytes[Int(offsets[24]) + 2] ^= 0x7F  // record of message 25: its length is now absurd
        bytes[Int(offsets[30])] ^= 0x01      // record of message 31: its length is off by one
        writeFile(segment, bytes)
        let (store, recovered) = try openStore(directory)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1...24) + Array(26...30) + Array(32...50))
        #expect(recovered.notes.filter { $0.kind == .damagedRecords }.count == 2)
    }

    @Test func deletedIndexJournalFallsBackToEveryRoutedMessageRedelivered() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        for id in UInt64(1)...10 { _ = try store.appendMessage(message(id), queues: ["q", "r"]) }
        _ = try store.remove(queue: "q", messageIDs: [1, 2, 3])
        store.close()
        for path in directory.journalFiles { try FileManager.default.removeItem(atPath: path) }
        let (again, recovered) = try openStore(directory)
        defer { again.close() }
        // The acks were in the lost journal: those messages come back (at least once,
        // never lost), all marked redelivered since nothing says they were not delivered.
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(1...10))
        #expect(recovered.queues["r"]?.map(\.message.id) == Array(1...10))
        #expect(recovered.queues.values.joined().allSatisfy { $0.redelivered })
        #expect(recovered.notes.map(\.kind) == [.indexFallback])
    }

    @Test func damagedJournalCheckpointFallsBackAndLaterRecordsStillApply() throws {
        let directory = TemporaryDirectory()
        var (store, _) = try openStore(directory)
        for id in UInt64(1)...10 { _ = try store.appendMessage(message(id), queues: ["q"]) }
        _ = try store.remove(queue: "q", messageIDs: [1, 2])
        (store, _) = try reopen(store, directory)  // checkpoint now lists 3...10
        _ = try store.remove(queue: "q", messageIDs: [3])
        store.close()
        let journal = try #require(directory.journalFiles.first)
        var bytes = readFile(journal)
        bytes[RecordFormat.fileHeaderSize + RecordFormat.headerSize + 2] ^= 0xFF  // inside checkpointBegin
        writeFile(journal, bytes)
        let recovered: RecoveredState
        (store, recovered) = try openStore(directory)
        defer { store.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == [1, 2] + Array(4...10))
        #expect(recovered.notes.contains { $0.kind == .indexFallback })
    }

    @Test func tornJournalTailKeepsEarlierRecords() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        for id in UInt64(1)...10 { _ = try store.appendMessage(message(id), queues: ["q"]) }
        _ = try store.remove(queue: "q", messageIDs: [1])
        _ = try store.remove(queue: "q", messageIDs: [2])
        store.close()
        let journal = try #require(directory.journalFiles.first)
        #expect(truncate(journal, off_t(fileSize(journal) - 3)) == 0)
        let (again, recovered) = try openStore(directory)
        defer { again.close() }
        #expect(recovered.queues["q"]?.map(\.message.id) == Array(2...10))
        #expect(recovered.notes.map(\.kind) == [.tornTail])
    }

    @Test func segmentShorterThanItsHeaderIsRemoved() throws {
        let directory = TemporaryDirectory()
        _ = try closedStore(directory, count: 3)
        writeFile(directory.path + "/segments/00000000000000ff.seg", [0x57, 0x53])
        let (store, recovered) = try openStore(directory)
        defer { store.close() }
        #expect(recovered.queues["q"]?.count == 3)
        #expect(recovered.notes.map(\.kind) == [.damagedFile])
        #expect(directory.segmentFiles.count == 1)
    }

    @Test func randomDamageNeverStopsTheStoreFromOpening() throws {
        var generator = SplitMix64(seed: 0x5EED)
        for round in 0..<40 {
            let directory = TemporaryDirectory("fuzz")
            var (store, _) = try openStore(directory)
            _ = try store.appendDefinition(.declareQueue(QueueDefinition(vhost: "/", name: "q")))
            for id in UInt64(1)...30 { _ = try store.appendMessage(message(id), queues: ["q", "r"]) }
            _ = try store.remove(queue: "q", messageIDs: [1, 2, 3])
            _ = try store.markDelivered(queue: "r", messageID: 4)
            store.close()
            let files = directory.segmentFiles + directory.journalFiles + [directory.path + "/definitions.log"]
            let target = files[Int(generator.next() % UInt64(files.count))]
            var bytes = readFile(target)
            for _ in 0..<(1 + round % 5) where !bytes.isEmpty {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if round % 3 == 0 { bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count + 1)))) }
            writeFile(target, bytes)
            let recovered: RecoveredState
            (store, recovered) = try openStore(directory)
            #expect((recovered.queues["r"]?.count ?? 0) <= 30)
            // The store keeps working on top of whatever survived.
            _ = try store.appendMessage(message(recovered.highestMessageID + 1), queues: ["q"])
            store.close()
        }
    }
}

/// A small deterministic generator for reproducible damage.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
