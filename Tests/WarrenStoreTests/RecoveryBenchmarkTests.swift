import Foundation
import Testing
import WarrenStore

/// Throughput and recovery time at scale. Off by default (it writes ~200 MB); run in
/// release mode:
///
///     WARREN_STORE_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing \
///         --scratch-path .build-store --filter RecoveryBenchmarkTests
struct RecoveryBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["WARREN_STORE_BENCHMARK"] == "1"
    static let count = Int(ProcessInfo.processInfo.environment["WARREN_STORE_BENCHMARK_COUNT"] ?? "") ?? 1_000_000

    @Test(.enabled(if: enabled)) func oneMillionSmallMessagesAppendAndRecover() throws {
        let directory = TemporaryDirectory("bench")
        var options = StoreOptions()
        options.syncPolicy = .onRequest
        var (store, _) = try MessageStore.open(directory: directory.path, options: options)
        let body = [UInt8](repeating: 0x61, count: 100)
        let properties: [UInt8] = [0x10, 0x00, 2]
        let turn = 256  // appends per simulated loop turn, then requestSync()
        var last = SyncTicket.none
        let appendStart = Date()
        for id in 1...Self.count {
            let message = StoredMessage(id: UInt64(id), exchange: "bench", routingKey: "k", properties: properties, body: body)
            last = try store.appendMessage(message, queues: ["bench-queue"])
            if id % turn == 0 {
                store.requestSync()
                _ = store.drainCompletions()
            }
        }
        store.requestSync()
        let appendSeconds = Date().timeIntervalSince(appendStart)
        let settled = store.waitUntilSettled(last)
        let syncedSeconds = Date().timeIntervalSince(appendStart)
        #expect(settled.isDurable(last))
        let statistics = store.statistics
        store.close()

        let recoverStart = Date()
        let recovered: RecoveredState
        (store, recovered) = try MessageStore.open(directory: directory.path, options: options)
        let recoverSeconds = Date().timeIntervalSince(recoverStart)
        defer { store.close() }
        #expect(recovered.queues["bench-queue"]?.count == Self.count)
        #expect(recovered.notes.isEmpty)
        print("""
            benchmark: \(Self.count) x 100-byte messages, requestSync every \(turn) appends
              append: \(String(format: "%.2f", appendSeconds)) s (\(Int(Double(Self.count) / appendSeconds)) msg/s on the calling thread), all durable after \(String(format: "%.2f", syncedSeconds)) s
              syncer: \(statistics.syncRounds) rounds, \(statistics.fdatasyncCalls) fdatasync calls, \(statistics.segmentFiles) segments
              recovery: \(String(format: "%.2f", recoverSeconds)) s to reopen and rebuild \(Self.count) messages
            """)
    }

    @Test(.enabled(if: enabled)) func syncAfterEveryAppendThroughput() throws {
        let directory = TemporaryDirectory("bench")
        let (store, _) = try MessageStore.open(directory: directory.path)
        defer { store.close() }
        let body = [UInt8](repeating: 0x61, count: 100)
        let count = 100_000
        var last = SyncTicket.none
        let start = Date()
        for id in 1...count {
            last = try store.appendMessage(StoredMessage(id: UInt64(id), exchange: "bench", routingKey: "k",
                                                         properties: [0x10, 0, 2], body: body), queues: ["q"])
        }
        let appendSeconds = Date().timeIntervalSince(start)
        #expect(store.waitUntilSettled(last).isDurable(last))
        let statistics = store.statistics
        print("""
            benchmark: \(count) appends with .afterEveryAppend: \(Int(Double(count) / appendSeconds)) msg/s, \
            \(statistics.fdatasyncCalls) fdatasync calls (\(String(format: "%.1f", Double(count) / Double(max(1, statistics.fdatasyncCalls)))) appends per fdatasync)
            """)
    }
}
