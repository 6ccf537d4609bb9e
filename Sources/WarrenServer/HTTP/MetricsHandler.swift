import WarrenCore

/// `GET /metrics` in Prometheus' text format (version 0.0.4). Like
/// RabbitMQ's Prometheus endpoint it asks for no credentials.
enum MetricsHandler {
    static var routes: [Route] { [
        Route("GET", "metrics", authenticated: false, metrics),
    ] }

    static func metrics(_ context: RequestContext) throws(HTTPFailure) -> HTTPResponse {
        let server = context.server
        let broker = context.broker
        var text = MetricsText()
        let snapshots = server.context.connectionSnapshots
        text.gauge("warren_connections", "AMQP connections open.", snapshots.count)
        text.gauge("warren_channels", "AMQP channels open.", snapshots.reduce(0) { $0 + $1.connection.channelCount })
        text.gauge("warren_http_connections", "HTTP connections open.", server.connectionCount)
        let vhosts = broker.virtualHostNames.compactMap { broker.virtualHost(named: $0) }
        text.gauge("warren_queues", "Queues.", vhosts.reduce(0) { $0 + $1.queues.count })
        text.gauge("warren_consumers", "Consumers.",
                   vhosts.reduce(0) { total, vhost in vhost.queues.reduce(total) { $0 + $1.consumerCount } })

        text.header("warren_queue_messages_ready", "Messages ready for delivery, per queue.", type: "gauge")
        for vhost in vhosts {
            for queue in vhost.queues {
                text.sample("warren_queue_messages_ready", labels(vhost, queue), UInt64(queue.messageCount))
            }
        }
        text.header("warren_queue_messages_unacked", "Messages delivered and not yet acknowledged, per queue.", type: "gauge")
        for vhost in vhosts {
            for queue in vhost.queues {
                text.sample("warren_queue_messages_unacked", labels(vhost, queue), UInt64(queue.unackedCount))
            }
        }
        let counters: [(String, String, (MessageCounters) -> UInt64)] = [
            ("warren_messages_published_total", "Messages published, per vhost.", { $0.published }),
            ("warren_messages_delivered_total", "Deliveries to consumers and basic.get, per vhost.", { $0.delivered }),
            ("warren_messages_acknowledged_total", "Deliveries acknowledged, per vhost.", { $0.acknowledged }),
            ("warren_messages_redelivered_total", "Redeliveries, per vhost.", { $0.redelivered }),
        ]
        for (name, help, value) in counters {
            text.header(name, help, type: "counter")
            for vhost in vhosts { text.sample(name, "vhost=\"\(escape(vhost.name))\"", value(vhost.counters)) }
        }
        text.gauge("warren_process_resident_memory_bytes", "Resident set size (from /proc/self/statm).",
                   ProcessStatistics.residentMemoryBytes)
        text.gauge("warren_process_open_fds", "Open file descriptors (entries of /proc/self/fd).",
                   ProcessStatistics.openFileDescriptors)
        text.gauge("warren_process_max_fds", "The limit on open file descriptors.", ProcessStatistics.fileDescriptorLimit)
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                            body: Array(text.output.utf8))
    }

    private static func labels(_ vhost: VirtualHost, _ queue: Queue) -> String {
        "vhost=\"\(escape(vhost.name))\",queue=\"\(escape(queue.name))\""
    }

    /// Label values escape backslash, double quote and newline.
    static func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }
}

/// Accumulates the exposition text.
private struct MetricsText {
    var output = ""

    mutating func header(_ name: String, _ help: String, type: String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: String, _ value: UInt64) {
        output += "\(name){\(labels)} \(value)\n"
    }

    mutating func gauge(_ name: String, _ help: String, _ value: Int) {
        header(name, help, type: "gauge")
        output += "\(name) \(value)\n"
    }
}
