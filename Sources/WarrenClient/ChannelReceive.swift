import AMQPProtocol

/// Frames from the broker, on the reader thread. Continuations are resumed
/// and streams finished outside the channel's lock: a stream's termination
/// handler may call back into the channel.
extension Channel {
    func receive(_ frame: Frame) throws(ClientError) {
        let command: ContentAssembler.Command?
        do {
            command = try state.withLock { state throws(AMQPError) in try state.assembler.receive(frame) }
        } catch {
            throw .protocolViolation(error)
        }
        switch command {
        case nil: return
        case .content(let content)?: receiveContent(content)
        case .method(let method)?: receiveMethod(method)
        }
    }

    private func receiveMethod(_ method: Method) {
        switch method {
        case .channelClose(let close):
            closedByBroker(CloseReason(close))
        case .channelCloseOk:
            closeCompleted()
        case .channelFlow(let flow):
            try? writer.writeMethod(channel: id, .channelFlowOk(ChannelFlowOk(active: flow.active)))
            eventSink.yield(.flow(active: flow.active))
        case .basicCancel(let cancel):
            cancelledByBroker(cancel)
        case .basicAck(let ack):
            settleConfirms(deliveryTag: ack.deliveryTag, multiple: ack.multiple, nacked: false)
        case .basicNack(let nack):
            settleConfirms(deliveryTag: nack.deliveryTag, multiple: nack.multiple, nacked: true)
        default:
            complete(.method(method))
        }
    }

    private func receiveContent(_ content: Content) {
        switch content.method {
        case .basicDeliver(let deliver):
            let consumer = state.withLock { $0.consumers[deliver.consumerTag] }
            consumer?.yield(Delivery(
                body: content.body, properties: content.properties, deliveryTag: deliver.deliveryTag,
                redelivered: deliver.redelivered, exchange: deliver.exchange, routingKey: deliver.routingKey,
                consumerTag: deliver.consumerTag, messageCount: nil, channel: self))
        case .basicReturn(let returned):
            let message = ReturnedMessage(
                replyCode: ReplyCode(rawValue: returned.replyCode), replyText: returned.replyText,
                exchange: returned.exchange, routingKey: returned.routingKey,
                properties: content.properties, body: content.body)
            state.withLock { $0.confirms?.markReturned(message) }
            eventSink.yield(.returned(message))
        default:
            complete(.content(content))  // basic.get-ok
        }
    }

    /// Hands a reply to the request waiting for it, applying first the state
    /// change it implies, so that frames after it see the new state.
    private func complete(_ reply: ContentAssembler.Command) {
        let method: Method
        switch reply {
        case .method(let replyMethod): method = replyMethod
        case .content(let content): method = content.method
        }
        let (waiter, cancelled) = state.withLock { state -> (ChannelState.ReplyWaiter?, ChannelState.DeliverySink?) in
            guard let pending = state.pendingRequest, method.isReply(to: pending.request) else { return (nil, nil) }
            state.pendingRequest = nil
            switch method {
            case .channelOpenOk:
                state.phase = .open
            case .basicCancelOk(let ok):
                return (pending.waiter, state.consumers.removeValue(forKey: ok.consumerTag))
            default:
                break
            }
            return (pending.waiter, nil)
        }
        cancelled?.finish()
        waiter?.resume(returning: .success(reply))
    }

    /// The broker's `channel.close`: mark closed first (so nothing more is
    /// written on the channel), answer `close-ok`, then fail what waited.
    private func closedByBroker(_ reason: CloseReason) {
        let (orphans, error) = state.withLock { state -> (ChannelState.Orphans?, ClientError) in
            var error = ClientError.channelClosed(reason)
            if case .closing = state.phase { error = .closedByApplication }  // our close crossed theirs
            return (state.close(with: error), error)
        }
        try? writer.writeMethod(channel: id, .channelCloseOk(ChannelCloseOk()))
        if let orphans { settle(orphans, error) }
    }

    /// The broker's `close-ok` to our `channel.close`.
    private func closeCompleted() {
        let (request, orphans) = state.withLock { state -> (ChannelState.PendingRequest?, ChannelState.Orphans?) in
            let request = state.pendingRequest
            state.pendingRequest = nil
            return (request, state.close(with: .closedByApplication))
        }
        if let orphans { settle(orphans, .closedByApplication) }
        request?.waiter.resume(returning: .success(.method(.channelCloseOk(ChannelCloseOk()))))
    }

    private func cancelledByBroker(_ cancel: BasicCancel) {
        let consumer = state.withLock { $0.consumers.removeValue(forKey: cancel.consumerTag) }
        consumer?.finish(throwing: ClientError.consumerCancelledByBroker(consumerTag: cancel.consumerTag))
        eventSink.yield(.consumerCancelled(consumerTag: cancel.consumerTag))
        if !cancel.noWait {
            try? writer.writeMethod(channel: id, .basicCancelOk(BasicCancelOk(consumerTag: cancel.consumerTag)))
        }
    }

    private func settleConfirms(deliveryTag: UInt64, multiple: Bool, nacked: Bool) {
        typealias Drained = [(ConfirmTracker.Waiter, Result<Void, ClientError>)]
        let (settled, drained) = state.withLock { state -> ([ConfirmTracker.Pending], Drained) in
            // Mutated in place through the optional: a copy would copy its arrays.
            let settled = state.confirms?.settle(deliveryTag: deliveryTag, multiple: multiple) ?? []
            for publish in settled { state.confirms?.recordUnwaited(publish, nacked: nacked) }
            return (settled, state.confirms?.drainedWaiters() ?? [])
        }
        for publish in settled { publish.waiter?.resume(returning: publish.outcome(nacked: nacked)) }
        for (waiter, outcome) in drained { waiter.resume(returning: outcome) }
    }
}
