import AMQPProtocol
import WarrenCore

/// `/api/exchanges`: list, show, declare (PUT), delete, and their bindings.
enum ExchangeHandlers {
    static var routes: [Route] { [
        Route("GET", "api/exchanges", all),
        Route("GET", "api/exchanges/:vhost", inVhost),
        Route("GET", "api/exchanges/:vhost/:name", show),
        Route("PUT", "api/exchanges/:vhost/:name", declare),
        Route("DELETE", "api/exchanges/:vhost/:name", delete),
        Route("GET", "api/exchanges/:vhost/:name/bindings/source", bindingsFrom),
        Route("GET", "api/exchanges/:vhost/:name/bindings/destination", bindingsTo),
    ] }

    /// The default exchange is written `amq.default` in URLs.
    static func exchangeName(_ segment: String) -> String { segment == "amq.default" ? "" : segment }

    /// The connection the HTTP API acts as: it owns no exclusive queue.
    static let apiConnection = ConnectionID(0)

    static func all(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let broker = context.broker
        return .json(.array(broker.virtualHostNames.flatMap { name -> [JSONValue] in
            guard let vhost = broker.virtualHost(named: name) else { return [] }
            return vhost.exchanges.map { ManagementJSON.exchange($0, in: vhost) }
        }))
    }

    static func inVhost(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        return .json(.array(vhost.exchanges.map { ManagementJSON.exchange($0, in: vhost) }))
    }

    static func show(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        guard let exchange = vhost.exchange(named: exchangeName(context.parameter(1))) else { throw .notFound }
        return .json(ManagementJSON.exchange(exchange, in: vhost))
    }

    /// `{"type": "direct", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}`:
    /// 201 when made, 204 when an equivalent one exists, 400 when it differs.
    static func declare(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        let name = exchangeName(context.parameter(1))
        let body = try context.jsonObject()
        guard let type = body["type"]?.stringValue else { throw .badRequest("Missing key(s): type") }
        let existed = vhost.exchange(named: name) != nil
        let durable = try flag(body, "durable", default: true)
        let autoDelete = try flag(body, "auto_delete", default: false)
        let isInternal = try flag(body, "internal", default: false)
        let arguments = try arguments(body)
        do {
            try vhost.declareExchange(name: name, type: type, durable: durable, autoDelete: autoDelete,
                                      internal: isInternal, arguments: arguments)
        } catch {
            throw HTTPFailure(error)
        }
        return existed ? .noContent : .created
    }

    /// 204; `?if-unused=true` refuses (400) an exchange that is a binding's source.
    static func delete(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        let name = exchangeName(context.parameter(1))
        guard vhost.exchange(named: name) != nil else { throw .notFound }
        do {
            try vhost.deleteExchange(name: name, ifUnused: context.queryFlag("if-unused"))
        } catch {
            throw HTTPFailure(error)
        }
        return .noContent
    }

    static func bindingsFrom(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        let name = exchangeName(context.parameter(1))
        guard vhost.exchange(named: name) != nil else { throw .notFound }
        return .json(.array(ManagementJSON.bindings(in: vhost).filter { $0["source"]?.stringValue == name }))
    }

    static func bindingsTo(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        let name = exchangeName(context.parameter(1))
        guard vhost.exchange(named: name) != nil else { throw .notFound }
        return .json(.array(ManagementJSON.bindings(in: vhost).filter {
            $0["destination"]?.stringValue == name && $0["destination_type"]?.stringValue == "exchange"
        }))
    }

    // MARK: Body fields shared with queues and bindings

    /// A boolean member (RabbitMQ also takes the strings "true" and "false").
    static func flag(_ body: JSONValue, _ key: String, default fallback: Bool) throws(HTTPFailure) -> Bool {
        switch body[key] {
        case nil, .null?: return fallback
        case .bool(let value)?: return value
        case .string("true")?: return true
        case .string("false")?: return false
        default: throw .badRequest("\(key) must be true or false")
        }
    }

    /// The `arguments` member as a field table (absent: empty).
    static func arguments(_ body: JSONValue) throws(HTTPFailure) -> FieldTable {
        guard let value = body["arguments"], !value.isNull else { return FieldTable() }
        if case .array(let elements) = value, elements.isEmpty { return FieldTable() }
        guard let table = value.fieldTable else { throw .badRequest("arguments must be an object") }
        return table
    }
}
