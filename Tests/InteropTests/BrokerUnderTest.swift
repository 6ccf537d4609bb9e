// The one place the interop suite touches Warren's API: starting it in-process.
// Everything else talks to the broker over AMQP through unmodified clients.

import WarrenServer

/// Starts Warren in this process on a free loopback port and returns the AMQP URL the
/// scenarios should use, plus the action that stops the server.
func startWarrenInProcess() throws -> (url: String, stop: @Sendable () -> Void) {
    // Quiet: a scenario's own output says what went wrong.
    let server = try Server.start(ServerConfiguration(port: 0, bind: "127.0.0.1"), log: { _ in })
    return ("amqp://guest:guest@127.0.0.1:\(server.port)/", { server.stop() })
}
