import AMQPProtocol
import WarrenCore

/// One open AMQP channel: content assembly, the mapping of methods onto the
/// broker's operations, and deliveries back out as frames.
///
/// Soft errors end here (channel.close with the error's code); hard errors
/// are thrown to the connection. Confined to the event-loop thread.
final class ServerChannel {
    let number: UInt16
    unowned let connection: ClientConnection
    let virtualHost: VirtualHost
    /// The broker's side of this channel. It holds the channel as its
    /// delivery sink until `close()`, which is why it is made lazily: the
    /// sink is `self`, and `self` is not whole until `init` returns.
    private(set) lazy var session = Session(connection: connection.id, virtualHost: virtualHost, sink: self)
    @exclusivity(unchecked) private var assembler: PublishAssembler
    /// Warren sent channel.close and waits for close-ok.
    @exclusivity(unchecked) private(set) var isClosing = false
    /// The queue most recently declared here, which an empty queue name means (RabbitMQ's shortcut).
    private var lastDeclaredQueue = ""
    /// Confirms and a commit-ok waiting for the disk (see `PersistenceConfirms.swift`).
    @exclusivity(unchecked) var diskWaits = DiskWaits()

    init(number: UInt16, connection: ClientConnection, virtualHost: VirtualHost) {
        self.number = number
        self.connection = connection
        self.virtualHost = virtualHost
        assembler = PublishAssembler(maximumBodySize: connection.server.configuration.maximumMessageSize)
    }

    // MARK: - Frames in

    /// Handles one frame for this channel; throws only hard (connection) errors.
    /// `basic.publish` and content frames are taken undecoded (`PublishAssembler`);
    /// other methods are decoded here.
    func receive(_ raw: RawFrame) throws(AMQPError) {
        if isClosing {
            try receiveWhileClosing(Frame(raw))
            return
        }
        if try holdWhileCommitting(raw) { return }
        do {
            try dispatch(raw)
        } catch let error where !error.isConnectionError {
            close(with: error)
        }
    }

    private func dispatch(_ raw: RawFrame) throws(AMQPError) {
        switch raw.type {
        case .method:
            if let publish = try Self.decodePublish(raw.payload) {
                try publishing { () throws(AMQPError) in try assembler.begin(publish) }
                return
            }
            guard case .method(_, let method) = try Frame(raw) else { return }
            guard !assembler.isAssembling else { throw assembler.unexpected() }
            // A content method only the server may send (basic.deliver, basic.return,
            // basic.get-ok) is refused at once rather than after its content.
            guard !method.hasContent else {
                throw AMQPError(.commandInvalid, "unimplemented method", classID: method.classID, methodID: method.methodID)
            }
            try handle(method)
        case .header:
            guard let publish = try publishing({ () throws(AMQPError) in try assembler.header(raw.payload) }) else { return }
            try handle(publish)
        case .body:
            guard let publish = try publishing({ () throws(AMQPError) in try assembler.body(raw.payload) }) else { return }
            try handle(publish)
        case .heartbeat:
            _ = try Frame(raw)  // refused: a heartbeat on a channel other than 0
        }
    }

    /// `basic.publish`'s arguments when `payload` is that method, without making a `Method`.
    private static func decodePublish(_ payload: ArraySlice<UInt8>) throws(AMQPError) -> BasicPublish? {
        let start = payload.startIndex
        guard payload.count >= 4, payload[start] == 0, payload[start + 1] == UInt8(BasicPublish.classID),
              payload[start + 2] == 0, payload[start + 3] == UInt8(BasicPublish.methodID) else { return nil }
        var reader = ByteReader(payload[(start + 4)...])
        do throws(AMQPError) {
            let publish = try BasicPublish(from: &reader)
            guard reader.isAtEnd else {
                throw AMQPError(.frameError, "basic.publish has \(reader.remaining) bytes after its arguments")
            }
            return publish
        } catch {
            var error = error
            error.classID = BasicPublish.classID
            error.methodID = BasicPublish.methodID
            throw error
        }
    }

    /// Runs a step of the publish assembler. A message larger than the configured
    /// maximum is the soft 406 of basic.publish, so soft errors name that method.
    private func publishing<Result>(_ step: () throws(AMQPError) -> Result) throws(AMQPError) -> Result {
        do {
            return try step()
        } catch var error {
            if !error.isConnectionError, error.classID == 0 {
                error.classID = BasicPublish.classID
                error.methodID = BasicPublish.methodID
            }
            throw error
        }
    }

    /// After channel.close, only channel.close (answered) and close-ok count.
    private func receiveWhileClosing(_ frame: Frame) throws(AMQPError) {
        guard case .method(_, let method) = frame else { return }
        switch method {
        case .channelCloseOk:
            connection.channelClosed(number)
        case .channelClose:
            send(.channelCloseOk(ChannelCloseOk()))
        default:
            return
        }
    }

