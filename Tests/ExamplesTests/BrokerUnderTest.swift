// The one file of this target that touches WarrenServer: where the broker under test
// comes from. With WARREN_TEST_AMQP_URL set (how the suite runs against RabbitMQ), that
// broker; otherwise a Warren started in this process on a free loopback port, which the
// example processes reach over loopback.

import Foundation
import WarrenServer

/// Runs `body` with the AMQP URL of the broker under test, starting and stopping an
/// in-process Warren around it when no external broker is named.
func withBrokerURL<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    if let url = ProcessInfo.processInfo.environment["WARREN_TEST_AMQP_URL"], !url.isEmpty {
        return try await body(url)
    }
    let server = try Server.start(ServerConfiguration(port: 0, bind: "127.0.0.1"))
    defer { server.stop() }
    return try await body("amqp://guest:guest@127.0.0.1:\(server.port)/")
}
