import AMQPProtocol
import Testing
@testable import WarrenServer

/// §4, §8, §10 and §11: methods the broker refuses, soft (channel.close) or
/// hard (connection.close), with RabbitMQ's codes and texts.
@Suite struct MethodErrorTests {
    @Test func publishToAMissingExchangeIsASoft404() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.publish(Array("x".utf8), exchange: "no-such-exchange", routingKey: "k")
            try expectChannelClosed(client, code: .notFound,
                                    text: "NOT_FOUND - no exchange 'no-such-exchange' in vhost '/'",
                                    classID: 60, methodID: 40)
        }
    }

    @Test func publishWithImmediateIsAHard540() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.publish(Array("x".utf8), routingKey: "k", immediate: true)
            try expectConnectionClosed(client, code: .notImplemented, text: "NOT_IMPLEMENTED - immediate=true",
                                       classID: 60, methodID: 40)
        }
    }

    @Test func unroutableMandatoryMessageIsReturnedBeforeItsConfirm() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            guard case .confirmSelectOk = try client.call(.confirmSelect(ConfirmSelect())) else {
                Issue.record("no confirm.select-ok")
                return
            }
            client.publish(Array("lost".utf8), routingKey: "no-queue-has-this-name", mandatory: true)
            guard case .content(1, let returned) = try client.nextIncoming(),
                  case .basicReturn(let header) = returned.method else {
                Issue.record("expected basic.return first")
                return
            }
            #expect(header.replyCode == 312)
            #expect(header.replyText == "NO_ROUTE")
            #expect(header.routingKey == "no-queue-has-this-name")
            #expect(returned.body == Array("lost".utf8))
            guard case .method(1, .basicAck(let ack)) = try client.nextIncoming() else {
                Issue.record("expected basic.ack after the return")
                return
            }
            #expect(ack.deliveryTag == 1)
            #expect(!ack.multiple)
        }
    }

    @Test func unroutableMessageWithoutMandatoryIsDroppedAndConfirmed() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            _ = try client.call(.confirmSelect(ConfirmSelect()))
            client.publish(Array("lost".utf8), routingKey: "no-queue-has-this-name")
            guard case .method(1, .basicAck(let ack)) = try client.nextIncoming() else {
                Issue.record("expected only basic.ack")
                return
            }
            #expect(ack.deliveryTag == 1)
        }
    }

    /// Declares a queue, puts one message in it and takes it with basic.get
    /// (unacked); returns its delivery tag.
    static func takeOneMessage(_ client: RawAMQPClient) throws -> UInt64 {
        let queue = try client.declareQueue(exclusive: true).queue
        client.publish(Array("m".utf8), routingKey: queue)
        guard case .basicGetOk(let ok) = try client.call(.basicGet(BasicGet(queue: queue))) else {
            throw RawAMQPClient.ReadError.unexpected("no get-ok")
        }
        return ok.deliveryTag
    }

    @Test func ackOfAnUnknownDeliveryTagIsASoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.basicAck(BasicAck(deliveryTag: 99)), channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - unknown delivery tag 99", classID: 60, methodID: 80)
        }
    }

    @Test func secondAckOfTheSameTagIsASoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let tag = try Self.takeOneMessage(client)
            client.send(.basicAck(BasicAck(deliveryTag: tag)), channel: 1)
            client.send(.basicAck(BasicAck(deliveryTag: tag)), channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - unknown delivery tag \(tag)")
        }
    }

    @Test func rejectAndNackOfUnknownTagsAreSoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            try client.openChannel(2)
            client.send(.basicReject(BasicReject(deliveryTag: 5, requeue: true)), channel: 1)
            client.send(.basicNack(BasicNack(deliveryTag: 6, multiple: true, requeue: true)), channel: 2)
            try expectChannelClosed(client, channel: 1, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - unknown delivery tag 5", classID: 60, methodID: 90)
            try expectChannelClosed(client, channel: 2, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - unknown delivery tag 6", classID: 60, methodID: 120)
        }
    }

    @Test(arguments: [Method.txCommit(TxCommit()), .txRollback(TxRollback())])
    func commitOrRollbackWithoutSelectIsASoft406(method: Method) throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(method, channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - channel is not transactional",
                                    classID: 90, methodID: method.methodID)
        }
    }

    @Test func confirmSelectOnATransactionalChannelIsASoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            guard case .txSelectOk = try client.call(.txSelect(TxSelect())) else {
                Issue.record("no tx.select-ok")
                return
            }
            client.send(.confirmSelect(ConfirmSelect()), channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - cannot switch from tx to confirm mode",
                                    classID: 85, methodID: 10)
        }
    }

    @Test func txSelectOnAConfirmChannelIsASoft406() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            _ = try client.call(.confirmSelect(ConfirmSelect()))
            client.send(.txSelect(TxSelect()), channel: 1)
            try expectChannelClosed(client, code: .preconditionFailed,
                                    text: "PRECONDITION_FAILED - cannot switch from confirm to tx mode")
        }
    }

    @Test func channelFlowActiveIsAnsweredAndInactiveIsAHard540() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            guard case .channelFlowOk(let ok) = try client.call(.channelFlow(ChannelFlow(active: true))) else {
                Issue.record("no flow-ok")
                return
            }
            #expect(ok.active)
            client.send(.channelFlow(ChannelFlow(active: false)), channel: 1)
            try expectConnectionClosed(client, code: .notImplemented, text: "NOT_IMPLEMENTED - active=false",
                                       classID: 20, methodID: 20)
        }
    }

    @Test func qosWithAPrefetchSizeIsAHard540() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.basicQos(BasicQos(prefetchSize: 1, prefetchCount: 10)), channel: 1)
            try expectConnectionClosed(client, code: .notImplemented, text: "NOT_IMPLEMENTED - prefetch_size!=0 (1)",
                                       classID: 60, methodID: 10)
        }
    }

    @Test(arguments: [Method.basicRecover(BasicRecover(requeue: false)),
                      .basicRecoverAsync(BasicRecoverAsync(requeue: false))])
    func recoverWithoutRequeueIsAHard540(method: Method) throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(method, channel: 1)
            try expectConnectionClosed(client, code: .notImplemented, text: "NOT_IMPLEMENTED - requeue=false",
                                       classID: 60, methodID: method.methodID)
        }
    }

    @Test func consumingWithATagAlreadyInUseOnTheChannelIsAHard530() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue, tag: "dup")
            client.send(.basicConsume(BasicConsume(queue: queue, consumerTag: "dup")), channel: 1)
            try expectConnectionClosed(client, code: .notAllowed,
                                       text: "NOT_ALLOWED - attempt to reuse consumer tag 'dup'",
                                       classID: 60, methodID: 20)
        }
    }

    @Test func sameConsumerTagOnAnotherChannelIsFine() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            try client.openChannel(2)
            let queue = try client.declareQueue(exclusive: true).queue
            #expect(try client.consume(queue, tag: "same") == "same")
            #expect(try client.consume(queue, tag: "same", channel: 2) == "same")
        }
    }

    @Test func exclusiveQueueOfAnotherConnectionIsASoft405() throws {
        try withBroker { broker in
            let owner = try broker.openClient()
            try owner.declareQueue("owned", exclusive: true)
            let other = try broker.openClient()
            for (channel, method) in [
                (UInt16(1), Method.queueDeclare(QueueDeclare(queue: "owned", passive: true))),
                (2, .queueDeclare(QueueDeclare(queue: "owned", exclusive: true))),
                (3, .basicConsume(BasicConsume(queue: "owned"))),
                (4, .basicGet(BasicGet(queue: "owned"))),
                (5, .queuePurge(QueuePurge(queue: "owned"))),
            ] {
                if channel != 1 { try other.openChannel(channel) }
                other.send(method, channel: channel)
                let close = try expectChannelClosed(other, channel: channel, code: .resourceLocked)
                #expect(close.replyText.hasPrefix(
                    "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'owned' in vhost '/'"))
            }
            // The owner still has it.
            #expect(try owner.declareQueue("owned", passive: true).queue == "owned")
        }
    }

    @Test func passiveDeclareOfAMissingQueueIsASoft404() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.queueDeclare(QueueDeclare(queue: "missing", passive: true)), channel: 1)
            try expectChannelClosed(client, code: .notFound, text: "NOT_FOUND - no queue 'missing' in vhost '/'",
                                    classID: 50, methodID: 10)
        }
    }

    @Test func passiveDeclareOfAMissingExchangeIsASoft404() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.exchangeDeclare(ExchangeDeclare(exchange: "missing", type: "direct", passive: true)), channel: 1)
            try expectChannelClosed(client, code: .notFound, text: "NOT_FOUND - no exchange 'missing' in vhost '/'",
                                    classID: 40, methodID: 10)
        }
    }

    @Test func declaringAQueueWithTheReservedPrefixIsASoft403() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.queueDeclare(QueueDeclare(queue: "amq.foo")), channel: 1)
            try expectChannelClosed(client, code: .accessRefused,
                                    text: "ACCESS_REFUSED - queue name 'amq.foo' contains reserved prefix 'amq.*'",
                                    classID: 50, methodID: 10)
        }
    }

    @Test func declaringAnExchangeWithTheReservedPrefixIsASoft403() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.exchangeDeclare(ExchangeDeclare(exchange: "amq.foo", type: "direct")), channel: 1)
            try expectChannelClosed(client, code: .accessRefused,
                                    text: "ACCESS_REFUSED - exchange name 'amq.foo' contains reserved prefix 'amq.*'",
                                    classID: 40, methodID: 10)
        }
    }

    static let emptyQueueNameMethods: [Method] = [
        .basicConsume(BasicConsume(queue: "")),
        .basicGet(BasicGet(queue: "")),
        .queueBind(QueueBind(queue: "", exchange: "amq.direct", routingKey: "k")),
        .queuePurge(QueuePurge(queue: "")),
        .queueDelete(QueueDelete(queue: "")),
        .queueDeclare(QueueDeclare(queue: "", passive: true)),
    ]

    @Test(arguments: emptyQueueNameMethods)
    func emptyQueueNameWithNoQueueDeclaredOnTheChannelIsASoft404(method: Method) throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(method, channel: 1)
            try expectChannelClosed(client, code: .notFound, text: "NOT_FOUND - no previously declared queue",
                                    classID: method.classID, methodID: method.methodID)
        }
    }

    @Test func emptyQueueNameMeansTheQueueLastDeclaredOnTheChannel() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            client.publish(Array("to the last queue".utf8), routingKey: queue)
            guard case .basicGetOk = try client.call(.basicGet(BasicGet(queue: "", noAck: true))) else {
                Issue.record("basic.get with an empty name did not find the queue")
                return
            }
        }
    }

    @Test func publishingToAnInternalExchangeIsASoft403() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.publish(Array("x".utf8), exchange: "amq.rabbitmq.trace", routingKey: "k")
            try expectChannelClosed(
                client, code: .accessRefused,
                text: "ACCESS_REFUSED - cannot publish to internal exchange 'amq.rabbitmq.trace' in vhost '/'")
        }
    }

    @Test func softErrorOnOneChannelLeavesTheOthersAlone() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            try client.openChannel(2)
            let queue = try client.declareQueue(exclusive: true, channel: 2).queue
            try client.consume(queue, noAck: true, channel: 2)
            client.send(.basicAck(BasicAck(deliveryTag: 42)), channel: 1)
            try expectChannelClosed(client, channel: 1, code: .preconditionFailed)
            client.publish(Array("after".utf8), routingKey: queue, channel: 2)
            #expect(try client.expectDelivery(channel: 2).body == Array("after".utf8))
        }
    }
}
