import AMQPProtocol
import Testing
@testable import WarrenServer

/// §2.2, §3, §5.3 and §10: frames and contents that break the rules. All of
/// these are hard errors except an oversized message, which is soft.
@Suite struct FramingErrorTests {
    static func methodPayload(_ method: Method) -> [UInt8] {
        var writer = ByteWriter()
        method.encode(to: &writer)
        return writer.bytes
    }

    static let publish = Method.basicPublish(BasicPublish(routingKey: "nowhere"))

    @Test func oversizeFrameIsRefusedFromItsHeaderWithoutWaitingForThePayload() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            // Only the 7-octet header: a server that waited for 131073 octets would time out here.
            client.sendBytes([1, 0, 1, 0x00, 0x02, 0x00, 0x01])
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test func hugeFrameSizeBeforeTuneIsRefusedFromItsHeader() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            client.sendBytes([1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test func wrongFrameEndIs501() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 1, channel: 1, payload: Self.methodPayload(.basicQos(BasicQos(prefetchCount: 1))),
                             end: 0xCD)
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test(arguments: [0, 4, 7, 9, 65, 255] as [UInt8])
    func unknownFrameTypeIs501(type: UInt8) throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: type, channel: 1, payload: [1, 2, 3])
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test func heartbeatOnAChannelIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 8, channel: 1, payload: [])
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func heartbeatWithAPayloadIs501() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 8, channel: 0, payload: [0])
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test func methodPayloadShorterThanFourOctetsIs501() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 1, channel: 1, payload: [0, 60])
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test func contentHeaderOnChannelZeroIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 2, channel: 0, payload: RawAMQPClient.headerPayload(bodySize: 0))
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func contentHeaderWithoutAMethodIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(bodySize: 3))
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func bodyWithoutAMethodIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 3, channel: 1, payload: [1, 2, 3])
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func bodyAfterPublishWithoutAHeaderIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(Self.publish, channel: 1)
            client.sendFrame(type: 3, channel: 1, payload: [1, 2, 3])
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func methodInTheMiddleOfAContentIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(Self.publish, channel: 1)
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(bodySize: 10))
            client.sendFrame(type: 3, channel: 1, payload: [1, 2, 3])
            client.send(Self.publish, channel: 1)
            try expectConnectionClosed(
                client, code: .unexpectedFrame,
                text: "UNEXPECTED_FRAME - expected content body, got non content body frame instead")
        }
    }

    @Test func bodyLongerThanItsHeaderSaidIs501() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(Self.publish, channel: 1)
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(bodySize: 4))
            client.sendFrame(type: 3, channel: 1, payload: [1, 2, 3])
            client.sendFrame(type: 3, channel: 1, payload: [4, 5])
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    @Test func headerForAnotherClassIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(Self.publish, channel: 1)
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(classID: 50, bodySize: 0))
            try expectConnectionClosed(
                client, code: .unexpectedFrame,
                text: "UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead")
        }
    }

    @Test func headerWithANonZeroWeightIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(Self.publish, channel: 1)
            var payload = RawAMQPClient.headerPayload(bodySize: 0)
            payload[3] = 1  // weight
            client.sendFrame(type: 2, channel: 1, payload: payload)
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func bodyAboveTheHardCapIs501() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(Self.publish, channel: 1)
            client.sendFrame(type: 2, channel: 1, payload: RawAMQPClient.headerPayload(bodySize: 536_870_913))
            try expectConnectionClosed(client, code: .frameError)
        }
    }

    /// §5.3: soft 406 decided from the header; the body frames that follow
    /// are discarded and the connection carries on.
    @Test func messageLargerThanTheConfiguredMaximumIsASoft406() throws {
        try withBroker({ $0.maximumMessageSize = 1000 }) { broker in
            let client = try broker.openClient()
            let queue = try client.declareQueue(exclusive: true).queue
            client.publish([UInt8](repeating: 1, count: 1000), routingKey: queue)  // exactly the maximum: fine
            try client.sync()
            client.publish([UInt8](repeating: 2, count: 1001), routingKey: queue)
            try expectChannelClosed(
                client, code: .preconditionFailed,
                text: "PRECONDITION_FAILED - message size 1001 is larger than configured max size 1000",
                classID: 60, methodID: 40)
            try client.openChannel(2)
            let ok = try client.declareQueue(queue, passive: true, channel: 2)
            #expect(ok.messageCount == 1, "only the message within the limit was queued")
        }
    }

    @Test func messageLargerThanTheMaximumSentInManyFramesIsStillASoft406() throws {
        try withBroker({ $0.maximumMessageSize = 100_000 }) { broker in
            let client = try broker.openClient()
            client.publish([UInt8](repeating: 2, count: 500_000), routingKey: "nowhere")
            try expectChannelClosed(client, code: .preconditionFailed)
        }
    }

    @Test func unknownMethodIdIs503NamingWhatWasReceived() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 1, channel: 1, payload: [0, 60, 0, 200])
            try expectConnectionClosed(client, code: .commandInvalid, classID: 60, methodID: 200)
        }
    }

    @Test func unknownClassIdIs503() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 1, channel: 1, payload: [0x12, 0x34, 0, 10])
            try expectConnectionClosed(client, code: .commandInvalid, classID: 0x1234, methodID: 10)
        }
    }

    @Test func accessRequestIsRefusedAsAnUnknownClass() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            // access.request(realm "/data", exclusive, passive, active, write, read)
            client.sendFrame(type: 1, channel: 1, payload: [0, 30, 0, 10, 5] + Array("/data".utf8) + [0])
            try expectConnectionClosed(client, code: .commandInvalid, classID: 30, methodID: 10)
        }
    }

    @Test func truncatedMethodArgumentsAre501NamingTheMethod() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            var payload = Self.methodPayload(.queueDeclare(QueueDeclare(queue: "some-queue")))
            payload.removeLast(6)
            client.sendFrame(type: 1, channel: 1, payload: payload)
            try expectConnectionClosed(client, code: .frameError, classID: 50, methodID: 10)
        }
    }

    @Test func trailingOctetsAfterTheArgumentsAre501() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendFrame(type: 1, channel: 1,
                             payload: Self.methodPayload(.basicQos(BasicQos(prefetchCount: 1))) + [0])
            try expectConnectionClosed(client, code: .frameError, classID: 60, methodID: 10)
        }
    }

    @Test func nonConnectionMethodOnChannelZeroIs504() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.queueDeclare(QueueDeclare(queue: "q")), channel: 0)
            try expectConnectionClosed(client, code: .channelError, classID: 50, methodID: 10)
        }
    }

    @Test func serverOnlyContentMethodFromTheClientIs503() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.sendContent(.basicDeliver(BasicDeliver(consumerTag: "x", deliveryTag: 1, routingKey: "k")),
                               body: [1], channel: 1)
            try expectConnectionClosed(client, code: .commandInvalid, classID: 60, methodID: 60)
        }
    }

    @Test func serverOnlyContentMethodIsRefusedBeforeItsContentArrives() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.basicGetOk(BasicGetOk(deliveryTag: 1, routingKey: "k")), channel: 1)
            try expectConnectionClosed(client, code: .commandInvalid, classID: 60, methodID: 71)
        }
    }

    @Test func serverOnlyMethodFromTheClientIs503() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.queueDeclareOk(QueueDeclareOk(queue: "q")), channel: 1)
            try expectConnectionClosed(client, code: .commandInvalid, text: "COMMAND_INVALID - unimplemented method",
                                       classID: 50, methodID: 11)
        }
    }
}
