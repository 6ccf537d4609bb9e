import AMQPProtocol
import Testing

@Suite struct FrameSplitterTests {
    /// A frame as the tests compare them: type, channel, payload bytes.
    struct Cut: Equatable, CustomStringConvertible {
        var type: FrameType
        var channel: UInt16
        var payload: [UInt8]
        var description: String { "\(type)@\(channel):\(hex(payload))" }
    }

    /// Six frames of different types, channels and sizes, back to back:
    /// basic.publish, its header, two body frames (one empty), a heartbeat,
    /// and basic.ack on another channel.
    static let frames: [Cut] = [
        Cut(type: .method, channel: 1, payload: [0x00, 0x3C, 0x00, 0x28, 0x00, 0x00, 0x00, 0x01, 0x71, 0x00]),
        Cut(type: .header, channel: 1, payload: [0x00, 0x3C, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0x00]),
        Cut(type: .body, channel: 1, payload: []),
        Cut(type: .body, channel: 1, payload: [0x61, 0x62, 0x63]),
        Cut(type: .heartbeat, channel: 0, payload: []),
        Cut(type: .method, channel: 0x0102, payload: [0x00, 0x3C, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00]),
    ]
    static let stream: [UInt8] = frames.flatMap { frameBytes(type: $0.type.rawValue, channel: $0.channel, payload: $0.payload) }

    // MARK: - Chunking

    @Test func wholeStreamInOneAppendGivesEveryFrame() throws {
        #expect(try split([Self.stream[...]]) == Self.frames)
    }

    @Test func streamSplitAtEveryIndexGivesTheSameFrames() throws {
        for index in 0...Self.stream.count {
            let chunks = [Self.stream[..<index], Self.stream[index...]]
            #expect(try split(chunks) == Self.frames, "split at \(index)")
        }
    }

    @Test func streamSplitAtEveryPairOfIndicesGivesTheSameFrames() throws {
        let count = Self.stream.count
        for first in 0...count {
            for second in first...count {
                let chunks = [Self.stream[..<first], Self.stream[first..<second], Self.stream[second...]]
                #expect(try split(chunks) == Self.frames, "split at \(first) and \(second)")
            }
        }
    }

    @Test func streamFedByteByByteGivesTheSameFrames() throws {
        let chunks = Self.stream.indices.map { Self.stream[$0...$0] }
        #expect(try split(chunks) == Self.frames)
    }

    @Test func decodingPartialFrameWaitsForMoreBytes() throws {
        let frame = frameBytes(type: 1, channel: 1, payload: [0x00, 0x14, 0x00, 0x0A, 0x00])
        var splitter = FrameSplitter()
        for byte in frame.dropLast() {
            splitter.append([byte])
            #expect(try splitter.next() == nil)
        }
        splitter.append([frame[frame.count - 1]])
        let raw = try #require(try splitter.next())
        #expect(Array(raw.payload) == [0x00, 0x14, 0x00, 0x0A, 0x00])
        #expect(splitter.bufferedByteCount == 0)
        #expect(try splitter.next() == nil)
    }

    @Test func readingFromTheSocketIntoTheBufferWorksLikeAppend() throws {
        var splitter = FrameSplitter()
        splitter.withAppendableBuffer { $0.append(contentsOf: Self.stream.prefix(20)) }
        splitter.withAppendableBuffer { $0.append(contentsOf: Self.stream.dropFirst(20)) }
        var cuts: [Cut] = []
        while let raw = try splitter.next() { cuts.append(Cut(raw)) }
        #expect(cuts == Self.frames)
    }

    @Test func aLongRunOfFramesKeepsNoConsumedBytes() throws {
        var splitter = FrameSplitter()
        for round in 0..<1_000 {
            splitter.append(Self.stream.prefix(round % Self.stream.count))
            splitter.append(Self.stream.dropFirst(round % Self.stream.count))
            var count = 0
            while try splitter.next() != nil { count += 1 }
            #expect(count == Self.frames.count)
            #expect(splitter.bufferedByteCount == 0)
        }
    }

    // MARK: - Size limit

    @Test func oversizeFrameIsRefusedFromItsHeaderBeforeThePayloadArrives() {
        var splitter = FrameSplitter(maximumFrameSize: 4096)
        splitter.append([0x03, 0x00, 0x01, 0x00, 0x00, 0x10, 0x01])  // body frame claiming 4097 bytes
        let error = amqpError { () throws(AMQPError) in try splitter.next() }
        #expect(error?.code == .frameError)
        #expect(error?.text.contains("exceeds frame_max 4096") == true)
        #expect(splitter.bufferedByteCount == frameHeaderSize)
    }

