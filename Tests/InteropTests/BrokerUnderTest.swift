// The one place the interop suite touches Warren's API: starting it in-process.
// Everything else talks to the broker over AMQP through unmodified clients.

import WarrenServer

/// Starts Warren in this process on a free loopback port and returns the AMQP URL the
/// scenarios should use, plus the action that stops the server.
func startWarrenInProcess() throws -> (url: String, stop: @Sendable () -> Void) {
    let server = try WarrenServer.Server.start(ServerConfiguration(port: 0, bind: "127.0.0.1"))  // returns once listening
    let running = UncheckedSendableBox(server)
    return ("amqp://guest:guest@127.0.0.1:\(server.port)/", { running.value.stop() })
}

/// Lets the stop closure hold the server whatever its Sendable conformance; it is only
/// used once, after every scenario has finished.
private final class UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
