/// The 14 properties a message carries in its content header (class basic).
///
/// Each is optional: a property is on the wire only when its flag bit is set.
public struct BasicProperties: Hashable, Sendable {
    public var contentType: String?
    public var contentEncoding: String?
    public var headers: FieldTable?
    /// 1 = transient, 2 = persistent.
    public var deliveryMode: UInt8?
    public var priority: UInt8?
    public var correlationID: String?
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as a decimal string.
    public var expiration: String?
    public var messageID: String?
    public var timestamp: UInt64?
    public var type: String?
    public var userID: String?
    public var appID: String?
    /// Deprecated in 0-9-1; carried through unchanged.
    public var clusterID: String?

    public init(
        contentType: String? = nil, contentEncoding: String? = nil, headers: FieldTable? = nil,
        deliveryMode: UInt8? = nil, priority: UInt8? = nil, correlationID: String? = nil,
        replyTo: String? = nil, expiration: String? = nil, messageID: String? = nil,
        timestamp: UInt64? = nil, type: String? = nil, userID: String? = nil,
        appID: String? = nil, clusterID: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
        self.clusterID = clusterID
    }

    public static let none = BasicProperties()

    public var isPersistent: Bool { deliveryMode == 2 }

    /// Flag bits, most significant first, as the property list is ordered.
    enum Flag {
        static let contentType: UInt16 = 1 << 15
        static let contentEncoding: UInt16 = 1 << 14
        static let headers: UInt16 = 1 << 13
        static let deliveryMode: UInt16 = 1 << 12
        static let priority: UInt16 = 1 << 11
        static let correlationID: UInt16 = 1 << 10
        static let replyTo: UInt16 = 1 << 9
        static let expiration: UInt16 = 1 << 8
        static let messageID: UInt16 = 1 << 7
        static let timestamp: UInt16 = 1 << 6
        static let type: UInt16 = 1 << 5
        static let userID: UInt16 = 1 << 4
        static let appID: UInt16 = 1 << 3
        static let clusterID: UInt16 = 1 << 2
        /// Bits 1 and 0 (reserved and continuation) are never valid for class basic.
        static let invalid: UInt16 = 0b11
    }

    var flags: UInt16 {
        var flags: UInt16 = 0
        if contentType != nil { flags |= Flag.contentType }
        if contentEncoding != nil { flags |= Flag.contentEncoding }
        if headers != nil { flags |= Flag.headers }
        if deliveryMode != nil { flags |= Flag.deliveryMode }
        if priority != nil { flags |= Flag.priority }
        if correlationID != nil { flags |= Flag.correlationID }
        if replyTo != nil { flags |= Flag.replyTo }
        if expiration != nil { flags |= Flag.expiration }
        if messageID != nil { flags |= Flag.messageID }
        if timestamp != nil { flags |= Flag.timestamp }
        if type != nil { flags |= Flag.type }
        if userID != nil { flags |= Flag.userID }
        if appID != nil { flags |= Flag.appID }
        if clusterID != nil { flags |= Flag.clusterID }
        return flags
    }
}

extension ByteReader {
    /// Reads the property flags and the property list that follows them.
    public mutating func readBasicProperties() throws(AMQPError) -> BasicProperties {
        let flags = try readUInt16()
        guard flags & BasicProperties.Flag.invalid == 0 else {
            throw .frameError("invalid property flags 0x\(String(flags, radix: 16))")
        }
        typealias Flag = BasicProperties.Flag
        var p = BasicProperties()
        if flags & Flag.contentType != 0 { p.contentType = try readShortString() }
        if flags & Flag.contentEncoding != 0 { p.contentEncoding = try readShortString() }
        if flags & Flag.headers != 0 { p.headers = try readFieldTable() }
        if flags & Flag.deliveryMode != 0 { p.deliveryMode = try readUInt8() }
        if flags & Flag.priority != 0 { p.priority = try readUInt8() }
        if flags & Flag.correlationID != 0 { p.correlationID = try readShortString() }
        if flags & Flag.replyTo != 0 { p.replyTo = try readShortString() }
        if flags & Flag.expiration != 0 { p.expiration = try readShortString() }
        if flags & Flag.messageID != 0 { p.messageID = try readShortString() }
        if flags & Flag.timestamp != 0 { p.timestamp = try readUInt64() }
        if flags & Flag.type != 0 { p.type = try readShortString() }
        if flags & Flag.userID != 0 { p.userID = try readShortString() }
        if flags & Flag.appID != 0 { p.appID = try readShortString() }
        if flags & Flag.clusterID != 0 { p.clusterID = try readShortString() }
        return p
    }
}

extension ByteWriter {
    public mutating func writeBasicProperties(_ p: BasicProperties) {
        writeUInt16(p.flags)
        if let v = p.contentType { writeShortString(v) }
        if let v = p.contentEncoding { writeShortString(v) }
        if let v = p.headers { writeFieldTable(v) }
        if let v = p.deliveryMode { writeUInt8(v) }
        if let v = p.priority { writeUInt8(v) }
        if let v = p.correlationID { writeShortString(v) }
        if let v = p.replyTo { writeShortString(v) }
        if let v = p.expiration { writeShortString(v) }
        if let v = p.messageID { writeShortString(v) }
        if let v = p.timestamp { writeUInt64(v) }
        if let v = p.type { writeShortString(v) }
        if let v = p.userID { writeShortString(v) }
        if let v = p.appID { writeShortString(v) }
        if let v = p.clusterID { writeShortString(v) }
    }
}

/// The payload of a content header frame.
public struct ContentHeader: Hashable, Sendable {
    public var classID: UInt16
    /// Unused by 0-9-1; always 0 on the wire from well-behaved peers.
    public var weight: UInt16
    public var bodySize: UInt64
    public var properties: BasicProperties

    public init(classID: UInt16 = 60, weight: UInt16 = 0, bodySize: UInt64, properties: BasicProperties) {
        self.classID = classID
        self.weight = weight
        self.bodySize = bodySize
        self.properties = properties
    }

    public init(from reader: inout ByteReader) throws(AMQPError) {
        classID = try reader.readUInt16()
        weight = try reader.readUInt16()
        bodySize = try reader.readUInt64()
        properties = try reader.readBasicProperties()
        guard reader.isAtEnd else { throw .frameError("content header has trailing bytes") }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(classID)
        writer.writeUInt16(weight)
        writer.writeUInt64(bodySize)
        writer.writeBasicProperties(properties)
    }
}
