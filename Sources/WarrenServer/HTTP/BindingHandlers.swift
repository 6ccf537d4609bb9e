import AMQPProtocol
import WarrenCore

/// `/api/bindings`: list, and make or remove exchange-to-queue (`e/…/q/…`)
/// and exchange-to-exchange (`e/…/e/…`) bindings. A binding is named in URLs
/// by its `properties_key` (see `ManagementJSON.propertiesKey`).
enum BindingHandlers {
    static var routes: [Route] { [
        Route("GET", "api/bindings", all),
        Route("GET", "api/bindings/:vhost", inVhost),
        Route("GET", "api/bindings/:vhost/e/:source/q/:queue", { context throws(HTTPFailure) in try between(context, kind: "q") }),
        Route("POST", "api/bindings/:vhost/e/:source/q/:queue", { context throws(HTTPFailure) in try create(context, kind: "q") }),
        Route("GET", "api/bindings/:vhost/e/:source/q/:queue/:props", { context throws(HTTPFailure) in try show(context, kind: "q") }),
        Route("DELETE", "api/bindings/:vhost/e/:source/q/:queue/:props", { context throws(HTTPFailure) in try delete(context, kind: "q") }),
        Route("GET", "api/bindings/:vhost/e/:source/e/:destination", { context throws(HTTPFailure) in try between(context, kind: "e") }),
        Route("POST", "api/bindings/:vhost/e/:source/e/:destination", { context throws(HTTPFailure) in try create(context, kind: "e") }),
        Route("GET", "api/bindings/:vhost/e/:source/e/:destination/:props", { context throws(HTTPFailure) in try show(context, kind: "e") }),
        Route("DELETE", "api/bindings/:vhost/e/:source/e/:destination/:props", { context throws(HTTPFailure) in try delete(context, kind: "e") }),
    ] }

    static func all(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let broker = context.broker
        return .json(.array(broker.virtualHostNames.flatMap { name in
            broker.virtualHost(named: name).map(ManagementJSON.bindings) ?? []
        }))
    }

    static func inVhost(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        .json(.array(ManagementJSON.bindings(in: try context.virtualHost())))
    }

    /// The bindings from the source to the destination in the path (both must exist).
    private static func matching(_ context: RequestContext, kind: String) throws(HTTPFailure) -> (VirtualHost, [Binding]) {
        let vhost = try context.virtualHost()
        let sourceName = ExchangeHandlers.exchangeName(context.parameter(1))
        let destinationName = kind == "q" ? context.parameter(2) : ExchangeHandlers.exchangeName(context.parameter(2))
        guard let source = vhost.exchange(named: sourceName) else { throw .notFound }
        let destination: Binding.Destination
        if kind == "q" {
            guard let queue = vhost.queue(named: destinationName) else { throw .notFound }
            destination = .queue(queue.name)
            if sourceName.isEmpty {
                return (vhost, [Binding(source: "", destination: destination, routingKey: queue.name)])
            }
        } else {
            guard vhost.exchange(named: destinationName) != nil else { throw .notFound }
            destination = .exchange(destinationName)
        }
        return (vhost, source.bindings.filter { $0.destination == destination })
    }

    static func between(_ context: RequestContext, kind: String) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, bindings) = try matching(context, kind: kind)
        return .json(.array(bindings.map { ManagementJSON.binding($0, in: vhost) }))
    }

    static func show(_ context: RequestContext, kind: String) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, bindings) = try matching(context, kind: kind)
        guard let binding = bindings.first(where: { ManagementJSON.propertiesKey($0) == context.parameter(3) }) else {
            throw .notFound
        }
        return .json(ManagementJSON.binding(binding, in: vhost))
    }

    /// `{"routing_key": "...", "arguments": {...}}`, both optional: 201 with
    /// a `Location` naming the new binding.
    static func create(_ context: RequestContext, kind: String) throws(HTTPFailure) -> HTTPResponse {
        _ = try matching(context, kind: kind)
        let vhost = try context.virtualHost()
        let body = try context.jsonObject()
        let routingKey: String
        switch body["routing_key"] {
        case nil, .null?: routingKey = ""
        case .string(let key)?: routingKey = key
        default: throw .badRequest("routing_key must be a string")
        }
        let arguments = try ExchangeHandlers.arguments(body)
        let source = ExchangeHandlers.exchangeName(context.parameter(1))
        let destination = context.parameter(2)
        do {
            if kind == "q" {
                try vhost.bindQueue(queue: destination, exchange: source, routingKey: routingKey, arguments: arguments,
                                    connection: queueOwner(vhost, destination))
            } else {
                try vhost.bindExchange(destination: ExchangeHandlers.exchangeName(destination), source: source,
                                       routingKey: routingKey, arguments: arguments)
            }
        } catch {
            throw HTTPFailure(error)
        }
        let made = Binding(source: source, destination: kind == "q" ? .queue(destination) : .exchange(destination),
                           routingKey: routingKey, arguments: arguments)
        let location = ["api", "bindings", vhost.name, "e", context.parameter(1), kind, destination,
                        ManagementJSON.propertiesKey(made)].map(percentEncode).joined(separator: "/")
        return HTTPResponse(status: 201, headers: [("Location", "/" + location)])
    }

    static func delete(_ context: RequestContext, kind: String) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, bindings) = try matching(context, kind: kind)
        guard let binding = bindings.first(where: { ManagementJSON.propertiesKey($0) == context.parameter(3) }) else {
            throw .notFound
        }
        do {
            switch binding.destination {
            case .queue(let queue):
                try vhost.unbindQueue(queue: queue, exchange: binding.source, routingKey: binding.routingKey,
                                      arguments: binding.arguments, connection: queueOwner(vhost, queue))
            case .exchange(let destination):
                try vhost.unbindExchange(destination: destination, source: binding.source,
                                         routingKey: binding.routingKey, arguments: binding.arguments)
            }
        } catch {
            throw HTTPFailure(error)
        }
        return .noContent
    }

    private static func queueOwner(_ vhost: VirtualHost, _ name: String) -> ConnectionID {
        vhost.queue(named: name).map(QueueHandlers.owner) ?? ExchangeHandlers.apiConnection
    }
}
