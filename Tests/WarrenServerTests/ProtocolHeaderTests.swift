import AMQPProtocol
import Glibc
import Testing
@testable import WarrenServer

/// §1.2 and §1.4: what the server does with the first eight octets, and with
/// a peer that never finishes the handshake.
@Suite struct ProtocolHeaderTests {
    static let foreignHeaders: [[UInt8]] = [
        Array("AMQP".utf8) + [0, 0, 9, 0],            // 0-9-0
        Array("AMQP".utf8) + [1, 1, 0, 9],            // 0-9 as RabbitMQ also accepts it
        Array("AMQP".utf8) + [3, 1, 0, 0],            // AMQP 1.0 SASL
        Array("GET / HTTP/1.1\r\n\r\n".utf8),
        [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03],  // a TLS ClientHello
    ]

    @Test(arguments: foreignHeaders)
    func foreignProtocolHeaderIsAnsweredWithWarrensHeaderThenClosed(header: [UInt8]) throws {
        try withBroker { broker in
            let client = try broker.client()
            client.sendBytes(header)
            let (bytes, closed) = client.readRawUntilClosed(timeout: 5)
            #expect(bytes == protocolHeader)
            #expect(closed)
        }
    }

    @Test func protocolHeaderSentOneOctetAtATimeIsAccepted() throws {
        try withBroker { broker in
            let client = try broker.client()
            for octet in protocolHeader {
                client.sendBytes([octet])
                usleep(2_000)
            }
            guard case .connectionStart(let start) = try client.nextMethod() else {
                Issue.record("no connection.start")
                return
            }
            #expect(start.versionMajor == 0 && start.versionMinor == 9)
            #expect(start.mechanisms == Array("PLAIN AMQPLAIN".utf8))
            #expect(start.locales == Array("en_US".utf8))
        }
    }

    @Test func partialHeaderThenSilenceIsClosedByTheHandshakeTimeout() throws {
        try withBroker({ $0.handshakeTimeoutSeconds = 1 }) { broker in
            let client = try broker.client()
            client.sendBytes(Array("AMQ".utf8))
            let (bytes, closed) = client.readRawUntilClosed(timeout: 10)
            #expect(closed)
            #expect(bytes.isEmpty, "nothing is sent before a header is agreed")
        }
    }

    @Test func handshakeStalledAfterStartIsClosedByTheTimeoutWithoutAFrame() throws {
        try withBroker({ $0.handshakeTimeoutSeconds = 1 }) { broker in
            let client = try broker.client()
            try client.start()
            let (bytes, closed) = client.readRawUntilClosed(timeout: 10)
            #expect(closed)
            #expect(bytes.isEmpty)
        }
    }

    @Test func handshakeTimeoutStopsOnceTheConnectionIsOpen() throws {
        try withBroker({ $0.handshakeTimeoutSeconds = 1 }) { broker in
            let client = try broker.openClient()
            usleep(1_500_000)
            try expectConnectionUsable(client, channel: 2)
        }
    }
}
