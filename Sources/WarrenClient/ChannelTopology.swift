import AMQPProtocol

/// Exchanges, queues and bindings. Every flag of the protocol is a parameter;
/// with `noWait` the request is sent without waiting for a reply (an error
/// then arrives later, as a channel close), and results that would come in
/// the reply are zero.
extension Channel {
    public func declareExchange(
        _ name: String, type: ExchangeType = .direct, passive: Bool = false, durable: Bool = false,
        autoDelete: Bool = false, internal: Bool = false, noWait: Bool = false, arguments: FieldTable = FieldTable()
    ) async throws(ClientError) {
        try await perform(.exchangeDeclare(ExchangeDeclare(
            exchange: name, type: type.rawValue, passive: passive, durable: durable, autoDelete: autoDelete,
            internal: `internal`, noWait: noWait, arguments: arguments)))
    }

    public func deleteExchange(_ name: String, ifUnused: Bool = false, noWait: Bool = false) async throws(ClientError) {
        try await perform(.exchangeDelete(ExchangeDelete(exchange: name, ifUnused: ifUnused, noWait: noWait)))
    }

    /// Exchange-to-exchange binding (a RabbitMQ extension): messages routed by
    /// `source` with a matching key flow on to `destination`.
    public func bindExchange(
        destination: String, source: String, routingKey: String = "", noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) async throws(ClientError) {
        try await perform(.exchangeBind(ExchangeBind(
            destination: destination, source: source, routingKey: routingKey, noWait: noWait, arguments: arguments)))
    }

    public func unbindExchange(
        destination: String, source: String, routingKey: String = "", noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) async throws(ClientError) {
        try await perform(.exchangeUnbind(ExchangeUnbind(
            destination: destination, source: source, routingKey: routingKey, noWait: noWait, arguments: arguments)))
    }

    /// Declares a queue; an empty name asks the broker to choose one, which
    /// the result carries (with `noWait` the result echoes `name` and zero counts).
    @discardableResult
    public func declareQueue(
        _ name: String = "", passive: Bool = false, durable: Bool = false, exclusive: Bool = false,
        autoDelete: Bool = false, noWait: Bool = false, arguments: FieldTable = FieldTable()
    ) async throws(ClientError) -> QueueDeclareResult {
        let reply = try await perform(.queueDeclare(QueueDeclare(
            queue: name, passive: passive, durable: durable, exclusive: exclusive, autoDelete: autoDelete,
            noWait: noWait, arguments: arguments)))
        guard case .queueDeclareOk(let ok)? = reply else {
            return QueueDeclareResult(name: name, messageCount: 0, consumerCount: 0)
        }
        return QueueDeclareResult(name: ok.queue, messageCount: ok.messageCount, consumerCount: ok.consumerCount)
    }

    public func bindQueue(
        _ queue: String, exchange: String, routingKey: String = "", noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) async throws(ClientError) {
        try await perform(.queueBind(QueueBind(
            queue: queue, exchange: exchange, routingKey: routingKey, noWait: noWait, arguments: arguments)))
    }

    /// `queue.unbind` has no no-wait flag in AMQP 0-9-1.
    public func unbindQueue(
        _ queue: String, exchange: String, routingKey: String = "", arguments: FieldTable = FieldTable()
    ) async throws(ClientError) {
        try await perform(.queueUnbind(QueueUnbind(
            queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments)))
    }

    /// Removes the queue's ready messages; returns how many.
    @discardableResult
    public func purgeQueue(_ queue: String, noWait: Bool = false) async throws(ClientError) -> UInt32 {
        guard case .queuePurgeOk(let ok)? = try await perform(.queuePurge(QueuePurge(queue: queue, noWait: noWait)))
        else { return 0 }
        return ok.messageCount
    }

    /// Deletes the queue; returns how many messages it held.
    @discardableResult
    public func deleteQueue(
        _ queue: String, ifUnused: Bool = false, ifEmpty: Bool = false, noWait: Bool = false
    ) async throws(ClientError) -> UInt32 {
        let reply = try await perform(.queueDelete(QueueDelete(
            queue: queue, ifUnused: ifUnused, ifEmpty: ifEmpty, noWait: noWait)))
        guard case .queueDeleteOk(let ok)? = reply else { return 0 }
        return ok.messageCount
    }

    /// Sends `method` and waits for its reply when it expects one (its
    /// no-wait bit clear); returns the reply method, or nil for no-wait.
    @discardableResult
    func perform(_ method: Method) async throws(ClientError) -> Method? {
        guard method.expectsReply else {
            try send(method)
            return nil
        }
        switch try await request(method) {
        case .method(let reply): return reply
        case .content(let content): return content.method
        }
    }
}
