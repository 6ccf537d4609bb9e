import Glibc
import WarrenServer

/// `warren [serve] [options]`: runs the broker until SIGINT or SIGTERM.
let usage = """
    Usage: warren [serve] [options]
           warren COMMAND [options]      (see the client commands below)

    Runs the Warren message broker (AMQP 0-9-1) until SIGINT or SIGTERM.

    Options:
      --port N         AMQP port to listen on (default 5672; 0 picks a free port)
      --bind ADDRESS   address to listen on (default 0.0.0.0; use :: for IPv6)
      --http-port N    HTTP port for the management API, the dashboard and
                       /metrics (default 15672; 0 picks a free port; 'off'
                       turns HTTP off)
      --data-dir DIR   where durable state lives (default ./warren-data)
      --busy-poll-us N how long the event loop polls after I/O before it
                       sleeps, in microseconds (default 200; 0 never polls)
      -h, --help       show this help

    """

struct ServeOptions {
    var configuration = ServerConfiguration(httpPort: 15672, busyPollMicroseconds: 200)
    var dataDirectory = "warren-data"
}

/// A mistake on the command line: printed with a hint, exit code 2.
struct CommandLineError: Error {
    let message: String
    static func usage(_ message: String) -> CommandLineError { CommandLineError(message: message) }
}

func parseServeOptions(_ arguments: ArraySlice<String>) throws(CommandLineError) -> ServeOptions? {
    var options = ServeOptions()
    var rest = arguments
    func value(for flag: String) throws(CommandLineError) -> String {
        guard let value = rest.popFirst() else { throw .usage("\(flag) needs a value") }
        return value
    }
    while let argument = rest.popFirst() {
        switch argument {
        case "-h", "--help":
            return nil
        case "--port":
            let text = try value(for: argument)
            guard let port = Int(text), (0...65535).contains(port) else { throw .usage("--port: '\(text)' is not a port number") }
            options.configuration.port = port
        case "--http-port":
            let text = try value(for: argument)
            if text == "off" {
                options.configuration.httpPort = nil
            } else {
                guard let port = Int(text), (0...65535).contains(port) else {
                    throw .usage("--http-port: '\(text)' is not a port number or 'off'")
                }
                options.configuration.httpPort = port
            }
        case "--bind":
            options.configuration.bind = try value(for: argument)
        case "--data-dir":
            options.dataDirectory = try value(for: argument)
        case "--busy-poll-us":
            let text = try value(for: argument)
            guard let microseconds = UInt64(text), microseconds <= 1_000_000 else {
                throw .usage("--busy-poll-us: '\(text)' is not a number of microseconds up to 1000000")
            }
            options.configuration.busyPollMicroseconds = microseconds
        default:
            throw .usage("unknown option '\(argument)'")
        }
    }
    return options
}

func runServe(_ arguments: ArraySlice<String>) -> Int32 {
    let options: ServeOptions
    do throws(CommandLineError) {
        guard let parsed = try parseServeOptions(arguments) else {
            print(usage + "\n" + ClientCommands.helpSummary)
            return 0
        }
        options = parsed
    } catch {
        writeStandardError("warren: \(error.message)\nTry 'warren --help'.\n")
        return 2
    }
    // Signals are taken by sigwait on this thread; block them before any
    // other thread starts so that none of those receives them.
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    do {
        try makeDirectories(options.dataDirectory)
        var configuration = options.configuration
        configuration.dataDirectory = options.dataDirectory
        let server = try Server.start(configuration)
        var received: Int32 = 0
        sigwait(&signals, &received)
        Server.standardErrorLog("received signal \(received), shutting down")
        server.stop()
        return 0
    } catch {
        writeStandardError("warren: \(error)\n")
        return 1
    }
}

var arguments = CommandLine.arguments.dropFirst()
if let command = arguments.first, ClientCommands.names.contains(command) {
    exit(await ClientCommands.run(Array(arguments)))
}
if arguments.first == "serve" { arguments = arguments.dropFirst() }
exit(runServe(arguments))
