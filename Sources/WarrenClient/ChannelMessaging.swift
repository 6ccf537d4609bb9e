import AMQPProtocol

/// Publishing, consuming, getting and acknowledging.
extension Channel {
    /// `basic.qos`: how many unacked messages (and bytes; RabbitMQ ignores
    /// bytes) the broker sends ahead, per consumer or, with `global`, per channel.
    public func qos(prefetchCount: UInt16, prefetchSize: UInt32 = 0, global: Bool = false) async throws(ClientError) {
        try await perform(.basicQos(BasicQos(prefetchSize: prefetchSize, prefetchCount: prefetchCount, global: global)))
    }

    /// Puts the channel in confirm mode: from now on `publish` returns only
    /// once the broker has acked the message, and throws when it nacks it or
    /// returns it as unroutable.
    public func confirmSelect() async throws(ClientError) {
        try await request(.confirmSelect(ConfirmSelect())) { state in
            if state.confirms == nil { state.confirms = ConfirmTracker() }
        }
    }

    /// Starts a consumer; its deliveries arrive on the returned sequence. An
    /// empty `consumerTag` makes the client pick one unique on this channel.
    public func consume(
        queue: String, consumerTag: String = "", noAck: Bool = false, exclusive: Bool = false,
        noLocal: Bool = false, arguments: FieldTable = FieldTable()
    ) async throws(ClientError) -> Consumer {
        let (deliveries, sink) = AsyncThrowingStream.makeStream(of: Delivery.self, throwing: (any Error).self)
        // Registered before basic.consume goes out, so no delivery that follows
        // consume-ok can find the consumer missing.
        let tag = try state.withLock { state throws(ClientError) -> String in
            try state.ensureOpen()
            var tag = consumerTag
            if tag.isEmpty {
                state.consumerCounter += 1
                tag = "warren.ctag-\(id).\(state.consumerCounter)"
            }
            guard state.consumers[tag] == nil else {
                throw .invalidArgument("consumer tag \(tag) is already in use on channel \(id)")
            }
            state.consumers[tag] = sink
            return tag
        }
        sink.onTermination = { [self] termination in
            guard case .cancelled = termination else { return }
            Task { try? await self.cancel(consumerTag: tag) }
        }
        do {
            try await perform(.basicConsume(BasicConsume(
                queue: queue, consumerTag: tag, noLocal: noLocal, noAck: noAck, exclusive: exclusive,
                arguments: arguments)))
        } catch {
            state.withLock { _ = $0.consumers.removeValue(forKey: tag) }
            sink.finish()
            throw error
        }
        return Consumer(tag: tag, channel: self, deliveries: deliveries)
    }

    /// `basic.cancel`; the consumer's sequence ends after the deliveries
    /// already sent. Cancelling an unknown tag is not an error.
    public func cancel(consumerTag: String) async throws(ClientError) {
        try await perform(.basicCancel(BasicCancel(consumerTag: consumerTag)))
    }

    /// `basic.get`: one message, or nil when the queue is empty.
    public func get(queue: String, noAck: Bool = false) async throws(ClientError) -> Delivery? {
        guard case .content(let content) = try await request(.basicGet(BasicGet(queue: queue, noAck: noAck))),
              case .basicGetOk(let ok) = content.method
        else { return nil }
        return Delivery(
            body: content.body, properties: content.properties, deliveryTag: ok.deliveryTag,
            redelivered: ok.redelivered, exchange: ok.exchange, routingKey: ok.routingKey,
            consumerTag: nil, messageCount: ok.messageCount, channel: self)
    }

    public func ack(deliveryTag: UInt64, multiple: Bool = false) async throws(ClientError) {
        try send(.basicAck(BasicAck(deliveryTag: deliveryTag, multiple: multiple)))
    }

