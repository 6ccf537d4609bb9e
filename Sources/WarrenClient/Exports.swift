// The client's API speaks in the protocol's value types (BasicProperties,
// FieldTable, FieldValue, ReplyCode), so a program that imports WarrenClient
// gets them too, without depending on AMQPProtocol itself.
@_exported import AMQPProtocol

/// An exchange type: the four every broker has, or any other by name
/// (`"x-delayed-message"`, say) for plugins.
public struct ExchangeType: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static let direct = ExchangeType(rawValue: "direct")
    public static let fanout = ExchangeType(rawValue: "fanout")
    public static let topic = ExchangeType(rawValue: "topic")
    public static let headers = ExchangeType(rawValue: "headers")

    public var description: String { rawValue }
}

/// The answer to `queue.declare`: the queue's name (the broker picks one when
/// it was declared with an empty name) and its counts at that moment.
public struct QueueDeclareResult: Hashable, Sendable {
    public var name: String
    public var messageCount: UInt32
    public var consumerCount: UInt32

    public init(name: String, messageCount: UInt32, consumerCount: UInt32) {
        self.name = name
        self.messageCount = messageCount
        self.consumerCount = consumerCount
    }
}

/// Something the broker did on its own initiative on a channel.
public enum ChannelEvent: Sendable {
    /// An unroutable `mandatory` publish came back.
    case returned(ReturnedMessage)
    /// The broker cancelled a consumer (its queue was deleted, say); the
    /// consumer's sequence ends with `ClientError.consumerCancelledByBroker`.
    case consumerCancelled(consumerTag: String)
    /// `channel.flow` asked to pause (false) or resume (true) publishing.
    case flow(active: Bool)
    /// The channel is closed: by the broker (`.channelClosed` with its code and
    /// text), with its connection, or by the application (`.closedByApplication`).
    case closed(ClientError)
}

/// Something the broker did on its own initiative on the connection.
public enum ConnectionEvent: Sendable {
    /// The broker stopped reading from publishers (a resource alarm).
    case blocked(reason: String)
    case unblocked
    /// The connection is over; the error says why (`.closedByApplication` after `close()`).
    case closed(ClientError)
}
