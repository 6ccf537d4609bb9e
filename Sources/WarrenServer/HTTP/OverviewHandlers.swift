import AMQPProtocol
import WarrenCore

/// `/api/overview`, `/api/nodes`, `/api/vhosts`, `/api/users`, `/api/whoami`.
enum OverviewHandlers {
    static var routes: [Route] { [
        Route("GET", "api/overview", overview),
        Route("GET", "api/nodes", nodes),
        Route("GET", "api/nodes/:name", node),
        Route("GET", "api/vhosts", vhosts),
        Route("GET", "api/vhosts/:vhost", vhost),
        Route("GET", "api/users", users),
        Route("GET", "api/users/:name", user),
        Route("GET", "api/whoami", whoami),
    ] }

    static func overview(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let server = context.server
        let broker = context.broker
        var totals = MessageCounters()
        var ready = 0
        var unacked = 0
        var exchanges = 0
        var queues = 0
        var consumers = 0
        for name in broker.virtualHostNames {
            guard let vhost = broker.virtualHost(named: name) else { continue }
            totals = totals + vhost.counters
            for queue in vhost.queues {
                ready += queue.messageCount
                unacked += queue.unackedCount
                consumers += queue.consumerCount
            }
            queues += vhost.queues.count
            exchanges += vhost.exchanges.count
        }
        let rates = server.statistics.totalRates
        let snapshots = server.context.connectionSnapshots
        let configuration = server.context.configuration
        return .json(.object([
            ("management_version", .string(ServerProperties.version)),
            ("rabbitmq_version", .string(ServerProperties.version)),
            ("product_name", .string("Warren")),
            ("product_version", .string(ServerProperties.version)),
            ("cluster_name", .string(ProcessStatistics.nodeName)),
            ("node", .string(ProcessStatistics.nodeName)),
            ("message_stats", withSamples(StatisticsSampler.Rates.messageStats(totals, rates), context, [
                ("publish_details", { Int64(clamping: $0.counters.published) }),
                ("deliver_get_details", { Int64(clamping: $0.counters.delivered) }),
                ("ack_details", { Int64(clamping: $0.counters.acknowledged) }),
                ("redeliver_details", { Int64(clamping: $0.counters.redelivered) }),
            ])),
            ("queue_totals", withSamples(.object([
                ("messages", .integer(Int64(ready + unacked))),
                ("messages_details", StatisticsSampler.Rates.details(rates.messages)),
                ("messages_ready", .integer(Int64(ready))),
                ("messages_ready_details", StatisticsSampler.Rates.details(rates.ready)),
                ("messages_unacknowledged", .integer(Int64(unacked))),
                ("messages_unacknowledged_details", StatisticsSampler.Rates.details(rates.unacknowledged)),
            ]), context, [
                ("messages_ready_details", { Int64($0.ready) }),
                ("messages_unacknowledged_details", { Int64($0.unacknowledged) }),
            ])),
            ("object_totals", .object([
                ("connections", .integer(Int64(snapshots.count))),
                ("channels", .integer(Int64(snapshots.reduce(0) { $0 + $1.connection.channelCount }))),
                ("exchanges", .integer(Int64(exchanges))),
                ("queues", .integer(Int64(queues))),
                ("consumers", .integer(Int64(consumers))),
            ])),
            ("listeners", .array([
                listener("amqp", configuration.bind, server.amqpPort),
                listener("http", configuration.bind, Int(server.listener.localPort)),
            ])),
            ("uptime", .integer(Int64(clamping: wallClockMilliseconds() &- server.startedAt))),
        ]))
    }

