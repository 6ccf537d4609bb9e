import Foundation
import Glibc
import Testing

/// The broker is killed (SIGKILL) at a random moment while a publisher with confirms
/// sends persistent messages with unique ids to a durable queue; it is restarted on the
/// same data directory and a consumer drains the queue. Every confirmed message must be
/// recovered. `WARREN_CRASH_RUNS=50 swift test --filter CrashTests` runs it 50 times.
@Suite(.serialized) struct CrashTests {
    static let runs = Int(ProcessInfo.processInfo.environment["WARREN_CRASH_RUNS"] ?? "") ?? 5

    struct Figures {
        var confirmed = 0
        var recovered = 0
        var lost = 0
        var duplicates = 0
        var unconfirmedRecovered = 0
    }

    @Test func noConfirmedMessageIsLostWhenTheBrokerIsKilled() async throws {
        var total = Figures()
        var generator = SystemRandomNumberGenerator()
        for run in 1...Self.runs {
            let figures = try await crashOnce(run: run, killAfter: Double.random(in: 0.05...1.2, using: &generator))
            print("crash run \(run): confirmed \(figures.confirmed), recovered \(figures.recovered), "
                  + "lost \(figures.lost), duplicates \(figures.duplicates), recovered unconfirmed \(figures.unconfirmedRecovered)")
            total.confirmed += figures.confirmed
            total.recovered += figures.recovered
            total.lost += figures.lost
            total.duplicates += figures.duplicates
            total.unconfirmedRecovered += figures.unconfirmedRecovered
        }
        print("crash runs \(Self.runs): confirmed \(total.confirmed), recovered \(total.recovered), lost \(total.lost), "
              + "duplicates \(total.duplicates), recovered unconfirmed \(total.unconfirmedRecovered)")
        #expect(total.lost == 0)
        #expect(total.duplicates == 0)
    }

    private func crashOnce(run: Int, killAfter delay: Double) async throws -> Figures {
        let directory = TemporaryDirectory("crash")
        let scratch = TemporaryDirectory("crash-logs")
        let confirmedPath = scratch.path + "/confirmed"
        _ = FileManager.default.createFile(atPath: confirmedPath, contents: nil)

        let broker = try WarrenProcess(dataDirectory: directory.path, logDirectory: scratch, label: "first")
        try await broker.start()
        let port = broker.port
        async let publishing = PythonClients.run("publish", port: port,
                                                 ["crash", "0", "256", "120", confirmedPath], timeout: 120)
        // Kill once the publisher is under way, at a random moment.
        let deadline = monotonicSeconds() + 60
        while (try? String(contentsOfFile: confirmedPath, encoding: .utf8))?.isEmpty ?? true, monotonicSeconds() < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .seconds(delay))
        try await broker.crash()
        let publisher = try await publishing
        let published = reportedValues(publisher.output, "published").first.flatMap { Int($0) } ?? 0
        #expect(published > 0, "the publisher published nothing\n\(publisher.transcript)\n\(broker.log)")

        let again = try WarrenProcess(dataDirectory: directory.path, logDirectory: scratch, label: "second")
        try await again.start()
        let drained = try await PythonClients.run("drain", port: again.port, ["crash"])
        try await again.stop()
        #expect(drained.succeeded, "drain failed\n\(drained.transcript)\n\(again.log)")

        let confirmed = Set(((try? String(contentsOfFile: confirmedPath, encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { Int($0) })
        let recovered = reportedValues(drained.output, "got").compactMap { Int($0.split(separator: " ")[0]) }
        var figures = Figures()
        figures.confirmed = confirmed.count
        figures.recovered = recovered.count
        figures.lost = confirmed.subtracting(recovered).count
        figures.duplicates = recovered.count - Set(recovered).count
        figures.unconfirmedRecovered = Set(recovered).subtracting(confirmed).count
        #expect(recovered == recovered.sorted(), "run \(run): recovered out of publish order")
        if figures.lost > 0 {
            let missing = confirmed.subtracting(recovered).sorted()
            let logs = "--- first broker ---\n\(String(broker.log.suffix(3000)))\n--- second broker ---\n\(String(again.log.suffix(3000)))"
            Issue.record("run \(run): \(figures.lost) confirmed messages lost, first \(missing.prefix(10))\n\(logs)")
        }
        return figures
    }
}