    func close(with error: AMQPError) {
        connection.server.log("\(connection.name): channel \(number) error \(error)")
        isClosing = true
        assembler.reset()
        session.close()
        send(.channelClose(ChannelClose(replyCode: error.code.rawValue, replyText: error.text,
                                        classId: error.classID, methodId: error.methodID)))
    }

    /// The connection went away or closed: release the session's work.
    func connectionClosed() {
        session.close()
    }

    // MARK: - Methods

    private func handle(_ method: Method) throws(AMQPError) {
        do {
            try dispatch(method)
        } catch var error {
            if error.classID == 0 {
                error.classID = method.classID
                error.methodID = method.methodID
            }
            throw error
        }
    }

    private func dispatch(_ method: Method) throws(AMQPError) {
        switch method {
        case .channelClose:
            session.close()
            send(.channelCloseOk(ChannelCloseOk()))
            connection.channelClosed(number)
        case .channelCloseOk:
            return
        case .channelOpen:
            throw AMQPError(.channelError, "second 'channel.open' seen")
        case .channelFlow(let flow):
            guard flow.active else { throw AMQPError(.notImplemented, "active=false") }
            send(.channelFlowOk(ChannelFlowOk(active: true)))
        case .exchangeDeclare, .exchangeDelete, .exchangeBind, .exchangeUnbind:
            try handleExchangeMethod(method)
        case .queueDeclare, .queueBind, .queueUnbind, .queuePurge, .queueDelete:
            try handleQueueMethod(method)
        case .basicQos(let qos):
            try session.qos(prefetchSize: qos.prefetchSize, prefetchCount: qos.prefetchCount, global: qos.global)
            send(.basicQosOk(BasicQosOk()))
        case .basicConsume(let consume):
            try startConsumer(consume)
        case .basicCancel(let cancel):
            virtualHost.cancel(tag: cancel.consumerTag, session: session)
            if !cancel.noWait { send(.basicCancelOk(BasicCancelOk(consumerTag: cancel.consumerTag))) }
        case .basicGet(let get):
            try handleGet(get)
        case .basicAck(let ack):
            try session.ack(deliveryTag: ack.deliveryTag, multiple: ack.multiple)
        case .basicNack(let nack):
            try session.nack(deliveryTag: nack.deliveryTag, multiple: nack.multiple, requeue: nack.requeue)
        case .basicReject(let reject):
            try session.reject(deliveryTag: reject.deliveryTag, requeue: reject.requeue)
        case .basicRecover(let recover):
            try session.recover(requeue: recover.requeue)
            send(.basicRecoverOk(BasicRecoverOk()))
        case .basicRecoverAsync(let recover):
            try session.recover(requeue: recover.requeue)
        case .confirmSelect(let select):
            try session.selectConfirm()
            if !select.noWait { send(.confirmSelectOk(ConfirmSelectOk())) }
        case .txSelect:
            try session.selectTransaction()
            send(.txSelectOk(TxSelectOk()))
        case .txCommit:
            for message in try session.commit() { sendReturn(message) }
            finishCommit()
        case .txRollback:
            try session.rollback()
            send(.txRollbackOk(TxRollbackOk()))
        default:
            throw AMQPError(.commandInvalid, "unimplemented method")
        }
    }

    private func handleExchangeMethod(_ method: Method) throws(AMQPError) {
        switch method {
        case .exchangeDeclare(let declare):
            try virtualHost.declareExchange(name: declare.exchange, type: declare.type, passive: declare.passive,
                                            durable: declare.durable, autoDelete: declare.autoDelete,
                                            internal: declare.internal, arguments: declare.arguments)
            if !declare.noWait { send(.exchangeDeclareOk(ExchangeDeclareOk())) }
        case .exchangeDelete(let delete):
            try virtualHost.deleteExchange(name: delete.exchange, ifUnused: delete.ifUnused)
            if !delete.noWait { send(.exchangeDeleteOk(ExchangeDeleteOk())) }
        case .exchangeBind(let bind):
            try virtualHost.bindExchange(destination: bind.destination, source: bind.source,
                                         routingKey: bind.routingKey, arguments: bind.arguments)
            if !bind.noWait { send(.exchangeBindOk(ExchangeBindOk())) }
        case .exchangeUnbind(let unbind):
            try virtualHost.unbindExchange(destination: unbind.destination, source: unbind.source,
                                           routingKey: unbind.routingKey, arguments: unbind.arguments)
            if !unbind.noWait { send(.exchangeUnbindOk(ExchangeUnbindOk())) }
        default:
            return
        }
    }

