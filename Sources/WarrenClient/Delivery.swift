/// A message the broker delivered to a consumer or handed back from `get`.
///
/// It remembers its channel, so it can be acknowledged where it came from:
/// `try await delivery.ack()`. Acks go to the channel that received the
/// message; after that channel closes they throw, and the broker requeues
/// whatever was not acked.
public struct Delivery: Sendable {
    public let body: [UInt8]
    public let properties: BasicProperties
    /// The channel-scoped number that ack, nack and reject refer to.
    public let deliveryTag: UInt64
    /// True when the broker delivered this message before and it was not acked.
    public let redelivered: Bool
    public let exchange: String
    public let routingKey: String
    /// The consumer it was delivered to; nil for a message from `get`.
    public let consumerTag: String?
    /// For `get`: how many messages the queue still held; nil for a consumer's delivery.
    public let messageCount: UInt32?
    public let channel: Channel

    /// The body decoded as UTF-8 (invalid sequences replaced, never trapped on).
    public var bodyString: String { String(decoding: body, as: UTF8.self) }

    public func ack(multiple: Bool = false) async throws(ClientError) {
        try await channel.ack(deliveryTag: deliveryTag, multiple: multiple)
    }

    /// Negative acknowledgement: requeued (and redelivered, marked so) unless
    /// `requeue` is false, when it is dropped or dead-lettered.
    public func nack(multiple: Bool = false, requeue: Bool = true) async throws(ClientError) {
        try await channel.nack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue)
    }

    public func reject(requeue: Bool = true) async throws(ClientError) {
        try await channel.reject(deliveryTag: deliveryTag, requeue: requeue)
    }
}

/// A `mandatory` message the broker could not route, sent back whole.
public struct ReturnedMessage: Hashable, Sendable {
    /// Usually 312 NO_ROUTE.
    public let replyCode: ReplyCode
    public let replyText: String
    public let exchange: String
    public let routingKey: String
    public let properties: BasicProperties
    public let body: [UInt8]

    public var bodyString: String { String(decoding: body, as: UTF8.self) }
}

/// The deliveries of one consumer, in the order the broker sent them.
///
/// `for try await delivery in consumer { ... }` ends normally after `cancel()`
/// or a close by the application, and throws when the broker cancels the
/// consumer (`.consumerCancelledByBroker`), closes the channel
/// (`.channelClosed` with code and text) or the connection is lost.
/// Cancelling the iterating task, or dropping the consumer (every copy of
/// it), cancels the consumer on the broker; so keep it while it should
/// consume. Breaking out of the loop alone does not. Deliveries are buffered without bound: use `qos` to limit
/// how many unacked messages the broker sends ahead.
public struct Consumer: AsyncSequence, Sendable {
    public typealias Element = Delivery
    public typealias AsyncIterator = AsyncThrowingStream<Delivery, any Error>.Iterator

    public let tag: String
    public let channel: Channel
    let deliveries: AsyncThrowingStream<Delivery, any Error>

    public func makeAsyncIterator() -> AsyncIterator { deliveries.makeAsyncIterator() }

    /// `basic.cancel`: the broker stops delivering, and the sequence ends once
    /// the messages already on their way have been yielded.
    public func cancel() async throws(ClientError) {
        try await channel.cancel(consumerTag: tag)
    }
}
