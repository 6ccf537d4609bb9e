import AMQPProtocol

/// The queue arguments Warren acts on, parsed and checked once at
/// `queue.declare`: message TTL, queue expiry, dead-lettering, length limits
/// with their overflow behaviour, and priorities. The declared `FieldTable`
/// stays on the queue as well, for redeclaration checks and listings.
public struct QueueSettings: Equatable, Sendable {
    /// What a length-limited queue does with a publish that does not fit.
    public enum Overflow: String, Sendable {
        /// Make room by dropping (or dead-lettering) the oldest ready messages.
        case dropHead = "drop-head"
        /// Refuse the new message: the publisher gets `basic.nack` in confirm mode.
        case rejectPublish = "reject-publish"
        /// Refuse it as `reject-publish` does, and dead-letter it.
        case rejectPublishDeadLetter = "reject-publish-dlx"
    }

    /// `x-message-ttl`: how long a message may wait in this queue, in ms.
    public var messageTTL: UInt64?
    /// `x-expires`: how long the queue may go unused before it is deleted, in ms.
    public var expires: UInt64?
    /// `x-dead-letter-exchange`; the empty string is the default exchange.
    public var deadLetterExchange: String?
    /// `x-dead-letter-routing-key`; nil keeps the message's own routing key.
    public var deadLetterRoutingKey: String?
    /// `x-max-length`: ready messages (unacknowledged ones do not count).
    public var maxLength: Int?
    /// `x-max-length-bytes`: total body bytes of the ready messages.
    public var maxLengthBytes: Int?
    /// `x-overflow`.
    public var overflow = Overflow.dropHead
    /// `x-max-priority`: 0 for a plain FIFO queue.
    public var maxPriority: UInt8 = 0

    public init() {}

    /// RabbitMQ's `check_expiry`: TTLs and expiries above ten years are refused.
    static let maximumExpiry: UInt64 = 315_360_000_000

    var hasLengthLimit: Bool { maxLength != nil || maxLengthBytes != nil }

    /// Parses `arguments` as rabbit_amqqueue's declare checks do, in their
    /// order, with their texts: `invalid arg 'x-message-ttl' for queue 'q' in
    /// vhost '/': {value_negative,-1}`. (The type of `x-dead-letter-exchange`
    /// is checked before this, as rabbit_channel does.) Arguments Warren does
    /// not act on are left alone.
    static func parse(_ arguments: FieldTable, queue: String, vhost: String) throws(AMQPError) -> QueueSettings {
        var settings = QueueSettings()
        let check = ArgumentCheck(arguments: arguments, queue: queue, vhost: vhost)
        if let value = try check.integer("x-expires") {
            if value == 0 { throw check.failure("x-expires", .tagged("value_zero", integer: "0")) }
            settings.expires = try check.expiry("x-expires", value)
        }
        if let value = try check.integer("x-message-ttl") {
            settings.messageTTL = try check.expiry("x-message-ttl", value)
        }
        settings.deadLetterExchange = arguments["x-dead-letter-exchange"]?.stringValue
        if let key = arguments["x-dead-letter-routing-key"] {
            guard case .longString(let bytes) = key else {
                throw check.failure("x-dead-letter-routing-key", .taggedAtom("unacceptable_type", key.erlangTypeName))
            }
            guard settings.deadLetterExchange != nil else {
                throw check.failure("x-dead-letter-routing-key", .atom("routing_key_but_no_dlx_defined"))
            }
            settings.deadLetterRoutingKey = String(decoding: bytes, as: UTF8.self)
        }
        settings.maxLength = try check.nonNegative("x-max-length").map { Int(clamping: $0) }
        settings.maxLengthBytes = try check.nonNegative("x-max-length-bytes").map { Int(clamping: $0) }
        if let value = try check.nonNegative("x-max-priority") {
            guard value <= 255 else {
                throw check.failure("x-max-priority", .tagged("max_value_exceeded", integer: "\(value)"))
            }
            settings.maxPriority = UInt8(value)
        }
        if let overflow = arguments["x-overflow"] {
            guard case .longString(let bytes) = overflow else {
                throw check.failure("x-overflow", .taggedAtom("unacceptable_type", overflow.erlangTypeName))
            }
            guard let mode = Overflow(rawValue: String(decoding: bytes, as: UTF8.self)) else {
                throw check.failure("x-overflow", .atom("invalid_overflow"))
            }
            settings.overflow = mode
        }
        return settings
    }
}

/// The argument checks of one declaration and how their failures read.
private struct ArgumentCheck {
    let arguments: FieldTable
    let queue: String
    let vhost: String

    /// The argument's integer value, nil when absent; any other type fails
    /// with `"expected integer, got longstr"`.
    func integer(_ name: String) throws(AMQPError) -> Int64? {
        guard let value = arguments[name] else { return nil }
        switch value {
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64:
            return value.intValue
        default:
            throw failure(name, .string("expected integer, got \(value.erlangTypeName)"))
        }
    }

    /// rabbit_amqqueue's check_non_neg_int_arg.
    func nonNegative(_ name: String) throws(AMQPError) -> Int64? {
        guard let value = try integer(name) else { return nil }
        guard value >= 0 else { throw failure(name, .tagged("value_negative", integer: "\(value)")) }
        return value
    }

    /// rabbit_misc:check_expiry: 0 through ten years.
    func expiry(_ name: String, _ value: Int64) throws(AMQPError) -> UInt64 {
        guard value >= 0 else { throw failure(name, .tagged("value_negative", integer: "\(value)")) }
        guard UInt64(value) <= QueueSettings.maximumExpiry else {
            throw failure(name, .tagged("value_too_large", integer: "\(value)"))
        }
        return UInt64(value)
    }

    /// `invalid arg '~ts' for ~ts: ~255p`.
    func failure(_ name: String, _ reason: ErlangReason) -> AMQPError {
        let prefix = "invalid arg '\(name)' for \(AMQPError.resource(.queue, queue, vhost: vhost)): "
        return AMQPError(.preconditionFailed,
                         prefix + reason.rendered(column: prefix.unicodeScalars.count, lineLength: 255))
    }
}
