import AMQPProtocol
import Testing

@Suite struct BasicPropertiesTests {
    /// One property set on its own: its flag bit (README §5.1), a value, and
    /// that value's bytes written by hand.
    struct Single: Sendable, CustomTestStringConvertible {
        var name: String
        var bit: Int
        var properties: BasicProperties
        var valueBytes: [UInt8]
        var testDescription: String { "\(name) (bit \(bit))" }
    }

    static let eachProperty: [Single] = [
        Single(name: "content-type", bit: 15, properties: .init(contentType: "text/plain"),
               valueBytes: [10] + Array("text/plain".utf8)),
        Single(name: "content-encoding", bit: 14, properties: .init(contentEncoding: "gzip"),
               valueBytes: [4] + Array("gzip".utf8)),
        Single(name: "headers", bit: 13, properties: .init(headers: ["a": .int8(1)]),
               valueBytes: [0, 0, 0, 4, 0x01, 0x61, 0x62, 0x01]),
        Single(name: "delivery-mode", bit: 12, properties: .init(deliveryMode: 2), valueBytes: [0x02]),
        Single(name: "priority", bit: 11, properties: .init(priority: 9), valueBytes: [0x09]),
        Single(name: "correlation-id", bit: 10, properties: .init(correlationID: "c-1"),
               valueBytes: [3] + Array("c-1".utf8)),
        Single(name: "reply-to", bit: 9, properties: .init(replyTo: "amq.rabbitmq.reply-to"),
               valueBytes: [21] + Array("amq.rabbitmq.reply-to".utf8)),
        Single(name: "expiration", bit: 8, properties: .init(expiration: "60000"),
               valueBytes: [5] + Array("60000".utf8)),
        Single(name: "message-id", bit: 7, properties: .init(messageID: "m"), valueBytes: [1, 0x6D]),
        Single(name: "timestamp", bit: 6, properties: .init(timestamp: 0x0102_0304_0506_0708),
               valueBytes: [1, 2, 3, 4, 5, 6, 7, 8]),
        Single(name: "type", bit: 5, properties: .init(type: "order.created"),
               valueBytes: [13] + Array("order.created".utf8)),
        Single(name: "user-id", bit: 4, properties: .init(userID: "guest"), valueBytes: [5] + Array("guest".utf8)),
        Single(name: "app-id", bit: 3, properties: .init(appID: "warren"), valueBytes: [6] + Array("warren".utf8)),
        Single(name: "cluster-id", bit: 2, properties: .init(clusterID: ""), valueBytes: [0]),
    ]

    @Test(arguments: eachProperty)
    func eachPropertyIsCarriedUnderItsOwnFlagBit(_ single: Single) throws {
        let flags = UInt16(1) << single.bit
        let expected = [UInt8(flags >> 8), UInt8(flags & 0xFF)] + single.valueBytes

        var writer = ByteWriter()
        writer.writeBasicProperties(single.properties)
        #expect(writer.bytes == expected)

        var reader = ByteReader(expected)
        #expect(try reader.readBasicProperties() == single.properties)
        #expect(reader.isAtEnd)
    }

    @Test func allFourteenPropertiesTogetherFollowTheFlagOrder() throws {
        var all = BasicProperties()
        for single in Self.eachProperty { all = merging(all, single.properties) }
        // Flags 0xFFFC: bits 15…2 set, then the values in bit order, highest first.
        let expected = [UInt8(0xFF), 0xFC] + Self.eachProperty.flatMap(\.valueBytes)

        var writer = ByteWriter()
        writer.writeBasicProperties(all)
        #expect(writer.bytes == expected)

        var reader = ByteReader(expected)
        let decoded = try reader.readBasicProperties()
        #expect(decoded == all)
        #expect(decoded.isPersistent)
        #expect(reader.isAtEnd)
    }

    @Test func noPropertiesAreTwoZeroOctets() throws {
        var writer = ByteWriter()
        writer.writeBasicProperties(.none)
        #expect(writer.bytes == [0, 0])
        var reader = ByteReader([0, 0])
        #expect(try reader.readBasicProperties() == .none)
    }

    @Test(arguments: [UInt16(0x0001), 0x0002, 0x0003, 0x8001, 0xFFFF])
    func reservedFlagBitsZeroAndOneAreAFrameError(_ flags: UInt16) {
        // Enough bytes follow that only the flags can be at fault.
        var reader = ByteReader([UInt8(flags >> 8), UInt8(flags & 0xFF)] + [UInt8](repeating: 0, count: 64))
        let error = amqpError { () throws(AMQPError) in try reader.readBasicProperties() }
        #expect(error?.code == .frameError)
        #expect(error?.text.contains("invalid property flags") == true)
    }

    @Test(arguments: eachProperty)
    func aFlaggedPropertyWithItsValueCutShortIsAFrameError(_ single: Single) {
        let flags = UInt16(1) << single.bit
        let cut = [UInt8(flags >> 8), UInt8(flags & 0xFF)] + single.valueBytes.dropLast()
        var reader = ByteReader(cut)
        let error = amqpError { () throws(AMQPError) in try reader.readBasicProperties() }
        // cluster-id "" is one length octet; dropping it leaves nothing to read.
        #expect(error?.code == .frameError, "\(single.name)")
    }

    // MARK: - Content header

    @Test func contentHeaderDecodesFromHandWrittenBytes() throws {
        // class 60, weight 0, body size 5, flags: content-type + delivery-mode.
        let bytes: [UInt8] = [0x00, 0x3C, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x90, 0x00,
                              0x04, 0x74, 0x65, 0x78, 0x74, 0x01]
        var reader = ByteReader(bytes)
        let header = try ContentHeader(from: &reader)
        #expect(header == ContentHeader(bodySize: 5, properties: .init(contentType: "text", deliveryMode: 1)))
        var writer = ByteWriter()
        header.encode(to: &writer)
        #expect(writer.bytes == bytes)
    }

    @Test func contentHeaderWithTrailingBytesIsAFrameError() {
        var reader = ByteReader([0x00, 0x3C, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x00, 0x00, 0xAA])
        let error = amqpError { () throws(AMQPError) in try ContentHeader(from: &reader) }
        #expect(error?.code == .frameError)
        #expect(error?.text == "FRAME_ERROR - content header has trailing bytes")
    }

    @Test func contentHeaderShorterThanFourteenOctetsIsAFrameError() {
        let whole: [UInt8] = [0x00, 0x3C, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x00, 0x00]
        for length in 0..<whole.count {
            var reader = ByteReader(Array(whole.prefix(length)))
            #expect(amqpError { () throws(AMQPError) in try ContentHeader(from: &reader) }?.code == .frameError)
        }
    }
}

/// `base` with every property `extra` sets.
private func merging(_ base: BasicProperties, _ extra: BasicProperties) -> BasicProperties {
    var p = base
    p.contentType = extra.contentType ?? p.contentType
    p.contentEncoding = extra.contentEncoding ?? p.contentEncoding
    p.headers = extra.headers ?? p.headers
    p.deliveryMode = extra.deliveryMode ?? p.deliveryMode
    p.priority = extra.priority ?? p.priority
    p.correlationID = extra.correlationID ?? p.correlationID
    p.replyTo = extra.replyTo ?? p.replyTo
    p.expiration = extra.expiration ?? p.expiration
    p.messageID = extra.messageID ?? p.messageID
    p.timestamp = extra.timestamp ?? p.timestamp
    p.type = extra.type ?? p.type
    p.userID = extra.userID ?? p.userID
    p.appID = extra.appID ?? p.appID
    p.clusterID = extra.clusterID ?? p.clusterID
    return p
}
