/// AMQP 0-9-1 reply codes, as RabbitMQ sends them.
///
/// A *soft* error closes the channel it happened on; a *hard* error closes
/// the whole connection. `isConnectionError` says which.
public struct ReplyCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let success = ReplyCode(rawValue: 200)
    public static let contentTooLarge = ReplyCode(rawValue: 311)
    public static let noRoute = ReplyCode(rawValue: 312)
    public static let noConsumers = ReplyCode(rawValue: 313)
    public static let connectionForced = ReplyCode(rawValue: 320)
    public static let invalidPath = ReplyCode(rawValue: 402)
    public static let accessRefused = ReplyCode(rawValue: 403)
    public static let notFound = ReplyCode(rawValue: 404)
    public static let resourceLocked = ReplyCode(rawValue: 405)
    public static let preconditionFailed = ReplyCode(rawValue: 406)
    public static let frameError = ReplyCode(rawValue: 501)
    public static let syntaxError = ReplyCode(rawValue: 502)
    public static let commandInvalid = ReplyCode(rawValue: 503)
    public static let channelError = ReplyCode(rawValue: 504)
    public static let unexpectedFrame = ReplyCode(rawValue: 505)
    public static let resourceError = ReplyCode(rawValue: 506)
    public static let notAllowed = ReplyCode(rawValue: 530)
    public static let notImplemented = ReplyCode(rawValue: 540)
    public static let internalError = ReplyCode(rawValue: 541)

    /// The symbolic name RabbitMQ puts in front of reply texts, e.g. `NOT_FOUND`.
    public var name: String {
        switch rawValue {
        case 200: "REPLY_SUCCESS"
        case 311: "CONTENT_TOO_LARGE"
        case 312: "NO_ROUTE"
        case 313: "NO_CONSUMERS"
        case 320: "CONNECTION_FORCED"
        case 402: "INVALID_PATH"
        case 403: "ACCESS_REFUSED"
        case 404: "NOT_FOUND"
        case 405: "RESOURCE_LOCKED"
        case 406: "PRECONDITION_FAILED"
        case 501: "FRAME_ERROR"
        case 502: "SYNTAX_ERROR"
        case 503: "COMMAND_INVALID"
        case 504: "CHANNEL_ERROR"
        case 505: "UNEXPECTED_FRAME"
        case 506: "RESOURCE_ERROR"
        case 530: "NOT_ALLOWED"
        case 540: "NOT_IMPLEMENTED"
        case 541: "INTERNAL_ERROR"
        default: "UNKNOWN_\(rawValue)"
        }
    }

    /// True when the spec makes this a connection (hard) error.
    public var isConnectionError: Bool {
        switch rawValue {
        case 320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541: true
        default: false
        }
    }

    public var description: String { "\(rawValue) \(name)" }
}

/// An error with the reply code and text that Warren sends to the peer.
///
/// Every failure that peer input can cause, from a malformed frame to a
/// routing mistake, is one of these; nothing traps.
public struct AMQPError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ReplyCode
    /// The full reply text, in RabbitMQ's `NAME - detail` form.
    public var text: String
    /// The class and method that caused it, when known (0 otherwise).
    public var classID: UInt16
    public var methodID: UInt16

    public init(_ code: ReplyCode, _ detail: String, classID: UInt16 = 0, methodID: UInt16 = 0) {
        self.code = code
        self.text = "\(code.name) - \(detail)"
        self.classID = classID
        self.methodID = methodID
    }

    public var isConnectionError: Bool { code.isConnectionError }
    public var description: String { "\(code.rawValue) \(text)" }

    public static func frameError(_ detail: String) -> AMQPError { AMQPError(.frameError, detail) }
    public static func syntaxError(_ detail: String) -> AMQPError { AMQPError(.syntaxError, detail) }
    public static func commandInvalid(_ detail: String) -> AMQPError { AMQPError(.commandInvalid, detail) }
    public static func unexpectedFrame(_ detail: String) -> AMQPError { AMQPError(.unexpectedFrame, detail) }
}
