import AMQPProtocol
import Glibc
import Testing
@testable import WarrenServer

/// Deliveries over the wire: prefetch, requeueing when a channel or a
/// connection goes away, exclusive queues, and server-sent basic.cancel.
@Suite struct DeliveryTests {
    @Test func prefetchCountLimitsUnackedDeliveries() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.qos(prefetchCount: 3)
            try client.consume(queue)
            for index in 0..<10 { client.publish([UInt8(index)], routingKey: queue) }
            var tags: [UInt64] = []
            for index in 0..<3 {
                let delivery = try client.expectDelivery()
                #expect(delivery.body == [UInt8(index)])
                tags.append(delivery.deliver.deliveryTag)
            }
            try client.sync()  // everything that could be delivered by now has been
            #expect(client.unreadCommands.isEmpty, "more than 3 unacked: \(client.unreadCommands.count) extra")

            client.send(.basicAck(BasicAck(deliveryTag: tags[0])), channel: 1)
            #expect(try client.expectDelivery().body == [3])
            try client.sync()
            #expect(client.unreadCommands.isEmpty)

            client.send(.basicAck(BasicAck(deliveryTag: 0, multiple: true)), channel: 1)  // all outstanding
            for index in 4..<7 { #expect(try client.expectDelivery().body == [UInt8(index)]) }
            try client.sync()
            #expect(client.unreadCommands.isEmpty)
        }
    }

    @Test func globalPrefetchIsSharedByAllTheChannelsConsumers() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let first = try client.declareQueue(exclusive: true).queue
            let second = try client.declareQueue(exclusive: true).queue
            try client.qos(prefetchCount: 2, global: true)
            try client.consume(first)
            try client.consume(second)
            for index in 0..<3 {
                client.publish([UInt8(index)], routingKey: first)
                client.publish([UInt8(10 + index)], routingKey: second)
            }
            let tags = try (0..<2).map { _ in try client.expectDelivery().deliver.deliveryTag }
            try client.sync()
            #expect(client.unreadCommands.isEmpty, "more than 2 unacked on the channel")
            client.send(.basicAck(BasicAck(deliveryTag: tags[1], multiple: true)), channel: 1)
            _ = try client.expectDelivery()
            _ = try client.expectDelivery()
            try client.sync()
            #expect(client.unreadCommands.isEmpty)
        }
    }

    @Test func unackedMessagesAreRequeuedAsRedeliveredWhenTheChannelCloses() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue)
            client.publish(Array("first".utf8), routingKey: queue)
            let first = try client.expectDelivery()
            #expect(!first.deliver.redelivered)
            try client.closeChannel(1)

            try client.openChannel(2)
            try client.consume(queue, channel: 2)
            let again = try client.expectDelivery(channel: 2)
            #expect(again.body == Array("first".utf8))
            #expect(again.deliver.redelivered)
        }
    }

    @Test func unackedMessagesAreRequeuedWhenTheChannelClosesWithAnError() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue)
            client.publish(Array("m".utf8), routingKey: queue)
            _ = try client.expectDelivery()
            client.send(.basicAck(BasicAck(deliveryTag: 1000)), channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed)
            try client.openChannel(2)
            guard case .basicGetOk(let ok) = try client.call(.basicGet(BasicGet(queue: queue, noAck: true)), channel: 2)
            else {
                Issue.record("the unacked message was not requeued")
                return
            }
            #expect(ok.redelivered)
        }
    }

    @Test(arguments: [false, true])
    func unackedMessagesAreRequeuedWhenTheSocketIsDropped(withReset: Bool) throws {
        try withBroker { broker in
            let keeper = try broker.openClient()
            try keeper.declareQueue("shared-work")
            let worker = try broker.openClient()
            try worker.consume("shared-work")
            keeper.publish(Array("job".utf8), routingKey: "shared-work")
            let taken = try worker.expectDelivery()
            #expect(!taken.deliver.redelivered)
            try keeper.consume("shared-work")  // nothing ready yet: the job is unacked at the worker
            if withReset { worker.reset() } else { worker.close() }
            let again = try keeper.expectDelivery(timeout: 10)
            #expect(again.body == Array("job".utf8))
            #expect(again.deliver.redelivered)
        }
    }

    @Test func exclusiveQueueIsDeletedWhenItsConnectionDropsAbruptly() throws {
        try withBroker { broker in
            let owner = try broker.openClient()
            try owner.declareQueue("exclusive-to-owner", exclusive: true)
            let observer = try broker.openClient()
            observer.send(.queueDeclare(QueueDeclare(queue: "exclusive-to-owner", passive: true)), channel: 1)
            try expectChannelClosed(observer, channel: 1, code: .resourceLocked)
            owner.reset()
            var channel: UInt16 = 2
            var deleted = false
            let deadline = monotonicSeconds() + 10
            while !deleted && monotonicSeconds() < deadline {
                try observer.openChannel(channel)
                observer.send(.queueDeclare(QueueDeclare(queue: "exclusive-to-owner", passive: true)), channel: channel)
                let close = try observer.expectChannelClose(channel)
                deleted = close.replyCode == ReplyCode.notFound.rawValue
                channel += 1
                if !deleted { usleep(20_000) }
            }
            #expect(deleted, "the dropped connection's exclusive queue still exists")
        }
    }

    @Test func exclusiveQueueIsDeletedWhenItsConnectionClosesPolitely() throws {
        try withBroker { broker in
            let owner = try broker.openClient()
            try owner.declareQueue("exclusive-polite", exclusive: true)
            _ = try owner.call(.connectionClose(ConnectionClose(replyCode: 200, replyText: "bye")), channel: 0)
            let observer = try broker.openClient()
            // The close-ok was sent after the queue went; declaring it afresh must work.
            #expect(try observer.declareQueue("exclusive-polite", exclusive: true).queue == "exclusive-polite")
        }
    }

    @Test func deletingAQueueCancelsConsumersThatAskedForNotification() throws {
        try withBroker { broker in
            var notify = RawAMQPClient.Capabilities()
            notify.consumerCancelNotify = true
            let notified = try broker.openClient(capabilities: notify)
            let silent = try broker.openClient()
            let deleter = try broker.openClient()
            try deleter.declareQueue("doomed-1")
            try deleter.declareQueue("doomed-2")
            try notified.consume("doomed-1", tag: "told")
            try silent.consume("doomed-2", tag: "untold")

            for queue in ["doomed-1", "doomed-2"] {
                guard case .queueDeleteOk = try deleter.call(.queueDelete(QueueDelete(queue: queue))) else {
                    Issue.record("no delete-ok")
                    return
                }
            }
            let cancel = try notified.nextMethod(on: 1)
            #expect(cancel == .basicCancel(BasicCancel(consumerTag: "told", noWait: true)))
            try silent.sync()  // any cancel for it was written before this reply
            #expect(silent.unreadCommands.isEmpty, "a client without consumer_cancel_notify got \(silent.unreadCommands)")
            // Both channels still work.
            try notified.sync()
            try expectConnectionUsable(silent, channel: 2)
        }
    }

    @Test func basicGetReturnsMessagesThenGetEmpty() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            client.publish(Array("one".utf8), routingKey: queue, properties: BasicProperties(contentType: "text/plain"))
            client.send(.basicGet(BasicGet(queue: queue)), channel: 1)
            guard case .content(1, let content) = try client.nextIncoming(),
                  case .basicGetOk(let ok) = content.method else {
                Issue.record("expected get-ok with content")
                return
            }
            #expect(content.body == Array("one".utf8))
            #expect(content.properties.contentType == "text/plain")
            #expect(ok.messageCount == 0)
            #expect(ok.routingKey == queue)
            #expect(try client.call(.basicGet(BasicGet(queue: queue))) == .basicGetEmpty(BasicGetEmpty()))
            client.send(.basicAck(BasicAck(deliveryTag: ok.deliveryTag)), channel: 1)
            try client.sync()
        }
    }

    @Test func largeBodyIsDeliveredInFramesWithinFrameMax() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue, noAck: true)
            let body = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            client.publish(body, routingKey: queue)
            #expect(try client.expectDelivery(timeout: 20).body == body)
        }
    }
}
