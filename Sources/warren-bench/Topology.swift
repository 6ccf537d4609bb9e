import AMQPProtocol

/// The exchange, queues and bindings one scenario declares before it runs
/// and deletes after, so that runs leave nothing behind.
struct Topology: Sendable {
    struct Exchange: Sendable {
        var name: String
        var type: String
    }

    struct QueueSpec: Sendable {
        var name: String
        var durable = false
        /// Routing keys (or topic patterns) binding this queue to `exchange`.
        var bindingKeys: [String] = []
    }

    var exchange: Exchange?
    var queues: [QueueSpec] = []

    /// Declares everything on channel 1 of `control`. Bindings are pipelined
    /// 500 at a time, so 10,000 of them cost 20 round trips, not 10,000.
    func declare(on control: AMQPConnection) throws(BenchError) {
        if let exchange {
            try control.call(.exchangeDeclare(ExchangeDeclare(exchange: exchange.name, type: exchange.type)))
        }
        for queue in queues {
            try control.call(.queueDeclare(QueueDeclare(queue: queue.name, durable: queue.durable)))
            guard let exchange else { continue }
            var start = 0
            while start < queue.bindingKeys.count {
                let end = min(start + 500, queue.bindingKeys.count)
                let binds = queue.bindingKeys[start..<end].map {
                    Method.queueBind(QueueBind(queue: queue.name, exchange: exchange.name, routingKey: $0))
                }
                try control.pipeline(binds)
                start = end
            }
        }
    }

    /// Deletes the queues and the exchange. A queue that is already gone is
    /// not an error (RabbitMQ answers delete-ok; a 404 would close the channel,
    /// so the channel is reopened and cleanup goes on).
    func delete(on control: AMQPConnection) throws(BenchError) {
        for queue in queues {
            try deleteTolerantly(on: control, .queueDelete(QueueDelete(queue: queue.name)))
        }
        if let exchange {
            try deleteTolerantly(on: control, .exchangeDelete(ExchangeDelete(exchange: exchange.name)))
        }
    }

    private func deleteTolerantly(on control: AMQPConnection, _ request: Method) throws(BenchError) {
        do {
            try control.call(request, timeoutSeconds: 120)
        } catch .channelClosed(let code, _, _, _) where code == 404 {
            try control.call(.channelOpen(ChannelOpen()))
        }
    }
}

extension AMQPConnection {
    /// Opens a connection and its channel 1: what every worker starts with.
    static func openWithChannel(_ url: AMQPURL, name: String, stop: StopFlag? = nil) throws(BenchError) -> AMQPConnection {
        let connection = try AMQPConnection.open(url, name: name, stop: stop)
        try connection.call(.channelOpen(ChannelOpen()))
        return connection
    }

    /// The number of ready messages in `queue` (a passive declare).
    func messageCount(queue: String) throws(BenchError) -> Int {
        guard case .queueDeclareOk(let ok) = try call(.queueDeclare(QueueDeclare(queue: queue, passive: true))) else {
            throw .protocolViolation("queue.declare did not answer queue.declare-ok")
        }
        return Int(ok.messageCount)
    }
}
