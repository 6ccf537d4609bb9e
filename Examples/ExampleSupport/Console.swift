import Foundation
import Synchronization
import WarrenClient

/// Prints one line to stdout at once (unbuffered), so a reader of a pipe sees
/// each message as soon as it arrives.
public func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Prints one line to stderr.
public func complain(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Runs an example's body and exits: 0 when it finishes, or when it ended
/// because SIGINT/SIGTERM closed the connection; 1 with the error on stderr otherwise.
public func runExample(_ body: () async throws -> Void) async -> Never {
    do {
        try await body()
        exitOnce(0)
    } catch ClientError.closedByApplication {
        exitOnce(0)
    } catch {
        let name = CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? "example"
        complain("\(name): \(error)")
        exitOnce(1)
    }
}

private let exiting = Mutex(false)

/// `exit`, called by whichever comes first of the main code and the signal
/// handler; the other waits for the process to end rather than exit twice.
private func exitOnce(_ status: Int32) -> Never {
    let first = exiting.withLock { exiting in
        defer { exiting = true }
        return !exiting
    }
    if first { exit(status) }
    while true { pause() }
}

/// Signal sources must outlive the call that makes them.
private let installedSignalSources = Mutex<[any DispatchSourceSignal]>([])

/// On SIGINT or SIGTERM, closes `connection` cleanly (so the broker requeues
/// whatever was delivered and not yet acked) and exits 0, without waiting for
/// work in progress.
public func closeOnTerminationSignal(_ connection: Connection) {
    installedSignalSources.withLock { sources in
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Task {
                    await connection.close()
                    exitOnce(0)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}
