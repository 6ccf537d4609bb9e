import AMQPProtocol
import Testing

@Suite struct FrameTests {
    // MARK: - Decoding

    @Test func heartbeatOnChannelZeroDecodes() throws {
        #expect(try Frame(RawFrame(type: .heartbeat, channel: 0, payload: [])) == .heartbeat)
    }

    @Test(arguments: [UInt16(1), 2047, .max])
    func heartbeatOnAnotherChannelIsUnexpectedFrame(_ channel: UInt16) {
        let error = amqpError { () throws(AMQPError) in try Frame(RawFrame(type: .heartbeat, channel: channel, payload: [])) }
        #expect(error?.code == .unexpectedFrame)
    }

    @Test func heartbeatWithAPayloadIsAFrameError() {
        let error = amqpError { () throws(AMQPError) in try Frame(RawFrame(type: .heartbeat, channel: 0, payload: [0])) }
        #expect(error?.code == .frameError)
    }

    @Test func methodFrameDecodesItsMethodOnItsChannel() throws {
        let payload: [UInt8] = [0x00, 0x3C, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0x07, 0x00]
        let frame = try Frame(RawFrame(type: .method, channel: 9, payload: payload[...]))
        #expect(frame == .method(channel: 9, .basicAck(BasicAck(deliveryTag: 7))))
        #expect(frame.channel == 9)
    }

    @Test func methodPayloadShorterThanFourOctetsIsAFrameError() {
        for payload in [[], [0x00], [0x00, 0x3C, 0x00]] as [[UInt8]] {
            let error = amqpError { () throws(AMQPError) in try Frame(RawFrame(type: .method, channel: 1, payload: payload[...])) }
            #expect(error?.code == .frameError)
        }
    }

    @Test func headerFrameDecodesItsContentHeader() throws {
        let payload: [UInt8] = [0x00, 0x3C, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x08, 0x00, 0x05]
        let frame = try Frame(RawFrame(type: .header, channel: 3, payload: payload[...]))
        #expect(frame == .header(channel: 3, ContentHeader(bodySize: 256, properties: .init(priority: 5))))
    }

    @Test func bodyFrameIsAViewOfThePayload() throws {
        let buffer: [UInt8] = [0xAA, 0x61, 0x62, 0xBB]
        let frame = try Frame(RawFrame(type: .body, channel: 4, payload: buffer[1..<3]))
        guard case .body(4, let bytes) = frame else {
            Issue.record("not a body frame: \(frame)")
            return
        }
        #expect(bytes.indices == 1..<3)
        #expect(Array(bytes) == [0x61, 0x62])
    }

    // MARK: - Encoding

    @Test func heartbeatIsEightFixedOctets() {
        var writer = ByteWriter()
        writer.writeHeartbeat()
        #expect(writer.bytes == [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xCE])
    }

    @Test func methodFrameHasItsSizePatchedIn() {
        var writer = ByteWriter()
        writer.writeMethodFrame(channel: 0x0102, .channelOpen(ChannelOpen()))
        #expect(writer.bytes == [0x01, 0x01, 0x02, 0, 0, 0, 5, 0x00, 0x14, 0x00, 0x0A, 0x00, 0xCE])
    }

    @Test(arguments: [
        (body: 0, bodyFrames: [Int]()),
        (body: 1, bodyFrames: [1]),
        (body: 4088, bodyFrames: [4088]),
        (body: 4089, bodyFrames: [4088, 1]),
        (body: 10_000, bodyFrames: [4088, 4088, 1824]),
    ])
    func writeContentSplitsTheBodyAtFrameMaxMinusEight(body: Int, bodyFrames: [Int]) throws {
        let bodyBytes = (0..<body).map { UInt8(truncatingIfNeeded: $0) }
        let publish = Method.basicPublish(BasicPublish(routingKey: "k"))
        var writer = ByteWriter()
        writer.writeContent(channel: 5, publish, properties: .init(deliveryMode: 2), body: bodyBytes, frameMax: 4096)

        var splitter = FrameSplitter(maximumFrameSize: 4096 - frameOverhead)
        splitter.append(writer.bytes)
        var frames: [Frame] = []
        while let raw = try splitter.next() { frames.append(try Frame(raw)) }

        #expect(frames.count == 2 + bodyFrames.count)
        #expect(frames.first == .method(channel: 5, publish))
        #expect(frames.dropFirst().first == .header(channel: 5, ContentHeader(bodySize: UInt64(body), properties: .init(deliveryMode: 2))))
        var joined: [UInt8] = []
        var sizes: [Int] = []
        for case .body(5, let bytes) in frames.dropFirst(2) {
            sizes.append(bytes.count)
            joined += bytes
        }
        #expect(sizes == bodyFrames)
        #expect(joined == bodyBytes)
    }

    @Test func writeContentTakesASliceOfALargerBuffer() throws {
        let buffer = [UInt8](repeating: 0x11, count: 10) + [UInt8](repeating: 0x22, count: 5)
        var writer = ByteWriter()
        writer.writeContent(channel: 1, .basicPublish(BasicPublish()), properties: .none, body: buffer[10...], frameMax: 4096)
        #expect(Array(writer.bytes.suffix(13)) == [0x03, 0x00, 0x01, 0, 0, 0, 5, 0x22, 0x22, 0x22, 0x22, 0x22, 0xCE])
    }

    @Test(arguments: [
        Frame.heartbeat,
        .method(channel: 0, .connectionTuneOk(ConnectionTuneOk(channelMax: 2047, frameMax: 131_072, heartbeat: 60))),
        .header(channel: 7, ContentHeader(bodySize: 3, properties: .init(contentType: "a/b", headers: ["x": .void]))),
        .body(channel: 7, [1, 2, 3]),
        .body(channel: 7, []),
    ])
    func everyKindOfFrameRoundTrips(_ frame: Frame) throws {
        var writer = ByteWriter()
        writer.writeFrame(frame)
        var splitter = FrameSplitter()
        splitter.append(writer.bytes)
        let raw = try #require(try splitter.next())
        #expect(try Frame(raw) == frame)
        #expect(splitter.bufferedByteCount == 0)
    }
}
