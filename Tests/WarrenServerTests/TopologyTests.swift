import AMQPProtocol
import Testing
@testable import WarrenServer

/// Exchanges, queues and bindings declared over the wire: the server's
/// mapping of each method onto the broker, its replies, and no-wait.
@Suite struct TopologyTests {
    @Test func boundQueueReceivesWhatItsExchangeRoutes() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            #expect(try client.call(.exchangeDeclare(ExchangeDeclare(exchange: "logs", type: "topic")))
                    == .exchangeDeclareOk(ExchangeDeclareOk()))
            let queue = try client.declareQueue(exclusive: true).queue
            #expect(try client.call(.queueBind(QueueBind(queue: queue, exchange: "logs", routingKey: "app.*.error")))
                    == .queueBindOk(QueueBindOk()))
            try client.consume(queue, noAck: true)
            client.publish(Array("no".utf8), exchange: "logs", routingKey: "app.web.info")
            client.publish(Array("yes".utf8), exchange: "logs", routingKey: "app.web.error")
            let delivery = try client.expectDelivery()
            #expect(delivery.body == Array("yes".utf8))
            #expect(delivery.deliver.exchange == "logs")
            #expect(delivery.deliver.routingKey == "app.web.error")
            try client.sync()
            #expect(client.unreadCommands.isEmpty)

            #expect(try client.call(.queueUnbind(QueueUnbind(queue: queue, exchange: "logs", routingKey: "app.*.error")))
                    == .queueUnbindOk(QueueUnbindOk()))
            client.publish(Array("unbound".utf8), exchange: "logs", routingKey: "app.web.error")
            try client.sync()
            #expect(client.unreadCommands.isEmpty)
        }
    }

    @Test func exchangeToExchangeBindingRoutesOnAndUnbindIsMethod51() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            _ = try client.call(.exchangeDeclare(ExchangeDeclare(exchange: "front", type: "fanout")))
            _ = try client.call(.exchangeDeclare(ExchangeDeclare(exchange: "back", type: "direct")))
            #expect(try client.call(.exchangeBind(ExchangeBind(destination: "back", source: "front", routingKey: "")))
                    == .exchangeBindOk(ExchangeBindOk()))
            let queue = try client.declareQueue(exclusive: true).queue
            _ = try client.call(.queueBind(QueueBind(queue: queue, exchange: "back", routingKey: "k")))
            try client.consume(queue, noAck: true)
            client.publish(Array("via front".utf8), exchange: "front", routingKey: "k")
            #expect(try client.expectDelivery().body == Array("via front".utf8))
            client.send(.exchangeUnbind(ExchangeUnbind(destination: "back", source: "front", routingKey: "")), channel: 1)
            guard case .method(1, let reply) = try client.nextIncoming() else {
                Issue.record("no unbind reply")
                return
            }
            #expect(reply == .exchangeUnbindOk(ExchangeUnbindOk()))
            #expect(reply.methodID == 51)
        }
    }

    @Test func noWaitRequestsGetNoReply() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.exchangeDeclare(ExchangeDeclare(exchange: "quiet", type: "direct", noWait: true)), channel: 1)
            client.send(.queueDeclare(QueueDeclare(queue: "quiet-q", exclusive: true, noWait: true)), channel: 1)
            client.send(.queueBind(QueueBind(queue: "quiet-q", exchange: "quiet", routingKey: "k", noWait: true)),
                        channel: 1)
            client.send(.basicConsume(BasicConsume(queue: "quiet-q", consumerTag: "c", noAck: true, noWait: true)),
                        channel: 1)
            client.publish(Array("hush".utf8), exchange: "quiet", routingKey: "k")
            #expect(try client.expectDelivery().body == Array("hush".utf8))
            client.send(.basicCancel(BasicCancel(consumerTag: "c", noWait: true)), channel: 1)
            client.send(.queuePurge(QueuePurge(queue: "quiet-q", noWait: true)), channel: 1)
            client.send(.queueDelete(QueueDelete(queue: "quiet-q", noWait: true)), channel: 1)
            client.send(.exchangeDelete(ExchangeDelete(exchange: "quiet", noWait: true)), channel: 1)
            try client.sync()
            #expect(client.unreadCommands.isEmpty, "no-wait got replies: \(client.unreadCommands)")
            client.send(.exchangeDeclare(ExchangeDeclare(exchange: "quiet", type: "direct", passive: true)), channel: 1)
            try expectChannelClosed(client, code: .notFound)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.queueDeclare(QueueDeclare(queue: "p1", exclusive: true)), channel: 1)
            client.send(.queueDeclare(QueueDeclare(queue: "p2", exclusive: true)), channel: 1)
            client.send(.queueBind(QueueBind(queue: "p2", exchange: "amq.direct", routingKey: "p")), channel: 1)
            client.send(.basicQos(BasicQos(prefetchCount: 5)), channel: 1)
            client.send(.queuePurge(QueuePurge(queue: "p1")), channel: 1)
            let replies = try (0..<5).map { _ in try client.nextMethod(on: 1) }
            #expect(replies == [
                .queueDeclareOk(QueueDeclareOk(queue: "p1")),
                .queueDeclareOk(QueueDeclareOk(queue: "p2")),
                .queueBindOk(QueueBindOk()),
                .basicQosOk(BasicQosOk()),
                .queuePurgeOk(QueuePurgeOk(messageCount: 0)),
            ])
        }
    }

    @Test func declareOkReportsMessagesAndConsumersAndDeleteOkTheDroppedCount() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue("counted").queue
            for _ in 0..<3 { client.publish([1], routingKey: queue) }
            try client.openChannel(2)
            try client.consume(queue, channel: 2)
            for _ in 0..<3 { _ = try client.expectDelivery(channel: 2) }
            client.publish([2], routingKey: queue)
            try client.closeChannel(2)  // three unacked come back; four ready, no consumer
            let ok = try client.declareQueue(queue, passive: true)
            #expect(ok.messageCount == 4)
            #expect(ok.consumerCount == 0)
            #expect(try client.call(.queueDelete(QueueDelete(queue: queue))) == .queueDeleteOk(QueueDeleteOk(messageCount: 4)))
        }
    }

    @Test func queueDeleteIfEmptyAndIfUnusedAreSoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            client.publish([1], routingKey: queue)
            client.send(.queueDelete(QueueDelete(queue: queue, ifEmpty: true)), channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - queue '\(queue)' in vhost '/' not empty")
            try client.openChannel(2)
            try client.consume(queue, channel: 2)
            try client.openChannel(3)
            client.send(.queueDelete(QueueDelete(queue: queue, ifUnused: true)), channel: 3)
            try expectChannelClosed(client, channel: 3, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - queue '\(queue)' in vhost '/' in use")
        }
    }

    @Test func redeclaringWithDifferentPropertiesIsASoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            _ = try client.call(.exchangeDeclare(ExchangeDeclare(exchange: "kind", type: "direct")))
            client.send(.exchangeDeclare(ExchangeDeclare(exchange: "kind", type: "fanout")), channel: 1)
            let close = try expectChannelClosed(client, code: .preconditionFailed, classID: 40, methodID: 10)
            #expect(close.replyText.contains("inequivalent arg 'type'"), "\(close.replyText)")
        }
    }

    @Test func unknownExchangeTypeIsASoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "no-such-type")), channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - unknown exchange type 'no-such-type'")
        }
    }

    @Test(arguments: [
        Method.exchangeDelete(ExchangeDelete(exchange: "amq.direct")),
        .exchangeDeclare(ExchangeDeclare(exchange: "", type: "direct")),
        .queueBind(QueueBind(queue: "q", exchange: "", routingKey: "q")),
    ])
    func systemExchangesCannotBeChanged(method: Method) throws {
        try withBroker { broker in
            let client = try broker.openClient()
            try client.declareQueue("q", exclusive: true)
            client.send(method, channel: 1)
            try expectChannelClosed(client, code: .accessRefused, classID: method.classID, methodID: method.methodID)
        }
    }

    @Test func bindingToAMissingExchangeIsASoft404() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            client.send(.queueBind(QueueBind(queue: queue, exchange: "absent", routingKey: "k")), channel: 1)
            try expectChannelClosed(client, code: .notFound, text: "NOT_FOUND - no exchange 'absent' in vhost '/'")
        }
    }

    @Test func exclusiveConsumerKeepsOthersOutWith403() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue, exclusive: true)
            try client.openChannel(2)
            client.send(.basicConsume(BasicConsume(queue: queue)), channel: 2)
            try expectChannelClosed(client, channel: 2, code: .accessRefused,
                                    text: "ACCESS_REFUSED - queue '\(queue)' in vhost '/' in exclusive use")
        }
    }

    @Test func autoDeleteQueueGoesWithItsLastConsumer() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            try client.declareQueue("fleeting", autoDelete: true)
            let tag = try client.consume("fleeting")
            _ = try client.call(.basicCancel(BasicCancel(consumerTag: tag)))
            client.send(.queueDeclare(QueueDeclare(queue: "fleeting", passive: true)), channel: 1)
            try expectChannelClosed(client, code: .notFound)
        }
    }
}
