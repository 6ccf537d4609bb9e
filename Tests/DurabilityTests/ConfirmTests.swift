import Glibc
import Synchronization
import Testing
@testable import WarrenServer
import WarrenStore

/// Confirms wait for the store's syncer, not for the write: with every fdatasync slowed
/// down (800 ms), a persistent message's confirm takes at least that long and a
/// transient one's does not; with fdatasync failing, the persistent one is nacked and the transient one
/// still acked.
@Suite(.serialized) struct ConfirmTests {
    final class SlowDisk: Sendable {
        /// 0: normal; otherwise fdatasync sleeps this many ms, then fails with EIO when `failing`.
        let delayMilliseconds = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)

        var injector: FaultInjector {
            FaultInjector { [self] operation, _ in
                guard operation == .sync else { return nil }
                let delay = delayMilliseconds.load(ordering: .relaxed)
                if delay > 0 { usleep(useconds_t(delay * 1000)) }
                return failing.load(ordering: .relaxed) ? EIO : nil
            }
        }
    }

    private func start(_ directory: TemporaryDirectory, _ disk: SlowDisk) throws -> Server {
        var configuration = ServerConfiguration(port: 0, bind: "127.0.0.1", dataDirectory: directory.path)
        configuration.storeFaults = disk.injector
        return try Server.start(configuration, log: { _ in })
    }

    private func milliseconds(_ output: String, _ key: String) -> Int? {
        reportedValues(output, key).first.flatMap { Int($0) }
    }

    @Test func aPersistentConfirmWaitsForTheFdatasyncAndATransientOneDoesNot() async throws {
        let directory = TemporaryDirectory("confirm-slow")
        let disk = SlowDisk()
        let server = try start(directory, disk)
        defer { server.stop() }
        disk.delayMilliseconds.store(800, ordering: .relaxed)
        let outcome = try await PythonClients.expectSuccess("confirm-timing", port: server.port)
        let persistent = try #require(milliseconds(outcome.output, "persistent-ack-ms"), "\(outcome.transcript)")
        let transient = try #require(milliseconds(outcome.output, "transient-ack-ms"), "\(outcome.transcript)")
        #expect(persistent >= 790, "the persistent confirm came after \(persistent) ms, before the 800 ms fdatasync")
        #expect(transient < 600, "the transient confirm waited \(transient) ms")
    }

    @Test func aFailedFdatasyncNacksThePersistentPublish() async throws {
        let directory = TemporaryDirectory("confirm-fail")
        let disk = SlowDisk()
        let server = try start(directory, disk)
        defer { server.stop() }
        disk.failing.store(true, ordering: .relaxed)
        let outcome = try await PythonClients.expectSuccess("confirm-timing", port: server.port)
        #expect(milliseconds(outcome.output, "persistent-nack-ms") != nil, "\(outcome.transcript)")
        #expect(milliseconds(outcome.output, "transient-ack-ms") != nil, "\(outcome.transcript)")
    }
}
