/// A message handed to a consumer, for the server to encode as `basic.deliver`
/// (or `basic.get-ok`). A small value: the message itself is shared.
public struct Delivery {
    /// Empty for `basic.get`.
    public let consumerTag: String
    /// Per session, from 1.
    public let deliveryTag: UInt64
    public let redelivered: Bool
    public let message: Message

    public var exchange: String { message.exchange }
    public var routingKey: String { message.routingKey }
}

/// What a session delivers through; the server's channel implements it.
///
/// Calls arrive synchronously, on the thread that drives the broker, during
/// whatever operation made the delivery possible (a publish, an ack, a new
/// consumer). The sink may call back into the broker (ack, publish, cancel):
/// dispatch is queued, not nested, so the stack does not grow.
public protocol DeliverySink: AnyObject {
    func deliver(_ delivery: Delivery)
    /// The broker cancelled this consumer (its queue was deleted): the server
    /// sends `basic.cancel` when the client announced `consumer_cancel_notify`.
    func consumerCancelled(tag: String)
}
