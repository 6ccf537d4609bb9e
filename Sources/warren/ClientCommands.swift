import Glibc
import WarrenClient

/// The client subcommands of `warren`: small tools that talk AMQP 0-9-1 to any
/// broker (Warren or RabbitMQ) through WarrenClient.
///
/// Exit status: 0 on success; 1 when the broker or the connection failed
/// (the broker's code and text are printed); 2 for a command-line mistake;
/// 3 when `get` found the queue empty.
enum ClientCommands {
    static let names = ["publish", "consume", "get", "declare", "bind", "unbind", "delete", "purge", "list"]

    static let helpSummary = """
        Client commands (any AMQP 0-9-1 broker; each takes --url URL and --help):
          publish     publish messages (arguments or standard input) to an exchange
          consume     print the messages of a queue as they arrive, until Ctrl-C
          get         fetch messages from a queue one at a time
          declare     declare a queue or an exchange: declare queue|exchange NAME
          bind        bind a queue or an exchange to an exchange
          unbind      remove such a binding
          delete      delete a queue or an exchange: delete queue|exchange NAME
          purge       drop every ready message of a queue
          list        list queues, exchanges or bindings (needs the HTTP API, not there yet)
        The URL defaults to $AMQP_URL, else amqp://guest:guest@localhost:5672/.
        """

    /// Runs `arguments[0]` with the rest of `arguments`; returns the exit status.
    static func run(_ arguments: [String]) async -> Int32 {
        guard let name = arguments.first, let command = commands.first(where: { $0.name == name }) else {
            complain("warren: unknown client command \(arguments.first ?? "(none)")\n\(helpSummary)")
            return ExitStatus.usage
        }
        do {
            let options = try OptionParser.parse(arguments.dropFirst(), values: command.valueOptions,
                                                 flags: command.flags)
            if options.wantsHelp {
                say(command.usage)
                return ExitStatus.success
            }
            return try await command.run(options)
        } catch let error as UsageError {
            complain("warren \(name): \(error.message)\nRun 'warren \(name) --help' for usage.")
            return ExitStatus.usage
        } catch let error as ClientError {
            complain("warren \(name): \(error)")
            return ExitStatus.failure
        } catch {
            complain("warren \(name): \(error)")
            return ExitStatus.failure
        }
    }

    enum ExitStatus {
        static let success: Int32 = 0
        static let failure: Int32 = 1
        static let usage: Int32 = 2
        static let empty: Int32 = 3
    }

    /// One subcommand: its help, the options it accepts, and what it does.
    struct Command: Sendable {
        let name: String
        let usage: String
        var valueOptions: Set<String> = []
        var flags: Set<String> = []
        let run: @Sendable (ParsedOptions) async throws -> Int32
    }

    static let commands: [Command] = [
        publishCommand, consumeCommand, getCommand, declareCommand, bindCommand(unbind: false),
        bindCommand(unbind: true), deleteCommand, purgeCommand, listCommand,
    ]

    /// The broker URL: `--url`, else `$AMQP_URL`, else the local default.
    static func url(_ options: ParsedOptions) -> String {
        if let url = options.value("--url") { return url }
        if let value = getenv("AMQP_URL"), case let url = String(cString: value), !url.isEmpty { return url }
        return "amqp://guest:guest@localhost:5672/"
    }

    /// Connects, runs `body` on a fresh channel, and closes the connection
    /// whatever happens.
    static func withChannel<Result>(
        _ options: ParsedOptions, _ body: (Connection, Channel) async throws -> Result
    ) async throws -> Result {
        let connection = try await Connection.connect(to: url(options))
        do {
            let result = try await body(connection, try await connection.openChannel())
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    static func say(_ line: String) {
        writeAll(Array((line + "\n").utf8), to: STDOUT_FILENO)
    }

    static func complain(_ line: String) {
        writeStandardError(line + "\n")
    }
}
