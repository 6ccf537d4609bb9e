import AMQPProtocol
import WarrenCore

/// The JSON shapes of RabbitMQ's management API for Warren's objects, shared
/// by the listings, the single-object endpoints and the definitions export.
enum ManagementJSON {
    static func queue(_ queue: Queue, in vhost: VirtualHost, server: HTTPServer, detailed: Bool = false) -> JSONValue {
        let rates = server.statistics.rates(vhost: vhost.name, queue: queue.name)
        let ready = queue.messageCount
        let unacked = queue.unackedCount
        var members: [(String, JSONValue)] = [
            ("name", .string(queue.name)),
            ("vhost", .string(vhost.name)),
            ("durable", .bool(queue.isDurable)),
            ("auto_delete", .bool(queue.isAutoDelete)),
            ("exclusive", .bool(queue.isExclusive)),
            ("arguments", JSONValue(queue.arguments)),
            ("type", .string("classic")),
            ("node", .string(ProcessStatistics.nodeName)),
            ("state", .string("running")),
            ("consumers", .integer(Int64(queue.consumerCount))),
            ("messages", .integer(Int64(ready + unacked))),
            ("messages_details", StatisticsSampler.Rates.details(rates.messages)),
            ("messages_ready", .integer(Int64(ready))),
            ("messages_ready_details", StatisticsSampler.Rates.details(rates.ready)),
            ("messages_unacknowledged", .integer(Int64(unacked))),
            ("messages_unacknowledged_details", StatisticsSampler.Rates.details(rates.unacknowledged)),
            ("message_stats", StatisticsSampler.Rates.messageStats(queue.counters, rates)),
        ]
        if let owner = queue.exclusiveOwner, let connection = server.context.connections[owner] {
            members.append(("owner_pid_details", .object([("name", .string(connection.name)),
                                                          ("peer_host", .string(connection.socket.peer.host)),
                                                          ("peer_port", .integer(Int64(connection.socket.peer.port)))])))
        }
        if detailed {
            let channels = channelIndex(server)
            members.append(("consumer_details", .array(queue.consumers.map { consumer(for: $0, server: server, channels: channels) })))
        }
        return .object(members)
    }

    static func exchange(_ exchange: Exchange, in vhost: VirtualHost) -> JSONValue {
        .object([
            ("name", .string(exchange.name)),
            ("vhost", .string(vhost.name)),
            ("type", .string(exchange.type.rawValue)),
            ("durable", .bool(exchange.isDurable)),
            ("auto_delete", .bool(exchange.isAutoDelete)),
            ("internal", .bool(exchange.isInternal)),
            ("arguments", JSONValue(exchange.arguments)),
        ])
    }

    /// Every binding of a vhost, RabbitMQ's way: the default exchange's
    /// implicit binding to each queue first, then each exchange's, in order.
    static func bindings(in vhost: VirtualHost) -> [JSONValue] {
        var result = vhost.queues.map { queue in
            binding(Binding(source: "", destination: .queue(queue.name), routingKey: queue.name), in: vhost)
        }
        for exchange in vhost.exchanges {
            result.append(contentsOf: exchange.bindings.map { binding($0, in: vhost) })
        }
        return result
    }

    static func binding(_ binding: Binding, in vhost: VirtualHost) -> JSONValue {
        let (destination, type): (String, String) = switch binding.destination {
        case .queue(let name): (name, "queue")
        case .exchange(let name): (name, "exchange")
        }
        return .object([
            ("source", .string(binding.source)),
            ("vhost", .string(vhost.name)),
            ("destination", .string(destination)),
            ("destination_type", .string(type)),
            ("routing_key", .string(binding.routingKey)),
            ("arguments", JSONValue(binding.arguments)),
            ("properties_key", .string(propertiesKey(binding))),
        ])
    }

    /// The name a binding goes by in URLs: `~` for an empty key without
    /// arguments, the key itself without arguments, otherwise the key, `~`
    /// and a hash of the arguments (FNV-1a of their JSON, base64url; stable
    /// for Warren, not the same hash as RabbitMQ's).
    static func propertiesKey(_ binding: Binding) -> String {
        if binding.arguments.isEmpty { return binding.routingKey.isEmpty ? "~" : binding.routingKey }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONValue(binding.arguments).encoded {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var text: [UInt8] = []
        for _ in 0..<11 {
            text.append(alphabet[Int(hash & 63)])
            hash >>= 6
        }
        return binding.routingKey + "~" + String(decoding: text, as: UTF8.self)
    }

    /// Every open channel by its session, to name a consumer's channel.
    static func channelIndex(_ server: HTTPServer) -> [ObjectIdentifier: ChannelSnapshot] {
        var index: [ObjectIdentifier: ChannelSnapshot] = [:]
        for connection in server.context.connectionSnapshots {
            for channel in connection.channels { index[ObjectIdentifier(channel.session)] = channel }
        }
        return index
    }

    static func consumer(for consumer: Consumer, server: HTTPServer,
                         channels: [ObjectIdentifier: ChannelSnapshot]) -> JSONValue {
        let session = consumer.session
        let connection = server.context.connections[session.connection]
        let channel = channels[ObjectIdentifier(session)]
        return .object([
            ("consumer_tag", .string(consumer.tag)),
            ("queue", .object([("name", .string(consumer.queue.name)), ("vhost", .string(session.virtualHost.name))])),
            ("channel_details", .object([
                ("name", .string(channel?.name ?? "")),
                ("number", .integer(Int64(channel?.number ?? 0))),
                ("connection_name", .string(connection?.name ?? "")),
                ("peer_host", .string(connection?.socket.peer.host ?? "")),
                ("peer_port", .integer(Int64(connection?.socket.peer.port ?? 0))),
                ("user", .string(connection?.user?.name ?? "")),
            ])),
            ("ack_required", .bool(!consumer.noAck)),
            ("exclusive", .bool(consumer.isExclusive)),
            ("prefetch_count", .integer(Int64(consumer.prefetchLimit))),
            ("arguments", JSONValue(consumer.arguments)),
            ("active", .bool(true)),
            ("activity_status", .string("up")),
        ])
    }
}