    /// With `?msg_rates_age=…` or `?lengths_age=…`, each named `_details`
    /// object also gets the sampler's history as `samples` (newest first).
    private static func withSamples(_ stats: JSONValue, _ context: RequestContext,
                                    _ series: [(String, (StatisticsSampler.HistoryPoint) -> Int64)]) -> JSONValue {
        let query = context.request.query
        guard query["msg_rates_age"] != nil || query["lengths_age"] != nil, case .object(var members) = stats else {
            return stats
        }
        for (name, value) in series {
            guard let index = members.firstIndex(where: { $0.0 == name }), case .object(var details) = members[index].1
            else { continue }
            details.append(("samples", context.server.statistics.samples(value)))
            members[index].1 = .object(details)
        }
        return .object(members)
    }

    private static func listener(_ protocolName: String, _ address: String, _ port: Int) -> JSONValue {
        .object([("node", .string(ProcessStatistics.nodeName)), ("protocol", .string(protocolName)),
                 ("ip_address", .string(address)), ("port", .integer(Int64(port)))])
    }

    static func nodes(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        .json(.array([nodeJSON(context)]))
    }

    static func node(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        guard context.parameter(0) == ProcessStatistics.nodeName else { throw .notFound }
        return .json(nodeJSON(context))
    }

    private static func nodeJSON(_ context: RequestContext) -> JSONValue {
        .object([
            ("name", .string(ProcessStatistics.nodeName)),
            ("type", .string("disc")),
            ("running", .bool(true)),
            ("os_pid", .string(String(ProcessStatistics.processID))),
            ("mem_used", .integer(Int64(ProcessStatistics.residentMemoryBytes))),
            ("fd_used", .integer(Int64(ProcessStatistics.openFileDescriptors))),
            ("fd_total", .integer(Int64(ProcessStatistics.fileDescriptorLimit))),
            ("sockets_used", .integer(Int64(context.server.context.connections.count + context.server.connectionCount))),
            ("processors", .integer(Int64(ProcessStatistics.processorCount))),
            ("uptime", .integer(Int64(clamping: wallClockMilliseconds() &- context.server.startedAt))),
        ])
    }

    static func vhosts(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let broker = context.broker
        return .json(.array(broker.virtualHostNames.compactMap { name in
            broker.virtualHost(named: name).map { vhostJSON($0, context: context) }
        }))
    }

    static func vhost(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        .json(vhostJSON(try context.virtualHost(), context: context))
    }

    private static func vhostJSON(_ vhost: VirtualHost, context: RequestContext) -> JSONValue {
        let rates = context.server.statistics.rates(vhost: vhost.name)
        let ready = vhost.queues.reduce(0) { $0 + $1.messageCount }
        let unacked = vhost.queues.reduce(0) { $0 + $1.unackedCount }
        return .object([
            ("name", .string(vhost.name)),
            ("description", .string(vhost.name == "/" ? "Default virtual host" : "")),
            ("tags", .array([])),
            ("default_queue_type", .string("classic")),
            ("tracing", .bool(false)),
            ("messages", .integer(Int64(ready + unacked))),
            ("messages_ready", .integer(Int64(ready))),
            ("messages_unacknowledged", .integer(Int64(unacked))),
            ("message_stats", StatisticsSampler.Rates.messageStats(vhost.counters, rates)),
            ("cluster_state", .object([(ProcessStatistics.nodeName, .string("running"))])),
        ])
    }

    static func users(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let broker = context.broker
        return .json(.array(broker.userNames.compactMap { broker.user(named: $0).map(userJSON) }))
    }

    static func user(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        guard let user = context.broker.user(named: context.parameter(0)) else { throw .notFound }
        return .json(userJSON(user))
    }

    /// Warren keeps no password hashes to show: `password_hash` is empty.
    static func userJSON(_ user: User) -> JSONValue {
        .object([
            ("name", .string(user.name)),
            ("password_hash", .string("")),
            ("hashing_algorithm", .string("rabbit_password_hashing_sha256")),
            ("tags", .array(user.tags.map { .string($0) })),
            ("limits", .object([])),
        ])
    }

    static func whoami(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        guard let user = context.user else { throw .notFound }
        return .json(.object([("name", .string(user.name)), ("tags", .array(user.tags.map { .string($0) }))]))
    }
}
