/// What a broker needs from a content header's property list, read without decoding
/// it: the list itself stays in its wire form, to be stored and delivered as is.
///
/// Reading a summary checks the list exactly as `readBasicProperties()` does (the same
/// errors for bad flags, truncation and malformed header tables), but allocates only
/// for a `headers` table and an `expiration`.
public struct PropertySummary: Sendable, Equatable {
    public var flags: UInt16 = 0
    public var deliveryMode: UInt8?
    public var priority: UInt8?
    public var expiration: String?
    /// Where a message-id sits in the list, or would be inserted when absent.
    public var messageIDOffset = 2

    public var hasMessageID: Bool { flags & BasicProperties.Flag.messageID != 0 }
    public var isPersistent: Bool { deliveryMode == 2 }

    public init() {}
}

extension ByteReader {
    /// Reads a property list (flags, then the fields they announce), keeping what
    /// `PropertySummary` holds. The reader starts at the flags; offsets are from there.
    public mutating func readPropertySummary() throws(AMQPError) -> PropertySummary {
        typealias Flag = BasicProperties.Flag
        let start = index
        var summary = PropertySummary()
        let flags = try readUInt16()
        guard flags & Flag.invalid == 0 else {
            throw .frameError("invalid property flags 0x\(String(flags, radix: 16))")
        }
        summary.flags = flags
        if flags & Flag.contentType != 0 { try skipShortString() }
        if flags & Flag.contentEncoding != 0 { try skipShortString() }
        if flags & Flag.headers != 0 { _ = try readFieldTable() }
        if flags & Flag.deliveryMode != 0 { summary.deliveryMode = try readUInt8() }
        if flags & Flag.priority != 0 { summary.priority = try readUInt8() }
        if flags & Flag.correlationID != 0 { try skipShortString() }
        if flags & Flag.replyTo != 0 { try skipShortString() }
        if flags & Flag.expiration != 0 { summary.expiration = try readShortString() }
        summary.messageIDOffset = index - start
        if flags & Flag.messageID != 0 { try skipShortString() }
        if flags & Flag.timestamp != 0 { _ = try readUInt64() }
        if flags & Flag.type != 0 { try skipShortString() }
        if flags & Flag.userID != 0 { try skipShortString() }
        if flags & Flag.appID != 0 { try skipShortString() }
        if flags & Flag.clusterID != 0 { try skipShortString() }
        return summary
    }
}
