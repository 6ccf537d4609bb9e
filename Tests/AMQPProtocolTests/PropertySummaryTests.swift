import AMQPProtocol
import Testing

/// `readPropertySummary()` accepts and refuses exactly what `readBasicProperties()`
/// does, and reads the same values, without decoding the list.
@Suite struct PropertySummaryTests {
    static let full = BasicProperties(contentType: "text/plain", contentEncoding: "gzip", headers: ["k": .string("v")],
                                      deliveryMode: 2, priority: 5, correlationID: "c", replyTo: "r", expiration: "60000",
                                      messageID: "m-1", timestamp: 12, type: "t", userID: "guest", appID: "a", clusterID: "x")

    @Test(arguments: [BasicProperties.none, full, BasicProperties(deliveryMode: 1), BasicProperties(priority: 3, expiration: "5"),
                      BasicProperties(contentType: "application/json", timestamp: 9, clusterID: "c")])
    func summaryAgreesWithTheDecodedProperties(_ properties: BasicProperties) throws {
        var writer = ByteWriter(capacity: 0)
        writer.writeBasicProperties(properties)
        var reader = ByteReader(writer.bytes)
        let summary = try reader.readPropertySummary()
        #expect(reader.isAtEnd)
        #expect(summary.deliveryMode == properties.deliveryMode)
        #expect(summary.priority == properties.priority)
        #expect(summary.expiration == properties.expiration)
        #expect(summary.hasMessageID == (properties.messageID != nil))
        // The offset is where message-id starts: the list without it, up to there, is a prefix.
        var withoutID = properties
        withoutID.messageID = nil
        var shorter = ByteWriter(capacity: 0)
        shorter.writeBasicProperties(withoutID)
        #expect(Array(writer.bytes[2..<summary.messageIDOffset]) == Array(shorter.bytes[2..<summary.messageIDOffset]))
    }

    /// Every truncation and every flag word of a full list: both readers throw the same
    /// error, or both succeed.
    @Test func refusesExactlyWhatTheDecoderRefuses() {
        var writer = ByteWriter(capacity: 0)
        writer.writeBasicProperties(Self.full)
        var inputs = (0..<writer.bytes.count).map { Array(writer.bytes.prefix($0)) }
        for flags in stride(from: 0, through: 0xFFFF, by: 7) {
            var bytes = writer.bytes
            bytes[0] = UInt8(flags >> 8)
            bytes[1] = UInt8(flags & 0xFF)
            inputs.append(bytes)
        }
        var corruptTable = writer.bytes
        corruptTable[2 + 11 + 5 + 4 + 1 + 1] = UInt8(ascii: "?")  // the headers table's first value tag
        inputs.append(corruptTable)
        for input in inputs {
            var decoding = ByteReader(input)
            var summarizing = ByteReader(input)
            let decoded = Result { () throws(AMQPError) in try decoding.readBasicProperties() }
            let summarized = Result { () throws(AMQPError) in try summarizing.readPropertySummary() }
            switch (decoded, summarized) {
            case (.success, .success):
                #expect(decoding.index == summarizing.index)
            case (.failure(let expected), .failure(let actual)):
                #expect(expected == actual)
            default:
                Issue.record("decoder and summary disagree on \(input)")
            }
        }
    }
}