    @Test func sizeFieldNearUInt32MaxIsRefusedWithoutBuffering() {
        var splitter = FrameSplitter()
        splitter.append([0x01, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF])
        withAddressSpaceLimited {
            #expect(amqpError { () throws(AMQPError) in try splitter.next() }?.code == .frameError)
        }
    }

    @Test func payloadOfExactlyTheMaximumIsAccepted() throws {
        // Like RabbitMQ, the limit is on the payload: peers that forget the 8 framing bytes still work.
        var splitter = FrameSplitter(maximumFrameSize: 4096)
        splitter.append(frameBytes(type: 3, channel: 1, payload: [UInt8](repeating: 7, count: 4096)))
        #expect(try splitter.next()?.payload.count == 4096)
    }

    @Test func raisingTheMaximumAfterTuneOkAdmitsLargerFrames() throws {
        var splitter = FrameSplitter(maximumFrameSize: 4096)
        splitter.append(frameBytes(type: 3, channel: 1, payload: [UInt8](repeating: 7, count: 10_000)))
        splitter.maximumFrameSize = 131_072
        #expect(try splitter.next()?.payload.count == 10_000)
    }

    // MARK: - Malformed frames

    @Test func wrongFrameEndIsAFrameErrorAfterTheFramesBeforeIt() throws {
        var bytes = frameBytes(type: 8, channel: 0, payload: []) + frameBytes(type: 1, channel: 1, payload: [0, 0x14, 0, 0x0A, 0])
        bytes[bytes.count - 1] = 0xCD
        var splitter = FrameSplitter()
        splitter.append(bytes)
        #expect(try splitter.next()?.type == .heartbeat)
        let error = amqpError { () throws(AMQPError) in try splitter.next() }
        #expect(error?.code == .frameError)
        #expect(error?.text.contains("frame-end octet is 0xcd") == true)
    }

    @Test(arguments: [UInt8(0), 4, 5, 6, 7, 9, 0x41, 255])
    func unknownFrameTypeIsAFrameError(_ type: UInt8) {
        var splitter = FrameSplitter()
        splitter.append([type, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])  // the header alone is enough
        let error = amqpError { () throws(AMQPError) in try splitter.next() }
        #expect(error?.code == .frameError)
        #expect(error?.text.contains("unknown frame type \(type)") == true)
    }

    // MARK: - Protocol header

    @Test func matchingProtocolHeaderIsConsumedAndFramesFollow() throws {
        var splitter = FrameSplitter()
        splitter.append(protocolHeader + frameBytes(type: 8, channel: 0, payload: []))
        #expect(splitter.readProtocolHeader() == true)
        #expect(try splitter.next()?.type == .heartbeat)
    }

    @Test(arguments: [
        [UInt8]([0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09, 0x00]),  // AMQP 0-9-0
        [0x41, 0x4D, 0x51, 0x50, 0x01, 0x01, 0x00, 0x09],           // AMQP 0-9, RabbitMQ's other header
        [0x41, 0x4D, 0x51, 0x50, 0x03, 0x01, 0x00, 0x00],           // AMQP 1.0 SASL
        Array("GET / HT".utf8),
        [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01],           // TLS ClientHello
    ])
    func mismatchedProtocolHeaderIsRefusedAndNotConsumed(_ header: [UInt8]) {
        var splitter = FrameSplitter()
        splitter.append(header)
        #expect(splitter.readProtocolHeader() == false)
        #expect(splitter.bufferedByteCount == 8)
    }

    @Test func partialProtocolHeaderWaitsForAllEightBytes() {
        var splitter = FrameSplitter()
        for (index, byte) in protocolHeader.enumerated() {
            #expect(splitter.readProtocolHeader() == nil, "after \(index) bytes")
            splitter.append([byte])
        }
        #expect(splitter.readProtocolHeader() == true)
        #expect(splitter.bufferedByteCount == 0)
    }
}

extension FrameSplitterTests.Cut {
    init(_ raw: RawFrame) { self.init(type: raw.type, channel: raw.channel, payload: Array(raw.payload)) }
}

/// Feeds `chunks` one at a time, taking every frame ready after each.
private func split(_ chunks: [ArraySlice<UInt8>]) throws -> [FrameSplitterTests.Cut] {
    var splitter = FrameSplitter()
    var cuts: [FrameSplitterTests.Cut] = []
    for chunk in chunks {
        splitter.append(chunk)
        while let raw = try splitter.next() { cuts.append(.init(raw)) }
    }
    #expect(splitter.bufferedByteCount == 0)
    return cuts
}
