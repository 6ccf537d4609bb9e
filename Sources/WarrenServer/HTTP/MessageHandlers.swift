import AMQPProtocol
import WarrenCore

/// RabbitMQ's publish and get endpoints:
/// `POST /api/exchanges/{vhost}/{exchange}/publish` and `POST /api/queues/{vhost}/{queue}/get`.
/// Messages go through the same core calls as AMQP's, so they get the same
/// ids, counters and routing.
enum MessageHandlers {
    static var routes: [Route] { [
        Route("POST", "api/exchanges/:vhost/:name/publish", publish),
        Route("POST", "api/queues/:vhost/:name/get", get),
    ] }

    /// Most messages one request may take.
    static let maximumCount = 10_000

    /// `{"routing_key", "payload", "payload_encoding", "properties"}` → `{"routed": bool}`.
    static func publish(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        let body = try context.jsonObject()
        guard let routingKey = body["routing_key"]?.stringValue else { throw .badRequest("Missing key(s): routing_key") }
        guard let payload = body["payload"]?.stringValue else { throw .badRequest("Missing key(s): payload") }
        let bytes: [UInt8]
        let properties: BasicProperties
        do {
            bytes = try decodePayload(payload, encoding: body["payload_encoding"]?.stringValue, field: "payload")
            properties = try BasicProperties(json: body["properties"])
        } catch {
            throw .badRequest(error.description)
        }
        let exchange = ExchangeHandlers.exchangeName(context.parameter(1))
        do {
            let result = try vhost.publish(exchange: exchange, routingKey: routingKey, properties: properties, body: bytes)
            return .json(.object([("routed", .bool(result.isRouted))]))
        } catch {
            throw HTTPFailure(error)
        }
    }

    enum AckMode: String {
        case ackRequeueTrue = "ack_requeue_true"
        case ackRequeueFalse = "ack_requeue_false"
        case rejectRequeueTrue = "reject_requeue_true"
        case rejectRequeueFalse = "reject_requeue_false"
    }

    /// `{"count", "ackmode", "encoding", "truncate"}` → an array of messages.
    static func get(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, queue) = try QueueHandlers.existing(context)
        let body = try context.jsonObject()
        let count = try positiveCount(body["count"], default: 1)
        let mode: AckMode
        if let text = body["ackmode"]?.stringValue {
            guard let parsed = AckMode(rawValue: text) else { throw .badRequest("unknown ackmode '\(text)'") }
            mode = parsed
        } else {
            // RabbitMQ before 3.7 took `"requeue": bool` instead.
            mode = body["requeue"]?.boolValue == false ? .ackRequeueFalse : .ackRequeueTrue
        }
        let encoding = body["encoding"]?.stringValue ?? "auto"
        guard encoding == "auto" || encoding == "base64" else { throw .badRequest("encoding must be auto or base64") }
        var truncate: Int?
        if let limit = body["truncate"], !limit.isNull {
            guard let value = limit.integerValue, value >= 0 else { throw .badRequest("truncate must be a non-negative integer") }
            truncate = Int(clamping: value)
        }
        let results = try fetch(from: vhost, queue: queue, count: count, settle: mode)
        return .json(.array(results.map { result in
            let message = result.delivery.message
            var payload = message.body
            if let truncate, payload.count > truncate { payload = Array(payload.prefix(truncate)) }
            let encoded = encodePayload(payload, forceBase64: encoding == "base64")
            return .object([
                ("payload_bytes", .integer(Int64(message.bodySize))),
                ("redelivered", .bool(result.delivery.redelivered)),
                ("exchange", .string(message.exchange)),
                ("routing_key", .string(message.routingKey)),
                ("message_count", .integer(Int64(result.messageCount))),
                ("properties", message.properties.json),
                ("payload", .string(encoded.text)),
                ("payload_encoding", .string(encoded.encoding)),
            ])
        }))
    }

    /// Takes up to `count` messages through a session of its own, then
    /// settles them all as `mode` says (requeued ones go back to their places)
    /// and closes the session. nil `mode` takes them without acknowledgement.
    static func fetch(from vhost: VirtualHost, queue: Queue, count: Int, settle mode: AckMode?) throws(HTTPFailure) -> [GetResult] {
        let session = Session(connection: QueueHandlers.owner(of: queue), virtualHost: vhost, sink: DiscardingSink())
        defer { session.close() }
        var results: [GetResult] = []
        do {
            while results.count < count, let result = try vhost.get(queue: queue.name, noAck: mode == nil, session: session) {
                results.append(result)
            }
            guard !results.isEmpty, let mode else { return results }
            switch mode {
            case .ackRequeueTrue, .rejectRequeueTrue: try session.nack(deliveryTag: 0, multiple: true, requeue: true)
            case .ackRequeueFalse: try session.ack(deliveryTag: 0, multiple: true)
            case .rejectRequeueFalse: try session.nack(deliveryTag: 0, multiple: true, requeue: false)
            }
        } catch {
            throw HTTPFailure(error)
        }
        return results
    }

    /// A `count` member or query parameter: 1 to `maximumCount`.
    static func positiveCount(_ value: JSONValue?, default fallback: Int) throws(HTTPFailure) -> Int {
        guard let value, !value.isNull else { return fallback }
        guard let number = value.integerValue, number >= 1 else { throw .badRequest("count must be a positive integer") }
        return Int(min(number, Int64(maximumCount)))
    }
}

/// The sink of the HTTP API's short-lived sessions: they only `basic.get`,
/// so nothing is ever delivered through it.
final class DiscardingSink: DeliverySink {
    func deliver(_ delivery: Delivery) {}
    func consumerCancelled(tag: String) {}
}
