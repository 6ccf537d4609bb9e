import AMQPProtocol
import Glibc
import Testing
@testable import WarrenServer

/// §9 heartbeats: the server sends them when it has nothing else to say, and
/// drops a peer silent for two intervals, without connection.close.
@Suite struct HeartbeatTests {
    @Test func serverSendsHeartbeatsAndDropsASilentPeer() throws {
        try withBroker({ $0.heartbeat = 1 }) { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk()
            #expect(tune.heartbeat == 1)
            client.tuneOk(channelMax: tune.channelMax, frameMax: tune.frameMax, heartbeat: 1)
            try client.open()
            try client.nextHeartbeat(timeout: 5)
            // Now stay silent: dropped after about 2 s; allow plenty.
            let (bytes, closed) = client.readRawUntilClosed(timeout: 15)
            #expect(closed)
            let heartbeat = RawAMQPClient.frame(type: 8, channel: 0, payload: [])
            #expect(bytes.count % heartbeat.count == 0 && bytes.elementsEqual(
                Array(repeating: heartbeat, count: bytes.count / heartbeat.count).joined()),
                "only heartbeats before the drop, no connection.close")
        }
    }

    @Test func peerThatSendsHeartbeatsStaysConnected() throws {
        try withBroker({ $0.heartbeat = 1 }) { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk()
            client.tuneOk(channelMax: tune.channelMax, frameMax: tune.frameMax, heartbeat: 1)
            try client.open()
            for _ in 0..<10 {  // 3 s, longer than the 2 s after which a silent peer is dropped
                client.sendFrame(type: 8, channel: 0, payload: [])
                usleep(300_000)
            }
            try expectConnectionUsable(client, channel: 1)
        }
    }

    @Test func heartbeatZeroInTuneOkTurnsHeartbeatsOff() throws {
        try withBroker({ $0.heartbeat = 1 }) { broker in
            let client = try broker.openClient()  // tune-ok heartbeat 0
            usleep(2_500_000)
            try expectConnectionUsable(client, channel: 2)
            #expect(!client.unreadCommands.contains { if case .heartbeat = $0 { true } else { false } })
        }
    }
}
