import AMQPProtocol
import WarrenCore

/// `/api/connections`, `/api/channels`, `/api/consumers`: the AMQP side as
/// the server sees it, read at request time on the loop.
enum ConnectionHandlers {
    static var routes: [Route] { [
        Route("GET", "api/connections", connections),
        Route("GET", "api/connections/:name", connection),
        Route("DELETE", "api/connections/:name", closeConnection),
        Route("GET", "api/connections/:name/channels", connectionChannels),
        Route("GET", "api/channels", channels),
        Route("GET", "api/channels/:name", channel),
        Route("GET", "api/consumers", consumers),
        Route("GET", "api/consumers/:vhost", vhostConsumers),
    ] }

    static func connections(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        .json(.array(context.server.context.connectionSnapshots.map { connectionJSON($0, context) }))
    }

    static func connection(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        guard let snapshot = context.server.context.connectionSnapshots.first(where: { $0.name == context.parameter(0) })
        else { throw .notFound }
        return .json(connectionJSON(snapshot, context))
    }

    /// Closes the AMQP connection with 320 CONNECTION_FORCED and the reason
    /// given in the `X-Reason` header, as RabbitMQ does.
    static func closeConnection(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        guard let connection = context.server.context.connection(named: context.parameter(0)) else { throw .notFound }
        let reason = context.request.header("x-reason") ?? "Closed via management plugin"
        context.server.log("\(connection.name): closing at the request of HTTP user '\(context.user?.name ?? "")'")
        connection.forceClose(reason: reason)
        return .noContent
    }

    static func connectionChannels(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        guard let snapshot = context.server.context.connectionSnapshots.first(where: { $0.name == context.parameter(0) })
        else { throw .notFound }
        return .json(.array(snapshot.channels.map { channelJSON($0, snapshot) }))
    }

    static func channels(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        var result: [JSONValue] = []
        for snapshot in context.server.context.connectionSnapshots {
            result.append(contentsOf: snapshot.channels.map { channelJSON($0, snapshot) })
        }
        return .json(.array(result))
    }

    static func channel(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        for snapshot in context.server.context.connectionSnapshots {
            if let channel = snapshot.channels.first(where: { $0.name == context.parameter(0) }) {
                return .json(channelJSON(channel, snapshot))
            }
        }
        throw .notFound
    }

    static func consumers(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let broker = context.broker
        return .json(.array(broker.virtualHostNames.flatMap { name in
            broker.virtualHost(named: name).map { consumersJSON(in: $0, context) } ?? []
        }))
    }

    static func vhostConsumers(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        .json(.array(consumersJSON(in: try context.virtualHost(), context)))
    }

    private static func consumersJSON(in vhost: VirtualHost, _ context: RequestContext) -> [JSONValue] {
        let channels = ManagementJSON.channelIndex(context.server)
        return vhost.queues.flatMap { queue in
            queue.consumers.map { ManagementJSON.consumer(for: $0, server: context.server, channels: channels) }
        }
    }

    private static func connectionJSON(_ snapshot: ConnectionSnapshot, _ context: RequestContext) -> JSONValue {
        let connection = snapshot.connection
        let configuration = context.server.context.configuration
        return .object([
            ("name", .string(snapshot.name)),
            ("node", .string(ProcessStatistics.nodeName)),
            ("state", .string(snapshot.isOpen ? "running" : "starting")),
            ("type", .string("network")),
            ("protocol", .string("AMQP 0-9-1")),
            ("user", .string(snapshot.user)),
            ("vhost", .string(snapshot.vhost)),
            ("channels", .integer(Int64(connection.channelCount))),
            ("peer_host", .string(snapshot.peer.host)),
            ("peer_port", .integer(Int64(snapshot.peer.port))),
            ("host", .string(configuration.bind)),
            ("port", .integer(Int64(context.server.amqpPort))),
            ("frame_max", .integer(Int64(connection.frameMax))),
            ("channel_max", .integer(Int64(connection.channelMax))),
            ("timeout", .integer(Int64(connection.heartbeatSeconds))),
            ("ssl", .bool(false)),
            ("client_properties", JSONValue(snapshot.clientProperties)),
        ])
    }

    private static func channelJSON(_ channel: ChannelSnapshot, _ connection: ConnectionSnapshot) -> JSONValue {
        let session = channel.session
        return .object([
            ("name", .string(channel.name)),
            ("number", .integer(Int64(channel.number))),
            ("node", .string(ProcessStatistics.nodeName)),
            ("state", .string("running")),
            ("user", .string(connection.user)),
            ("vhost", .string(session.virtualHost.name)),
            ("consumer_count", .integer(Int64(session.consumers.count))),
            ("messages_unacknowledged", .integer(Int64(session.unackedCount))),
            ("prefetch_count", .integer(Int64(session.consumerPrefetch))),
            ("global_prefetch_count", .integer(Int64(session.globalPrefetch))),
            ("confirm", .bool(session.isConfirmMode)),
            ("transactional", .bool(session.isTransactional)),
            ("connection_details", .object([
                ("name", .string(connection.name)),
                ("peer_host", .string(connection.peer.host)),
                ("peer_port", .integer(Int64(connection.peer.port))),
            ])),
        ])
    }
}
