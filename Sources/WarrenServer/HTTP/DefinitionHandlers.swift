import AMQPProtocol
import WarrenCore

/// `/api/definitions`: export and import of vhosts, queues, exchanges and
/// bindings in RabbitMQ's format. Import merges: what exists is kept (an
/// inequivalent redefinition is skipped, as RabbitMQ does), and the result
/// says what was skipped. Users are exported without password hashes and
/// not imported (Warren keeps no hashes it could check).
enum DefinitionHandlers {
    static var routes: [Route] { [
        Route("GET", "api/definitions", exportAll),
        Route("POST", "api/definitions", importAll),
        Route("GET", "api/definitions/:vhost", exportVhost),
        Route("POST", "api/definitions/:vhost", importVhost),
    ] }

    static func exportAll(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let broker = context.broker
        let vhosts = broker.virtualHostNames.compactMap { broker.virtualHost(named: $0) }
        var members: [(String, JSONValue)] = [
            ("rabbit_version", .string(ServerProperties.version)),
            ("rabbitmq_version", .string(ServerProperties.version)),
            ("product_name", .string("Warren")),
            ("product_version", .string(ServerProperties.version)),
            ("users", .array(broker.userNames.compactMap { broker.user(named: $0) }.map { user in
                .object([("name", .string(user.name)), ("password_hash", .string("")),
                         ("hashing_algorithm", .string("rabbit_password_hashing_sha256")),
                         ("tags", .array(user.tags.map { .string($0) })), ("limits", .object([]))])
            })),
            ("vhosts", .array(vhosts.map { .object([("name", .string($0.name)), ("metadata", .object([]))]) })),
            ("permissions", .array(broker.userNames.flatMap { user in
                vhosts.map { vhost in
                    .object([("user", .string(user)), ("vhost", .string(vhost.name)), ("configure", .string(".*")),
                             ("write", .string(".*")), ("read", .string(".*"))])
                }
            })),
            ("topic_permissions", .array([])),
            ("parameters", .array([])),
            ("global_parameters", .array([])),
            ("policies", .array([])),
        ]
        members.append(contentsOf: objects(of: vhosts, withVhostNames: true))
        return .json(.object(members))
    }

    static func exportVhost(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        var members: [(String, JSONValue)] = [
            ("rabbit_version", .string(ServerProperties.version)),
            ("rabbitmq_version", .string(ServerProperties.version)),
            ("parameters", .array([])),
            ("policies", .array([])),
        ]
        members.append(contentsOf: objects(of: [vhost], withVhostNames: false))
        return .json(.object(members))
    }

    /// Queues (exclusive ones are a connection's, not definitions), the
    /// exchanges Warren did not make itself, and the explicit bindings.
    private static func objects(of vhosts: [VirtualHost], withVhostNames: Bool) -> [(String, JSONValue)] {
        func tagged(_ value: JSONValue, _ vhost: VirtualHost) -> JSONValue {
            guard withVhostNames, case .object(var members) = value else { return value }
            members.insert(("vhost", .string(vhost.name)), at: min(1, members.count))
            return .object(members)
        }
        var queues: [JSONValue] = []
        var exchanges: [JSONValue] = []
        var bindings: [JSONValue] = []
        for vhost in vhosts {
            for queue in vhost.queues where !queue.isExclusive {
                queues.append(tagged(.object([("name", .string(queue.name)), ("durable", .bool(queue.isDurable)),
                                              ("auto_delete", .bool(queue.isAutoDelete)),
                                              ("arguments", JSONValue(queue.arguments))]), vhost))
            }
            for exchange in vhost.exchanges where !exchange.name.isEmpty && !exchange.name.hasPrefix("amq.") {
                exchanges.append(tagged(.object([("name", .string(exchange.name)), ("type", .string(exchange.type.rawValue)),
                                                 ("durable", .bool(exchange.isDurable)),
                                                 ("auto_delete", .bool(exchange.isAutoDelete)),
                                                 ("internal", .bool(exchange.isInternal)),
                                                 ("arguments", JSONValue(exchange.arguments))]), vhost))
            }
            for exchange in vhost.exchanges {
                for binding in exchange.bindings {
                    let (destination, type): (String, String) = switch binding.destination {
                    case .queue(let name): (name, "queue")
                    case .exchange(let name): (name, "exchange")
                    }
                    bindings.append(tagged(.object([("source", .string(binding.source)),
                                                    ("destination", .string(destination)),
                                                    ("destination_type", .string(type)),
                                                    ("routing_key", .string(binding.routingKey)),
                                                    ("arguments", JSONValue(binding.arguments))]), vhost))
                }
            }
        }
        return [("queues", .array(queues)), ("exchanges", .array(exchanges)), ("bindings", .array(bindings))]
    }

