import AMQPProtocol

/// The `expiration` property: a per-message TTL in milliseconds, written as
/// a decimal string.
///
/// Parsed as RabbitMQ parses it (rabbit_basic:parse_expiration, which uses
/// Erlang's `string:to_integer`): an optional sign, then ASCII digits, and
/// nothing after them; 0 through ten years.
enum Expiration {
    /// The TTL in milliseconds, or why the string is not one.
    static func parse<Bytes: Collection<UInt8>>(_ text: Bytes) -> Result<UInt64, ErlangReason> {
        var index = text.startIndex
        var isNegative = false
        if index < text.endIndex, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            isNegative = text[index] == UInt8(ascii: "-")
            index = text.index(after: index)
        }
        let digitsStart = index
        var digits: [UInt8] = []
        var value: UInt64 = 0
        while index < text.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) {
            let digit = text[index] - UInt8(ascii: "0")
            if !digits.isEmpty || digit != 0 { digits.append(digit) }
            if digits.count <= 18 { value = value * 10 + UInt64(digit) }
            index = text.index(after: index)
        }
        guard index > digitsStart else { return .failure(.atom("no_integer")) }
        guard index == text.endIndex else { return .failure(.taggedString("leftover_string", Array(text[index...]))) }
        let decimal = digits.isEmpty ? "0" : String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        if isNegative, !digits.isEmpty { return .failure(.tagged("value_negative", integer: "-" + decimal)) }
        guard digits.count <= 12, value <= QueueSettings.maximumExpiry else {
            return .failure(.tagged("value_too_large", integer: decimal))
        }
        return .success(value)
    }

    /// Checks a publish's `expiration`: 406 `invalid expiration 'abc': no_integer`.
    static func validate(_ expiration: String) throws(AMQPError) {
        if case .failure(let reason) = parse(expiration.utf8) {
            let prefix = "invalid expiration '\(expiration)': "
            throw AMQPError(.preconditionFailed, prefix + reason.rendered(column: prefix.unicodeScalars.count,
                                                                           lineLength: 80))
        }
    }
}

extension Message {
    /// Whether the `expiration` property is set: one load of the property
    /// flags, cheap enough for the publish path.
    @inline(__always)
    var hasExpiration: Bool {
        withUnsafeMutablePointerToHeader { $0.pointee.propertiesCount } >= 2
            && withEncodedProperties { $0[0] & 0x01 != 0 }
    }

    /// The per-message TTL in ms, if the `expiration` property holds a valid
    /// one (publishes with an invalid one are refused). Walks the encoded
    /// property list up to it without allocating.
    var expirationTTL: UInt64? {
        guard hasExpiration else { return nil }
        return withEncodedProperties { bytes -> UInt64? in
            var reader = PropertyScanner(bytes: bytes)
            guard let value = reader.expiration() else { return nil }
            return try? Expiration.parse(value).get()
        }
    }
}

/// Finds the `expiration` bytes in an encoded basic property list.
private struct PropertyScanner {
    let bytes: UnsafeRawBufferPointer
    var offset = 2

    mutating func expiration() -> UnsafeRawBufferPointer.SubSequence? {
        guard bytes.count >= 2 else { return nil }
        let flags = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        guard flags & 0x0100 != 0 else { return nil }
        if flags & 0x8000 != 0 { guard skipShortString() else { return nil } }  // content-type
        if flags & 0x4000 != 0 { guard skipShortString() else { return nil } }  // content-encoding
        if flags & 0x2000 != 0 { guard skipLongString() else { return nil } }   // headers
        if flags & 0x1000 != 0 { guard skip(1) else { return nil } }            // delivery-mode
        if flags & 0x0800 != 0 { guard skip(1) else { return nil } }            // priority
        if flags & 0x0400 != 0 { guard skipShortString() else { return nil } }  // correlation-id
        if flags & 0x0200 != 0 { guard skipShortString() else { return nil } }  // reply-to
        guard offset < bytes.count else { return nil }
        let length = Int(bytes[offset])
        guard offset + 1 + length <= bytes.count else { return nil }
        return bytes[(offset + 1)..<(offset + 1 + length)]
    }

    private mutating func skip(_ count: Int) -> Bool {
        guard offset + count <= bytes.count else { return false }
        offset += count
        return true
    }

    private mutating func skipShortString() -> Bool {
        guard offset < bytes.count else { return false }
        return skip(1 + Int(bytes[offset]))
    }

    private mutating func skipLongString() -> Bool {
        guard offset + 4 <= bytes.count else { return false }
        let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
            | Int(bytes[offset + 3])
        return skip(4 + length)
    }
}
