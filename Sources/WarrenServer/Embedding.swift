/// The one-call way to run Warren inside a Swift program or test.
public enum Warren {
    /// Starts a broker in this process, backed by the same code as
    /// `warren serve`, and returns once it accepts connections. Port 0 picks
    /// a free port: read it back from `Server.port`. Stop it with `stop()`.
    public static func start(
        port: Int = 0, bind: String = "127.0.0.1",
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Server {
        try Server.start(ServerConfiguration(port: port, bind: bind), log: log)
    }
}
