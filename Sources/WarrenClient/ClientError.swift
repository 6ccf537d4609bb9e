import AMQPProtocol

/// Why the broker closed a channel or a connection: the reply code and text of
/// its `channel.close` or `connection.close`, and the method that caused it.
public struct CloseReason: Hashable, Sendable, CustomStringConvertible {
    public var code: ReplyCode
    /// The broker's text, e.g. `NOT_FOUND - no queue 'q' in vhost '/'`.
    public var text: String
    /// The class and method that caused the close, or 0 when the broker names none.
    public var classID: UInt16
    public var methodID: UInt16

    public init(code: ReplyCode, text: String, classID: UInt16 = 0, methodID: UInt16 = 0) {
        self.code = code
        self.text = text
        self.classID = classID
        self.methodID = methodID
    }

    init(_ close: ChannelClose) {
        self.init(code: ReplyCode(rawValue: close.replyCode), text: close.replyText,
                  classID: close.classId, methodID: close.methodId)
    }

    init(_ close: ConnectionClose) {
        self.init(code: ReplyCode(rawValue: close.replyCode), text: close.replyText,
                  classID: close.classId, methodID: close.methodId)
    }

    public var description: String { "\(code.rawValue) \(text)" }
}

/// Everything the client throws.
///
/// Broker-initiated closes carry the broker's reply code and text, so a caller
/// can tell a 404 from a 406 (`if case .channelClosed(let reason) = error,
/// reason.code == .notFound`).
public enum ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The URL does not follow the AMQP URI spec, or names something unsupported.
    case invalidURL(String)
    /// The TCP connection could not be made.
    case connectFailed(String)
    /// The broker did not complete the handshake (wrong protocol, refused login, timeout).
    case handshakeFailed(String)
    /// The broker closed the channel (a soft error such as 404 or 406).
    case channelClosed(CloseReason)
    /// The broker closed the connection (a hard error, a refused login or vhost, or a shutdown).
    case connectionClosed(CloseReason)
    /// The socket failed or reached end of stream, or the broker fell silent for
    /// two heartbeat intervals.
    case connectionLost(String)
    /// The application already closed this channel or connection.
    case closedByApplication
    /// The broker sent something this client cannot make sense of.
    case protocolViolation(AMQPError)
    /// In confirm mode, the broker nacked the publish with this sequence number.
    case publishNacked(sequenceNumber: UInt64)
    /// In confirm mode, the broker returned this mandatory publish as unroutable.
    case publishReturned(ReturnedMessage)
    /// The broker cancelled the consumer (its queue was deleted, for instance).
    case consumerCancelledByBroker(consumerTag: String)
    /// Every channel number up to the negotiated channel-max is in use.
    case noFreeChannel
    /// An argument was refused before anything was sent.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidURL(let detail): "invalid AMQP URL: \(detail)"
        case .connectFailed(let detail): "cannot connect: \(detail)"
        case .handshakeFailed(let detail): "handshake failed: \(detail)"
        case .channelClosed(let reason): "channel closed by the broker: \(reason)"
        case .connectionClosed(let reason): "connection closed by the broker: \(reason)"
        case .connectionLost(let detail): "connection lost: \(detail)"
        case .closedByApplication: "already closed by the application"
        case .protocolViolation(let error): "protocol violation by the broker: \(error)"
        case .publishNacked(let sequence): "the broker nacked publish #\(sequence)"
        case .publishReturned(let message):
            "the broker returned the message: \(message.replyCode.rawValue) \(message.replyText)"
        case .consumerCancelledByBroker(let tag): "the broker cancelled consumer \(tag)"
        case .noFreeChannel: "no free channel number"
        case .invalidArgument(let detail): detail
        }
    }

    /// The broker's reply code, when the broker closed something.
    public var replyCode: ReplyCode? {
        switch self {
        case .channelClosed(let reason), .connectionClosed(let reason): reason.code
        case .publishReturned(let message): message.replyCode
        default: nil
        }
    }
}
