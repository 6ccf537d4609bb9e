import AMQPProtocol
import Testing
@testable import WarrenServer

/// `Server.stop()`: every client hears 320 CONNECTION_FORCED, then its socket closes.
@Suite struct ShutdownTests {
    @Test func stopSendsConnectionForcedToEveryClientAndClosesTheSockets() throws {
        let broker = try TestBroker()
        let first = try broker.openClient()
        let second = try broker.openClient()
        try second.openChannel(2)
        broker.server.stop()
        for client in [first, second, broker.bystander.client] {
            let close = try client.expectConnectionClose(answer: false)
            #expect(close.replyCode == 320)
            #expect(close.replyText == "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'")
            #expect(client.waitUntilClosedByServer(timeout: 5))
        }
    }

    @Test func stopClosesConnectionsStillInTheHandshake() throws {
        let broker = try TestBroker()
        let client = try broker.client()
        try client.start()
        broker.server.stop()
        #expect(client.waitUntilClosedByServer(timeout: 5))
    }

    @Test func stopTwiceIsHarmlessAndTheListenerIsGone() throws {
        let broker = try TestBroker()
        let port = broker.port
        broker.server.stop()
        broker.server.stop()
        #expect(throws: SystemError.self) { _ = try TCPSocket.connect(host: "127.0.0.1", port: UInt16(port)) }
    }
}
