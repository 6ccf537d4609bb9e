import Foundation
import Testing
@testable import WarrenClient

@Suite("connections", .timeLimit(.minutes(2)))
struct ConnectionTests {
    @Test("connect, open channels, close: the broker's properties and tuning are known")
    func connectAndClose() async throws {
        try await withBrokerURL { url in
            let connection = try await Connection.connect(to: url)
            #expect(connection.isOpen)
            #expect(connection.serverProperties["product"]?.stringValue != nil)
            #expect(connection.tuning.frameMax >= 4096)
            let first = try await connection.openChannel()
            let second = try await connection.openChannel()
            #expect(first.id != second.id)
            await first.close()
            #expect(!first.isOpen)
            #expect(first.closeReason == .closedByApplication)
            await connection.close()
            #expect(!connection.isOpen)
            #expect(!second.isOpen)
            await #expect(throws: ClientError.closedByApplication) { try await connection.openChannel() }
            await #expect(throws: ClientError.closedByApplication) { try await second.declareQueue() }
            await connection.close()  // a second close returns at once
        }
    }

    @Test("a closed channel's number is reused")
    func channelNumbersAreReused() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let id = channel.id
            await channel.close()
            #expect(try await connection.openChannel().id == id)
        }
    }

    @Test("wrong password: the broker refuses with 403 ACCESS_REFUSED")
    func wrongPasswordIsRefused() async throws {
        try await withBrokerURL { url in
            var configuration = try ConnectionConfiguration(url: url)
            configuration.password = "not-the-password"
            let error = await clientError { _ = try await Connection.connect(configuration) }
            #expect(error?.closeReason?.code == .accessRefused)
            #expect(error?.closeReason?.text.hasPrefix("ACCESS_REFUSED") == true)
        }
    }

    @Test("an unknown vhost: 530 NOT_ALLOWED with the broker's text")
    func unknownVirtualHostIsRefused() async throws {
        try await withBrokerURL { url in
            var configuration = try ConnectionConfiguration(url: url)
            configuration.virtualHost = "no-such-vhost-\(UUID().uuidString.prefix(6))"
            let error = await clientError { _ = try await Connection.connect(configuration) }
            #expect(error?.closeReason?.code == .notAllowed)
            #expect(error?.closeReason?.text == "NOT_ALLOWED - vhost \(configuration.virtualHost) not found")
        }
    }

    @Test("nothing listening: connectFailed")
    func nothingListening() async throws {
        let error = await clientError { _ = try await Connection.connect(to: "amqp://127.0.0.1:1/") }
        guard case .connectFailed? = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
    }

    @Test("heartbeat=1 is negotiated and keeps an idle connection alive")
    func heartbeatsKeepIdleConnectionAlive() async throws {
        try await withConnection(query: "?heartbeat=1") { connection in
            #expect(connection.tuning.heartbeat == 1)
            let channel = try await connection.openChannel()
            try await Task.sleep(for: .seconds(4))  // broker drops us after ~2 s of silence otherwise
            #expect(connection.isOpen)
            let queue = try await channel.declareQueue(exclusive: true)
            #expect(queue.name.hasPrefix("amq.gen-"))
        }
    }

    @Test("a silent broker is a dead connection after two heartbeat intervals")
    func silentBrokerIsDetected() async throws {
        let silent = try SilentBroker()
        let task = Task { try await Connection.connect(to: "amqp://guest:guest@127.0.0.1:\(silent.port)/?heartbeat=1") }
        let connection = try await task.value
        let ending = try await within(.seconds(10), "the connection to end") { () -> ClientError? in
            for await event in connection.events {
                if case .closed(let error) = event { return error }
            }
            return nil
        }
        guard case .connectionLost(let detail)? = ending else {
            Issue.record("expected connectionLost, got \(String(describing: ending))")
            return
        }
        #expect(detail.contains("heartbeat"))
        silent.stop()
    }

    @Test("a hard error from the broker ends the connection with its code and text")
    func brokerClosesConnection() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            // A second channel.open on an open channel is 504 CHANNEL_ERROR, a connection error.
            try connection.writer.writeMethod(channel: channel.id, .channelOpen(ChannelOpen()))
            let ending = try await within(.seconds(10), "connection.close") { () -> ClientError? in
                for await event in connection.events {
                    if case .closed(let error) = event { return error }
                }
                return nil
            }
            #expect(ending?.closeReason?.code == .channelError)
            #expect(connection.closeReason == ending)
            #expect(channel.closeReason == ending)
            await #expect(throws: try #require(ending)) { try await channel.declareQueue() }
        }
    }
}