    private func handleQueueMethod(_ method: Method) throws(AMQPError) {
        let owner = connection.id
        switch method {
        case .queueDeclare(let declare):
            let name = declare.passive ? try queueName(declare.queue) : declare.queue
            let result = try virtualHost.declareQueue(
                name: name, passive: declare.passive, durable: declare.durable, exclusive: declare.exclusive,
                autoDelete: declare.autoDelete, arguments: declare.arguments, owner: owner)
            lastDeclaredQueue = result.name
            if !declare.noWait {
                send(.queueDeclareOk(QueueDeclareOk(queue: result.name, messageCount: result.messageCount,
                                                    consumerCount: result.consumerCount)))
            }
        case .queueBind(let bind):
            let queue = try queueName(bind.queue)
            let key = bind.queue.isEmpty && bind.routingKey.isEmpty ? queue : bind.routingKey
            try virtualHost.bindQueue(queue: queue, exchange: bind.exchange, routingKey: key,
                                      arguments: bind.arguments, connection: owner)
            if !bind.noWait { send(.queueBindOk(QueueBindOk())) }
        case .queueUnbind(let unbind):
            let queue = try queueName(unbind.queue)
            let key = unbind.queue.isEmpty && unbind.routingKey.isEmpty ? queue : unbind.routingKey
            try virtualHost.unbindQueue(queue: queue, exchange: unbind.exchange, routingKey: key,
                                        arguments: unbind.arguments, connection: owner)
            send(.queueUnbindOk(QueueUnbindOk()))
        case .queuePurge(let purge):
            let count = try virtualHost.purgeQueue(name: try queueName(purge.queue), connection: owner)
            if !purge.noWait { send(.queuePurgeOk(QueuePurgeOk(messageCount: count))) }
        case .queueDelete(let delete):
            let count = try virtualHost.deleteQueue(name: try queueName(delete.queue), ifUnused: delete.ifUnused,
                                                    ifEmpty: delete.ifEmpty, connection: owner)
            if !delete.noWait { send(.queueDeleteOk(QueueDeleteOk(messageCount: count))) }
        default:
            return
        }
    }

    /// An empty queue name means the queue last declared on this channel.
    private func queueName(_ name: String) throws(AMQPError) -> String {
        guard name.isEmpty else { return name }
        guard !lastDeclaredQueue.isEmpty else { throw AMQPError(.notFound, "no previously declared queue") }
        return lastDeclaredQueue
    }

    private func startConsumer(_ consume: BasicConsume) throws(AMQPError) {
        let queue = try queueName(consume.queue)
        try virtualHost.consume(queue: queue, tag: consume.consumerTag, noAck: consume.noAck,
                                exclusive: consume.exclusive, arguments: consume.arguments,
                                session: session) { tag in
            if !consume.noWait { send(.basicConsumeOk(BasicConsumeOk(consumerTag: tag))) }
        }
    }

    private func handleGet(_ get: BasicGet) throws(AMQPError) {
        guard let result = try virtualHost.get(queue: try queueName(get.queue), noAck: get.noAck, session: session) else {
            send(.basicGetEmpty(BasicGetEmpty()))
            return
        }
        let delivery = result.delivery
        sendContent(.basicGetOk(BasicGetOk(deliveryTag: delivery.deliveryTag, redelivered: delivery.redelivered,
                                           exchange: delivery.exchange, routingKey: delivery.routingKey,
                                           messageCount: result.messageCount)),
                    message: delivery.message)
    }

    // MARK: - Publishing

    private func handle(_ content: PublishAssembler.Publish) throws(AMQPError) {
        let publish = content.method
        guard !publish.immediate else {
            throw AMQPError(.notImplemented, "immediate=true",
                            classID: BasicPublish.classID, methodID: BasicPublish.methodID)
        }
        let outcome = content.properties.withUnsafeBytes { properties in
            content.body.withUnsafeBytes { body in
                Result { () throws(AMQPError) in
                    try session.publish(exchange: publish.exchange, routingKey: publish.routingKey,
                                        encodedProperties: properties, summary: content.summary, body: body,
                                        mandatory: publish.mandatory)
                }
            }
        }
        let result: PublishResult
        do {
            result = try outcome.get()
        } catch var error {
            error.classID = BasicPublish.classID
            error.methodID = BasicPublish.methodID
            throw error
        }
        if result.joinedBacklog { connection.yieldInput() }
        if result.mustReturn { sendReturn(result.message) }
        if let sequence = result.confirmSequence { confirm(result, sequence: sequence) }
    }

    private func sendReturn(_ message: Message) {
        sendContent(.basicReturn(BasicReturn(replyCode: ReplyCode.noRoute.rawValue, replyText: "NO_ROUTE",
                                             exchange: message.exchange, routingKey: message.routingKey)),
                    message: message)
    }

    // MARK: - Frames out

    func send(_ method: Method) {
        connection.send(method, on: number)
    }

    private func sendContent(_ method: Method, message: Message) {
        connection.sendContent(method, message: message, on: number)
    }
}

extension ServerChannel: DeliverySink {
    func deliver(_ delivery: Delivery) {
        connection.sendDelivery(delivery, on: number)
    }

    /// The queue went away: tell the client when it said it understands
    /// basic.cancel from the server (consumer_cancel_notify).
    func consumerCancelled(tag: String) {
        guard connection.acceptsConsumerCancelNotify else { return }
        send(.basicCancel(BasicCancel(consumerTag: tag, noWait: true)))
    }
}
