import Testing
@testable import WarrenClient

@Suite("tune negotiation")
struct HandshakeTests {
    private func negotiate(_ tune: ConnectionTune, _ url: String) throws -> ConnectionTuning {
        Handshake.negotiate(tune, with: try ConnectionConfiguration(url: url))
    }

    @Test("without preferences the broker's proposal is taken")
    func brokerProposalIsTaken() throws {
        let tuning = try negotiate(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60), "amqp://h/")
        #expect(tuning == ConnectionTuning(channelMax: 2047, frameMax: 131_072, heartbeat: 60))
    }

    @Test("the client may lower channel-max and frame-max, never raise them")
    func clientLowersLimits() throws {
        let tune = ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60)
        let lower = try negotiate(tune, "amqp://h/?channel_max=10&frame_max=8192")
        #expect(lower.channelMax == 10)
        #expect(lower.frameMax == 8192)
        let higher = try negotiate(tune, "amqp://h/?channel_max=5000&frame_max=1000000")
        #expect(higher.channelMax == 2047)
        #expect(higher.frameMax == 131_072)
    }

    @Test("0 from the broker means no limit; frame-max never drops below 4096")
    func zeroMeansUnlimited() throws {
        let unlimited = try negotiate(ConnectionTune(channelMax: 0, frameMax: 0, heartbeat: 0), "amqp://h/")
        #expect(unlimited.channelMax == UInt16.max)
        #expect(unlimited.frameMax == 131_072)
        let tiny = try negotiate(ConnectionTune(channelMax: 0, frameMax: 0, heartbeat: 0), "amqp://h/?frame_max=100")
        #expect(tiny.frameMax == 4096)
    }

    @Test("the URL's heartbeat wins, 0 included (as in pika)")
    func heartbeatFromURL() throws {
        let tune = ConnectionTune(channelMax: 0, frameMax: 0, heartbeat: 60)
        #expect(try negotiate(tune, "amqp://h/?heartbeat=5").heartbeat == 5)
        #expect(try negotiate(tune, "amqp://h/?heartbeat=0").heartbeat == 0)
        #expect(try negotiate(tune, "amqp://h/").heartbeat == 60)
    }
}