    static func importAll(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let body = try context.jsonObject()
        for vhost in list(body, "vhosts") {
            guard let name = vhost["name"]?.stringValue, !name.isEmpty else { throw .badRequest("a vhost needs a name") }
            context.broker.addVirtualHost(named: name)
        }
        return try apply(body, context: context, fixedVhost: nil)
    }

    static func importVhost(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        return try apply(try context.jsonObject(), context: context, fixedVhost: vhost)
    }

    /// Declares exchanges, then queues, then bindings (which need both).
    private static func apply(_ body: JSONValue, context: RequestContext, fixedVhost: VirtualHost?) throws(HTTPFailure) -> HTTPResponse {
        var skipped: [JSONValue] = []
        func vhost(for item: JSONValue) throws(HTTPFailure) -> VirtualHost {
            if let fixedVhost { return fixedVhost }
            guard let name = item["vhost"]?.stringValue, let vhost = context.broker.virtualHost(named: name) else {
                throw .badRequest("unknown vhost in definitions: \(item["vhost"]?.stringValue ?? "(none)")")
            }
            return vhost
        }
        func record(_ error: AMQPError) { skipped.append(.string(error.text)) }
        for item in list(body, "exchanges") {
            let target = try vhost(for: item)
            guard let name = item["name"]?.stringValue, let type = item["type"]?.stringValue else {
                throw .badRequest("an exchange needs a name and a type")
            }
            do {
                try target.declareExchange(name: name, type: type, durable: try ExchangeHandlers.flag(item, "durable", default: true),
                                           autoDelete: try ExchangeHandlers.flag(item, "auto_delete", default: false),
                                           internal: try ExchangeHandlers.flag(item, "internal", default: false),
                                           arguments: try ExchangeHandlers.arguments(item))
            } catch let error as AMQPError { record(error) } catch { throw error as? HTTPFailure ?? .badRequest("\(error)") }
        }
        for item in list(body, "queues") {
            let target = try vhost(for: item)
            guard let name = item["name"]?.stringValue, !name.isEmpty else { throw .badRequest("a queue needs a name") }
            do {
                try target.declareQueue(name: name, durable: try ExchangeHandlers.flag(item, "durable", default: true),
                                        autoDelete: try ExchangeHandlers.flag(item, "auto_delete", default: false),
                                        arguments: try ExchangeHandlers.arguments(item), owner: ExchangeHandlers.apiConnection)
            } catch let error as AMQPError { record(error) } catch { throw error as? HTTPFailure ?? .badRequest("\(error)") }
        }
        for item in list(body, "bindings") {
            let target = try vhost(for: item)
            guard let source = item["source"]?.stringValue, let destination = item["destination"]?.stringValue else {
                throw .badRequest("a binding needs a source and a destination")
            }
            let key = item["routing_key"]?.stringValue ?? ""
            do {
                let arguments = try ExchangeHandlers.arguments(item)
                if item["destination_type"]?.stringValue == "exchange" {
                    try target.bindExchange(destination: destination, source: source, routingKey: key, arguments: arguments)
                } else {
                    try target.bindQueue(queue: destination, exchange: source, routingKey: key, arguments: arguments,
                                         connection: ExchangeHandlers.apiConnection)
                }
            } catch let error as AMQPError { record(error) } catch { throw error as? HTTPFailure ?? .badRequest("\(error)") }
        }
        return .json(.object([("skipped", .array(skipped))]), status: 200)
    }

    private static func list(_ body: JSONValue, _ key: String) -> [JSONValue] {
        if case .array(let items)? = body[key] { return items }
        return []
    }
}
