// The client subcommands of the `warren` executable (Sources/warren/ClientCommands*.swift),
// run as subprocesses against the broker under test.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("warren client commands against the broker under test", .serialized, .timeLimit(.minutes(2)))
struct WarrenCommandLineTests {
    /// Runs `warren ARGUMENTS... --url URL` to completion.
    private func warren(_ url: String, _ arguments: [String]) async throws -> (status: Int32, out: [String], err: [String]) {
        let process = try ExampleProcess("warren", arguments: arguments + ["--url", url])
        let status = try await process.waitForExit(timeout: .seconds(30))
        return (status, process.lines, process.errors.lines)
    }

    @Test("declare, bind, publish with properties, get, consume, purge, unbind, delete")
    func roundTrip() async throws {
        try await withBrokerURL { url in
            let queue = uniqueName("cli-queue")
            let exchange = uniqueName("cli-exchange")
            #expect(try await warren(url, ["declare", "queue", queue, "--arg", "x-max-length=100"]).out
                == ["queue \(queue): 0 messages, 0 consumers"])
            #expect(try await warren(url, ["declare", "exchange", exchange, "--type", "topic"]).status == 0)
            #expect(try await warren(url, ["bind", "queue", queue, exchange, "log.*"]).status == 0)
            let published = try await warren(url, [
                "publish", "--exchange", exchange, "--routing-key", "log.info", "--persistent",
                "--message-id", "m1", "--header", "attempt=2", "--header-string", "zip=02134", "first", "second",
            ])
            #expect(published.status == 0)
            #expect(published.err == ["published 2 messages"])
            let got = try await warren(url, ["get", "--verbose", queue])
            #expect(got.out == [
                "exchange=\"\(exchange)\" routing-key=\"log.info\" redelivered=false messages-left=1 "
                    + "delivery-mode=\"2\" message-id=\"m1\" headers={attempt: 2, zip: \"02134\"}",
                "first",
            ])
            #expect(try await warren(url, ["get", "--requeue", queue]).out == ["second"])
            #expect(try await warren(url, ["consume", "--count", "1", queue]).out == ["second"])
            #expect(try await warren(url, ["get", queue]).status == 3)
            _ = try await warren(url, ["publish", "--routing-key", queue, "to purge"])
            #expect(try await warren(url, ["purge", queue]).out == ["purged 1 messages from \(queue)"])
            #expect(try await warren(url, ["unbind", "queue", queue, exchange, "log.*"]).status == 0)
            #expect(try await warren(url, ["delete", "queue", queue, "--if-empty"]).out
                == ["deleted queue \(queue) (0 messages)"])
            #expect(try await warren(url, ["delete", "exchange", exchange]).status == 0)
        }
    }

    @Test("broker errors exit 1 with the code and text; mistakes exit 2; list explains itself")
    func errors() async throws {
        try await withBrokerURL { url in
            let missing = uniqueName("missing")
            let passive = try await warren(url, ["declare", "queue", missing, "--passive"])
            #expect(passive.status == 1)
            #expect(passive.err == ["warren declare: channel closed by the broker: 404 NOT_FOUND - no queue '\(missing)' in vhost '/'"])
            let unroutable = try await warren(url, ["publish", "--mandatory", "--routing-key", missing, "x"])
            #expect(unroutable.status == 1)
            #expect(unroutable.err.first?.contains("312 NO_ROUTE") == true)
            let unknown = try await warren(url, ["publish", "--no-such-option"])
            #expect(unknown.status == 2)
            #expect(unknown.err.first == "warren publish: unknown option --no-such-option")
            let list = try await warren(url, ["list", "queues"])
            #expect(list.status == 2)
            #expect(list.err.first?.contains("HTTP management API") == true)
            let help = try await warren(url, ["consume", "--help"])
            #expect(help.status == 0)
            #expect(help.out.first?.hasPrefix("usage: warren consume") == true)
        }
    }

    @Test("consume prints messages as they arrive and exits 0 on Ctrl-C")
    func consumeUntilInterrupted() async throws {
        try await withBrokerURL { url in
            let queue = uniqueName("cli-consume")
            _ = try await warren(url, ["declare", "queue", queue, "--auto-delete"])
            let consumer = try ExampleProcess("warren", arguments: ["consume", queue, "--url", url])
            defer { consumer.kill() }
            try await Task.sleep(for: .milliseconds(500))
            _ = try await warren(url, ["publish", "--routing-key", queue, "one", "two"])
            try await consumer.waitForLines(2, "message bodies") { $0 == "one" || $0 == "two" }
            kill(Int32(consumer.processIdentifier), SIGINT)
            #expect(try await consumer.waitForExit(timeout: .seconds(10)) == 0, "\(consumer.transcript)")
            #expect(consumer.lines == ["one", "two"])
        }
    }
}
