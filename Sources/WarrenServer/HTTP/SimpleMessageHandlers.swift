import AMQPProtocol
import WarrenCore

/// Warren's own publish-and-poll form, with message ids:
/// `POST /api/queues/{vhost}/{queue}/messages` takes one message object or an
/// array of them and answers `201 {"ids": [...]}`;
/// `GET /api/queues/{vhost}/{queue}/messages/next[?count=N]` takes the next
/// message(s) off the queue (204 when there is none).
enum SimpleMessageHandlers {
    static var routes: [Route] { [
        Route("POST", "api/queues/:vhost/:name/messages", post),
        Route("GET", "api/queues/:vhost/:name/messages/next", next),
    ] }

    private struct Outgoing {
        let body: [UInt8]
        let properties: BasicProperties
    }

    /// Each `{"body": "...", "body_encoding": "base64"?, "properties": {...}?}`
    /// is published through the default exchange to the queue, in order. All
    /// are checked before any is published, so a bad one publishes none.
    static func post(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, queue) = try QueueHandlers.existing(context)
        let items: [JSONValue]
        switch try context.jsonBody() {
        case .array(let array): items = array
        case let object where object["body"] != nil: items = [object]
        default: throw .badRequest("expected a message object or an array of them")
        }
        var messages: [Outgoing] = []
        messages.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            guard let text = item["body"]?.stringValue else { throw .badRequest("message \(position): body must be a string") }
            do {
                messages.append(Outgoing(
                    body: try decodePayload(text, encoding: item["body_encoding"]?.stringValue, field: "body"),
                    properties: try BasicProperties(json: item["properties"])))
            } catch {
                throw .badRequest("message \(position): \(error.description)")
            }
        }
        var ids: [JSONValue] = []
        ids.reserveCapacity(messages.count)
        do {
            for message in messages {
                let result = try vhost.publish(exchange: "", routingKey: queue.name, properties: message.properties,
                                               body: message.body)
                ids.append(.string(message.properties.messageID ?? result.message.properties.messageID ?? ""))
            }
        } catch {
            throw HTTPFailure(error)
        }
        return .json(.object([("ids", .array(ids))]), status: 201)
    }

    /// Removes and returns the next message: `{"id", "body", "body_encoding",
    /// "properties", "redelivered", "exchange", "routing_key"}`; with
    /// `?count=N`, an array of up to N.
    static func next(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, queue) = try QueueHandlers.existing(context)
        let countText = context.request.query["count"]
        var count = 1
        if let countText {
            guard let number = Int64(countText) else { throw .badRequest("count must be a positive integer") }
            count = try MessageHandlers.positiveCount(.integer(number), default: 1)
        }
        let results = try MessageHandlers.fetch(from: vhost, queue: queue, count: count, settle: nil)
        guard !results.isEmpty else { return .noContent }
        let messages = results.map { json(for: $0.delivery) }
        return .json(countText == nil ? messages[0] : .array(messages))
    }

    static func json(for delivery: Delivery) -> JSONValue {
        let message = delivery.message
        let properties = message.properties
        let encoded = message.withBody { encodePayload($0, forceBase64: false) }
        return .object([
            ("id", .string(properties.messageID ?? "")),
            ("body", .string(encoded.text)),
            ("body_encoding", .string(encoded.encoding)),
            ("properties", properties.json),
            ("redelivered", .bool(delivery.redelivered)),
            ("exchange", .string(message.exchange)),
            ("routing_key", .string(message.routingKey)),
        ])
    }
}