    public func nack(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool = true) async throws(ClientError) {
        try send(.basicNack(BasicNack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue)))
    }

    public func reject(deliveryTag: UInt64, requeue: Bool = true) async throws(ClientError) {
        try send(.basicReject(BasicReject(deliveryTag: deliveryTag, requeue: requeue)))
    }

    /// `basic.recover`: the broker redelivers every unacked message of the
    /// channel (RabbitMQ supports only `requeue: true`).
    public func recover(requeue: Bool = true) async throws(ClientError) {
        try await perform(.basicRecover(BasicRecover(requeue: requeue)))
    }

    // MARK: - Publishing

    /// Publishes a message. Without confirm mode it returns once the frames
    /// are written to the socket; in confirm mode (`confirmSelect()`), once the
    /// broker has acked it, throwing `.publishNacked` on a nack and
    /// `.publishReturned` when a `mandatory` message was unroutable. An
    /// unroutable mandatory message also arrives in `events` as `.returned`.
    ///
    /// With `awaitConfirm: false` a confirm-mode publish returns once written,
    /// like an unconfirmed one; `waitForConfirms()` later waits for all of
    /// them at once, which is how to stream many messages with confirms.
    public func publish(
        _ body: [UInt8], exchange: String = "", routingKey: String, mandatory: Bool = false,
        properties: BasicProperties = BasicProperties(), awaitConfirm: Bool = true
    ) async throws(ClientError) {
        let message = OutgoingMessage(
            method: .basicPublish(BasicPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory)),
            properties: properties, body: body, frameMax: Int(connection.tuning.frameMax))
        guard awaitConfirm, state.withLock({ $0.confirms != nil }) else {
            try writer.write { buffer throws(ClientError) in
                try state.withLock { state throws(ClientError) in
                    try state.ensureOpen()
                    // In confirm mode, or it began meanwhile: keep our numbering in step with the broker's.
                    _ = state.confirms?.register(nil, mandatory: mandatory, exchange: exchange, routingKey: routingKey)
                }
                message.encode(into: &buffer, channel: id)
            }
            return
        }
        let outcome: Result<Void, ClientError> = await withCheckedContinuation { waiter in
            var sequenceNumber: UInt64?
            do throws(ClientError) {
                try writer.write { buffer throws(ClientError) in
                    sequenceNumber = try state.withLock { state throws(ClientError) -> UInt64? in
                        try state.ensureOpen()
                        return state.confirms?.register(
                            waiter, mandatory: mandatory, exchange: exchange, routingKey: routingKey)
                    }
                    message.encode(into: &buffer, channel: id)
                }
            } catch {
                let ours = state.withLock { state -> Bool in
                    guard let number = sequenceNumber else { return true }
                    return state.confirms?.remove(number) != nil
                }
                if ours { waiter.resume(returning: .failure(error)) }
            }
        }
        try outcome.get()
    }

    /// Publishes text as its UTF-8 bytes.
    public func publish(
        _ body: String, exchange: String = "", routingKey: String, mandatory: Bool = false,
        properties: BasicProperties = BasicProperties(), awaitConfirm: Bool = true
    ) async throws(ClientError) {
        try await publish(Array(body.utf8), exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                          properties: properties, awaitConfirm: awaitConfirm)
    }

    /// In confirm mode, waits until the broker has settled every publish made
    /// so far. Throws `.publishNacked` or `.publishReturned` for the first one,
    /// among those published with `awaitConfirm: false` since the last call,
    /// that failed. Returns at once outside confirm mode.
    public func waitForConfirms() async throws(ClientError) {
        let outcome: Result<Void, ClientError> = await withCheckedContinuation { waiter in
            let immediate = state.withLock { state -> Result<Void, ClientError>? in
                if case .closed(let error) = state.phase { return .failure(error) }
                guard state.confirms != nil else { return .success(()) }
                return state.confirms?.waitForAll(waiter)
            }
            if let immediate { waiter.resume(returning: immediate) }
        }
        try outcome.get()
    }
}

/// A publish ready to be framed.
private struct OutgoingMessage {
    let method: Method
    let properties: BasicProperties
    let body: [UInt8]
    let frameMax: Int

    func encode(into buffer: inout ByteWriter, channel: UInt16) {
        buffer.writeContent(channel: channel, method, properties: properties, body: body, frameMax: frameMax)
    }
}
