import Testing
@testable import WarrenClient

@Suite("publish, consume, get, acknowledge", .timeLimit(.minutes(2)))
struct ChannelMessagingTests {
    static let everyProperty = BasicProperties(
        contentType: "text/plain", contentEncoding: "identity",
        headers: ["name": .string("value"), "count": .int32(3), "flag": .boolean(true)],
        deliveryMode: 2, priority: 5, correlationID: "correlation", replyTo: "reply-queue",
        expiration: "60000", messageID: "message-1", timestamp: 1_700_000_000, type: "greeting",
        userID: "guest", appID: "warren-tests", clusterID: "cluster")

    @Test("publish and get: bytes, all 14 properties, exchange, key, redelivered and count")
    func publishAndGetCarryEverything() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            let body: [UInt8] = [0, 1, 2, 0xFF, 0xFE, 10, 13]
            try await channel.publish(body, routingKey: queue, properties: Self.everyProperty)
            try await channel.publish("second", routingKey: queue)
            let message = try #require(try await channel.get(queue: queue))
            #expect(message.body == body)
            #expect(message.properties == Self.everyProperty)
            #expect(message.exchange == "")
            #expect(message.routingKey == queue)
            #expect(!message.redelivered)
            #expect(message.messageCount == 1)
            #expect(message.consumerTag == nil)
            try await message.ack()
            #expect(try await channel.get(queue: queue, noAck: true)?.bodyString == "second")
        }
    }

    @Test("get on an empty queue returns nil")
    func getEmpty() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            #expect(try await channel.get(queue: queue) == nil)
        }
    }

    @Test("bodies larger than frame-max, and empty bodies, arrive whole")
    func largeAndEmptyBodies() async throws {
        try await withChannel { connection, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            let large = (0..<(3 * Int(connection.tuning.frameMax) + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await channel.publish(large, routingKey: queue)
            try await channel.publish([], routingKey: queue)
            let consumer = try await channel.consume(queue: queue, noAck: true)
            let deliveries = try await take(2, from: consumer)
            #expect(deliveries.map(\.body.count) == [large.count, 0])
            #expect(deliveries.first?.body == large)
        }
    }

    @Test("consume: deliveries in order with tag, key and properties; ack removes them")
    func consumeAndAck() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            let consumer = try await channel.consume(queue: queue)
            for number in 1...5 {
                try await channel.publish("m\(number)", routingKey: queue, properties: BasicProperties(messageID: "\(number)"))
            }
            let deliveries = try await take(5, from: consumer)
            #expect(deliveries.map(\.bodyString) == ["m1", "m2", "m3", "m4", "m5"])
            #expect(deliveries.allSatisfy { $0.consumerTag == consumer.tag && $0.routingKey == queue })
            #expect(deliveries.map(\.properties.messageID) == ["1", "2", "3", "4", "5"])
            for delivery in deliveries { try await delivery.ack() }
            try await consumer.cancel()
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 0)
        }
    }

    @Test("nack with requeue brings the message back marked redelivered; without, drops it")
    func nackRequeueRedelivers() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.publish("again", routingKey: queue)
            try await channel.publish("dropped", routingKey: queue)
            let consumer = try await channel.consume(queue: queue)
            let first = try await take(2, from: consumer)
            #expect(first.map(\.redelivered) == [false, false])
            try await first[0].nack(requeue: true)
            try await first[1].nack(requeue: false)
            let second = try await take(1, from: consumer)
            #expect(second.map(\.bodyString) == ["again"])
            #expect(second.first?.redelivered == true)
            try await second[0].ack()
        }
    }

    @Test("reject with requeue redelivers; reject without requeue drops")
    func rejectRequeue() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.publish("r", routingKey: queue)
            let first = try #require(try await channel.get(queue: queue))
            try await first.reject(requeue: true)
            let again = try #require(try await channel.get(queue: queue))
            #expect(again.redelivered)
            try await again.reject(requeue: false)
            #expect(try await channel.get(queue: queue) == nil)
        }
    }

    @Test("cancel ends the consumer's sequence normally; later messages stay queued")
    func cancelEndsSequence() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            let consumer = try await channel.consume(queue: queue, noAck: true)
            try await consumer.cancel()
            let ended = try await within(.seconds(5), "the sequence to end") {
                var count = 0
                for try await _ in consumer { count += 1 }
                return count
            }
            #expect(ended == 0)
            try await channel.publish("kept", routingKey: queue)
            #expect(try await channel.get(queue: queue, noAck: true)?.bodyString == "kept")
        }
    }

    @Test("qos prefetch 1: one unacked message at a time")
    func prefetchLimitsUnacked() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.qos(prefetchCount: 1)
            for number in 1...3 { try await channel.publish("\(number)", routingKey: queue) }
            let consumer = try await channel.consume(queue: queue)
            let first = try await take(1, from: consumer)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 2)
            try await first[0].ack()
            var rest: [String] = []
            for _ in 0..<2 {
                let next = try await take(1, from: consumer)
                rest += next.map(\.bodyString)
                for delivery in next { try await delivery.ack() }
            }
            #expect(rest == ["2", "3"])
        }
    }

    @Test("confirm mode: publish returns after the ack")
    func confirmsAck() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.confirmSelect()
            for number in 0..<50 { try await channel.publish("\(number)", routingKey: queue) }
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 50)
        }
    }

    @Test("confirm mode: concurrent publishes are each confirmed")
    func concurrentConfirms() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.confirmSelect()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 0..<200 { group.addTask { try await channel.publish("\(number)", routingKey: queue) } }
                try await group.waitForAll()
            }
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 200)
        }
    }

    @Test("confirm mode: an unroutable mandatory publish throws publishReturned with 312 NO_ROUTE")
    func confirmsReturnedMandatory() async throws {
        try await withChannel { _, channel in
            try await channel.confirmSelect()
            let key = uniqueName("nowhere")
            let error = await clientError {
                try await channel.publish("lost", exchange: "amq.direct", routingKey: key, mandatory: true)
            }
            guard case .publishReturned(let message)? = error else {
                Issue.record("expected publishReturned, got \(String(describing: error))")
                return
            }
            #expect(message.replyCode == .noRoute)
            #expect(message.replyText == "NO_ROUTE")
            #expect(message.routingKey == key)
            #expect(message.bodyString == "lost")
            // Not mandatory: unroutable is simply acked.
            try await channel.publish("dropped", exchange: "amq.direct", routingKey: key)
        }
    }

    @Test("confirm mode: a publish the broker nacks throws publishNacked")
    func confirmsNack() async throws {
        try await withChannel { _, channel in
            // A queue that rejects overflow nacks the publish that does not fit.
            let queue = try await channel.declareQueue(
                exclusive: true, arguments: ["x-max-length": .int32(1), "x-overflow": .string("reject-publish")]).name
            try await channel.confirmSelect()
            try await channel.publish("fits", routingKey: queue)
            let error = await clientError { try await channel.publish("overflows", routingKey: queue) }
            #expect(error == .publishNacked(sequenceNumber: 2))
        }
    }

    @Test("confirm mode without waiting per publish: waitForConfirms waits for all, and reports a nack")
    func waitForConfirms() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(
                exclusive: true, arguments: ["x-max-length": .int32(1000), "x-overflow": .string("reject-publish")]).name
            try await channel.confirmSelect()
            try await channel.waitForConfirms()  // nothing outstanding
            for number in 0..<1000 { try await channel.publish("\(number)", routingKey: queue, awaitConfirm: false) }
            try await channel.waitForConfirms()
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 1000)
            try await channel.publish("overflow", routingKey: queue, awaitConfirm: false)
            let error = await clientError { try await channel.waitForConfirms() }
            #expect(error == .publishNacked(sequenceNumber: 1001))
            try await channel.waitForConfirms()  // the failure was reported once
        }
    }

    @Test("without confirms, an unroutable mandatory message arrives as a returned event")
    func returnedMessageEvent() async throws {
        try await withChannel { _, channel in
            let key = uniqueName("nowhere")
            try await channel.publish("back", exchange: "amq.direct", routingKey: key, mandatory: true,
                                      properties: BasicProperties(messageID: "r1"))
            let returned = try await within(.seconds(5), "basic.return") { () -> ReturnedMessage? in
                for await event in channel.events {
                    if case .returned(let message) = event { return message }
                }
                return nil
            }
            #expect(returned?.replyCode == .noRoute)
            #expect(returned?.exchange == "amq.direct")
            #expect(returned?.routingKey == key)
            #expect(returned?.properties.messageID == "r1")
            #expect(returned?.bodyString == "back")
        }
    }

    @Test("deleting a consumed queue: the broker's cancel ends the sequence with consumerCancelledByBroker")
    func brokerCancelsConsumer() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true).name
            let consumer = try await channel.consume(queue: queue)
            try await connection.openChannel().deleteQueue(queue)
            let error = try await within(.seconds(5), "the broker's cancel") { () -> ClientError? in
                do {
                    for try await _ in consumer {}
                    return nil
                } catch {
                    return error as? ClientError
                }
            }
            #expect(error == .consumerCancelledByBroker(consumerTag: consumer.tag))
            #expect(channel.isOpen)
        }
    }

    @Test("a channel error ends consumers with channelClosed; unknown delivery tag is 406")
    func channelErrorEndsConsumers() async throws {
        try await withChannel { connection, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            let consumer = try await channel.consume(queue: queue)
            try await channel.ack(deliveryTag: 999)
            let error = try await within(.seconds(5), "the channel close") { () -> ClientError? in
                do {
                    for try await _ in consumer {}
                    return nil
                } catch {
                    return error as? ClientError
                }
            }
            #expect(error?.closeReason?.code == .preconditionFailed)
            #expect(error?.closeReason?.text == "PRECONDITION_FAILED - unknown delivery tag 999")
            #expect(connection.isOpen)
        }
    }

    @Test("closing the channel ends its consumers' sequences normally and requeues unacked messages")
    func closeEndsConsumersQuietly() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(uniqueName("requeue"), autoDelete: false, arguments: ["x-expires": .int32(60_000)]).name
            try await channel.publish("unacked", routingKey: queue)
            let consumer = try await channel.consume(queue: queue)
            _ = try await take(1, from: consumer)
            await channel.close()
            let rest = try await take(0, from: consumer)
            #expect(rest.isEmpty)
            let other = try await connection.openChannel()
            let again = try #require(try await other.get(queue: queue, noAck: true))
            #expect(again.redelivered)
            try await other.deleteQueue(queue)
        }
    }

    @Test("leaving the loop cancels the consumer on the broker")
    func abandonedConsumerIsCancelled() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true).name
            let task = Task {
                let consumer = try await channel.consume(queue: queue, noAck: true)
                for try await _ in consumer {}
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await channel.declareQueue(queue, passive: true).consumerCount == 1)
            task.cancel()
            _ = try? await task.value
            var count: UInt32 = 1
            for _ in 0..<50 where count > 0 {
                try await Task.sleep(for: .milliseconds(100))
                count = try await channel.declareQueue(queue, passive: true).consumerCount
            }
            #expect(count == 0)
        }
    }
}
