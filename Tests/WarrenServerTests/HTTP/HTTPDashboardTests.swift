import AMQPProtocol
import Foundation
import Testing
@testable import WarrenServer

/// The dashboard in a real browser: headless Chromium (Debian's `chromium`,
/// installed by the test when missing; the test fails if it cannot be).
///
/// `WARREN_DASHBOARD_SCREENSHOT=path` keeps the screenshot there (that is how
/// docs/dashboard.png is made); otherwise it goes to a temporary file.
@Suite("HTTP dashboard in Chromium") struct HTTPDashboardTests {
    @Test(.timeLimit(.minutes(10)))  // installing Chromium from scratch takes a while
    func pageShowsAMQPQueuesPublishesThroughItsFormAndRenders() throws {
        let chromium = try Self.chromium()
        let broker = try HTTPTestServer { http in http.statisticsIntervalSeconds = 0.5 }
        let amqp = try MiniAMQPClient(port: broker.port)
        try amqp.declareQueue("orders-from-amqp")
        try amqp.declareQueue("form-target")
        try broker.request("PUT", "/api/queues/%2F/invoices", json: #"{"durable":true}"#)
        try broker.request("PUT", "/api/queues/%2F/emails.outbound", json: #"{"arguments":{"x-max-length":100000}}"#)
        let background = BackgroundTraffic(port: broker.httpPort)
        defer { background.stop() }
        try Self.makeTraffic(broker, amqp, seconds: 5)
        let base = "http://127.0.0.1:\(broker.httpPort)/"

        // A queue made over AMQP shows in the page's table.
        let listing = try Self.dumpDOM(chromium, base + "#user=guest&pass=guest&tab=queues")
        #expect(listing.contains("data-loaded=\"true\""), "the page never loaded its data:\n\(listing.prefix(2000))")
        #expect(listing.contains("data-queue=\"orders-from-amqp\""))

        // The publish form, driven through its own submit handler.
        let published = try Self.dumpDOM(chromium, base + "#user=guest&pass=guest&do=publish&exchange=amq.default"
                                         + "&routing_key=form-target&payload=hello%20from%20the%20form&message_id=form-1&priority=4")
        #expect(published.contains("data-last-action=\"publish:ok\""), "\(published.prefix(2000))")
        #expect(published.contains("Published and routed."))
        let message = try #require(try amqp.get("form-target"))
        #expect(message.body == Array("hello from the form".utf8))
        #expect(message.properties.messageID == "form-1")
        #expect(message.properties.priority == 4)

        // Wrong credentials leave the login form up.
        let refused = try Self.dumpDOM(chromium, base + "#user=guest&pass=wrong")
        #expect(refused.contains("Sign-in failed"))

        let screenshot = ProcessInfo.processInfo.environment["WARREN_DASHBOARD_SCREENSHOT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("warren-dashboard-\(getpid()).png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        let shot = try HTTPTestEnvironment.run(chromium, Self.flags + ["--window-size=1400,900", "--screenshot=\(screenshot)",
                                                                       base + "#user=guest&pass=guest"], timeout: 90)
        let png = FileManager.default.contents(atPath: screenshot) ?? Data()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "no screenshot: \(shot.output)")
    }

    /// Publishes, gets and acks over both protocols for `seconds`, so the charts have something to draw.
    /// (The background traffic keeps the rates up while the screenshot is taken.)
    private static func makeTraffic(_ broker: HTTPTestServer, _ amqp: MiniAMQPClient, seconds: Double) throws {
        let client = try broker.client()
        let started = Date()
        var round = 0
        while Date().timeIntervalSince(started) < seconds {
            round += 1
            let burst = 20 + (round * 7) % 40
            let batch = (0..<burst).map { "{\"body\":\"order \(round)-\($0)\"}" }.joined(separator: ",")
            _ = try client.request("POST", "/api/queues/%2F/orders-from-amqp/messages", body: Array("[\(batch)]".utf8))
            for number in 0..<(burst / 2) { amqp.publish(Array("amqp \(number)".utf8), routingKey: "orders-from-amqp") }
            _ = try client.request("POST", "/api/queues/%2F/orders-from-amqp/get",
                                   body: Array("{\"count\":\(burst / 2),\"ackmode\":\"ack_requeue_false\"}".utf8))
            usleep(100_000)
        }
    }

    static let flags = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-dev-shm-usage",
                        "--hide-scrollbars", "--virtual-time-budget=8000"]

    private static func dumpDOM(_ chromium: String, _ url: String) throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("warren-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try HTTPTestEnvironment.run(chromium, flags + ["--user-data-dir=\(profile.path)", "--dump-dom", url], timeout: 90)
        return result.output
    }

    /// Debian's Chromium, installed with apt-get when missing.
    static func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        var log = try HTTPTestEnvironment.run("/usr/bin/apt-get", ["install", "-y", "chromium"], timeout: 480)
        if log.status != 0 {
            _ = try HTTPTestEnvironment.run("/usr/bin/apt-get", ["update"], timeout: 240)
            log = try HTTPTestEnvironment.run("/usr/bin/apt-get", ["install", "-y", "chromium"], timeout: 480)
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            throw HTTPTestEnvironment.SetupError(message: "chromium is missing and apt-get could not install it:\n\(log.output.suffix(2000))")
        }
        return "/usr/bin/chromium"
    }
}

/// HTTP publishes and gets on another thread until stopped, so the charts are live.
final class BackgroundTraffic: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(port: Int) {
        Thread.detachNewThread { [self] in
            defer { finished.signal() }
            guard let client = try? HTTPTestClient(port: port) else { return }
            var round = 0
            while isRunning {
                round += 1
                let count = 10 + (round * 13) % 30
                let batch = (0..<count).map { "{\"body\":\"invoice \(round)-\($0)\"}" }.joined(separator: ",")
                _ = try? client.request("POST", "/api/queues/%2F/invoices/messages", body: Array("[\(batch)]".utf8))
                _ = try? client.request("POST", "/api/queues/%2F/invoices/get",
                                        body: Array("{\"count\":\(count - 3),\"ackmode\":\"ack_requeue_false\"}".utf8))
                _ = try? client.request("POST", "/api/queues/%2F/emails.outbound/messages", body: Array("{\"body\":\"mail\"}".utf8))
                usleep(60_000)
            }
        }
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }

    func stop() {
        lock.lock(); running = false; lock.unlock()
        _ = finished.wait(timeout: .now() + 5)
    }
}
