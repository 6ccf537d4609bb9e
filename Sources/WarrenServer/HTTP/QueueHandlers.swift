import AMQPProtocol
import WarrenCore

/// `/api/queues`: list, show, declare (PUT), delete, purge, and their bindings.
enum QueueHandlers {
    static var routes: [Route] { [
        Route("GET", "api/queues", all),
        Route("GET", "api/queues/:vhost", inVhost),
        Route("GET", "api/queues/:vhost/:name", show),
        Route("PUT", "api/queues/:vhost/:name", declare),
        Route("DELETE", "api/queues/:vhost/:name", delete),
        Route("DELETE", "api/queues/:vhost/:name/contents", purge),
        Route("GET", "api/queues/:vhost/:name/bindings", bindings),
    ] }

    static func all(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let broker = context.broker
        return .json(.array(broker.virtualHostNames.flatMap { name -> [JSONValue] in
            guard let vhost = broker.virtualHost(named: name) else { return [] }
            return vhost.queues.map { ManagementJSON.queue($0, in: vhost, server: context.server) }
        }))
    }

    static func inVhost(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        return .json(.array(vhost.queues.map { ManagementJSON.queue($0, in: vhost, server: context.server) }))
    }

    static func show(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, queue) = try existing(context)
        return .json(ManagementJSON.queue(queue, in: vhost, server: context.server, detailed: true))
    }

    /// `{"durable": true, "auto_delete": false, "arguments": {}}`: 201 when
    /// made, 204 when an equivalent one exists, 400 when it differs or the
    /// name is reserved. (Exclusive queues belong to AMQP connections.)
    static func declare(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let vhost = try context.virtualHost()
        let name = context.parameter(1)
        guard !name.isEmpty else { throw .badRequest("a queue name is required") }
        let body = try context.jsonObject()
        let existed = vhost.queue(named: name) != nil
        let durable = try ExchangeHandlers.flag(body, "durable", default: true)
        let autoDelete = try ExchangeHandlers.flag(body, "auto_delete", default: false)
        let arguments = try ExchangeHandlers.arguments(body)
        do {
            try vhost.declareQueue(name: name, durable: durable, autoDelete: autoDelete, arguments: arguments,
                                   owner: ExchangeHandlers.apiConnection)
        } catch {
            throw HTTPFailure(error)
        }
        return existed ? .noContent : .created
    }

    /// 204; `?if-empty=true` and `?if-unused=true` make it conditional (400 when not).
    static func delete(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, queue) = try existing(context)
        do {
            try vhost.deleteQueue(name: queue.name, ifUnused: context.queryFlag("if-unused"),
                                  ifEmpty: context.queryFlag("if-empty"), connection: owner(of: queue))
        } catch {
            throw HTTPFailure(error)
        }
        return .noContent
    }

    /// Drops the ready messages (unacknowledged ones stay with their consumers).
    static func purge(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, queue) = try existing(context)
        do {
            try vhost.purgeQueue(name: queue.name, connection: owner(of: queue))
        } catch {
            throw HTTPFailure(error)
        }
        return .noContent
    }

    static func bindings(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let (vhost, queue) = try existing(context)
        return .json(.array(ManagementJSON.bindings(in: vhost).filter {
            $0["destination"]?.stringValue == queue.name && $0["destination_type"]?.stringValue == "queue"
        }))
    }

    /// The vhost and queue named by the path, or 404.
    static func existing(_ context: RequestContext) throws(HTTPFailure) -> (VirtualHost, Queue) {
        let vhost = try context.virtualHost()
        guard let queue = vhost.queue(named: context.parameter(1)) else { throw .notFound }
        return (vhost, queue)
    }

    /// The administrator may delete or purge any queue, exclusive ones too
    /// (as in RabbitMQ's management UI): act as its owner.
    static func owner(of queue: Queue) -> ConnectionID {
        queue.exclusiveOwner ?? ExchangeHandlers.apiConnection
    }
}
