import AMQPProtocol
import Testing
@testable import WarrenServer

/// tx and confirm over the wire, and the acknowledgement methods' effects.
@Suite struct TransactionTests {
    @Test func publishesInATransactionWaitForCommit() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            #expect(try client.call(.txSelect(TxSelect())) == .txSelectOk(TxSelectOk()))
            client.publish(Array("held".utf8), routingKey: queue)
            #expect(try client.declareQueue(queue, passive: true).messageCount == 0)
            #expect(try client.call(.txCommit(TxCommit())) == .txCommitOk(TxCommitOk()))
            #expect(try client.declareQueue(queue, passive: true).messageCount == 1)
            client.publish(Array("dropped".utf8), routingKey: queue)
            #expect(try client.call(.txRollback(TxRollback())) == .txRollbackOk(TxRollbackOk()))
            #expect(try client.declareQueue(queue, passive: true).messageCount == 1)
        }
    }

    @Test func unroutableMandatoryPublishInATransactionIsReturnedAtCommit() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            _ = try client.call(.txSelect(TxSelect()))
            client.publish(Array("nowhere".utf8), routingKey: "no-such-queue", mandatory: true)
            client.send(.txCommit(TxCommit()), channel: 1)
            guard case .content(1, let returned) = try client.nextIncoming(),
                  case .basicReturn(let header) = returned.method else {
                Issue.record("expected basic.return before commit-ok")
                return
            }
            #expect(header.replyCode == 312)
            #expect(try client.nextMethod(on: 1) == .txCommitOk(TxCommitOk()))
        }
    }

    @Test func confirmsCountPublishesFromOne() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            _ = try client.call(.confirmSelect(ConfirmSelect()))
            for _ in 0..<3 { client.publish([0], routingKey: queue) }
            for tag: UInt64 in 1...3 {
                #expect(try client.nextMethod(on: 1) == .basicAck(BasicAck(deliveryTag: tag)))
            }
        }
    }

    @Test func confirmSelectNoWaitGetsNoReplyButConfirmsStillCome() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.confirmSelect(ConfirmSelect(noWait: true)), channel: 1)
            client.publish([0], routingKey: "anything")
            #expect(try client.nextMethod(on: 1) == .basicAck(BasicAck(deliveryTag: 1)))
        }
    }

    @Test func nackWithRequeueRedeliversAndRejectWithoutRequeueDrops() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue)
            client.publish(Array("again".utf8), routingKey: queue)
            let first = try client.expectDelivery()
            client.send(.basicNack(BasicNack(deliveryTag: first.deliver.deliveryTag, requeue: true)), channel: 1)
            let second = try client.expectDelivery()
            #expect(second.body == Array("again".utf8))
            #expect(second.deliver.redelivered)
            #expect(second.deliver.deliveryTag > first.deliver.deliveryTag)
            client.send(.basicReject(BasicReject(deliveryTag: second.deliver.deliveryTag, requeue: false)), channel: 1)
            try client.sync()
            #expect(client.unreadCommands.isEmpty)
            #expect(try client.declareQueue(queue, passive: true).messageCount == 0)
        }
    }

    @Test func recoverRequeuesEverythingUnackedAsRedelivered() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            try client.consume(queue)
            client.publish([1], routingKey: queue)
            client.publish([2], routingKey: queue)
            _ = try client.expectDelivery()
            _ = try client.expectDelivery()
            client.send(.basicRecover(BasicRecover(requeue: true)), channel: 1)
            var redelivered: [[UInt8]] = []
            while redelivered.count < 2 {
                switch try client.nextIncoming() {
                case .content(1, let content):
                    guard case .basicDeliver(let deliver) = content.method else { continue }
                    #expect(deliver.redelivered)
                    redelivered.append(content.body)
                case .method(1, .basicRecoverOk):
                    continue
                default:
                    continue
                }
            }
            #expect(redelivered == [[1], [2]], "requeued in their original order")
        }
    }

    @Test func acksHeldInATransactionAreUndoneByRollback() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            client.publish([9], routingKey: queue)
            _ = try client.call(.txSelect(TxSelect()))
            guard case .basicGetOk(let ok) = try client.call(.basicGet(BasicGet(queue: queue))) else {
                Issue.record("no get-ok")
                return
            }
            client.send(.basicAck(BasicAck(deliveryTag: ok.deliveryTag)), channel: 1)
            _ = try client.call(.txRollback(TxRollback()))
            // Outstanding again: acking it once more (and committing) is fine.
            client.send(.basicAck(BasicAck(deliveryTag: ok.deliveryTag)), channel: 1)
            #expect(try client.call(.txCommit(TxCommit())) == .txCommitOk(TxCommitOk()))
            try client.closeChannel(1)
            try client.openChannel(2)
            #expect(try client.declareQueue(queue, passive: true, channel: 2).messageCount == 0)
        }
    }
}
