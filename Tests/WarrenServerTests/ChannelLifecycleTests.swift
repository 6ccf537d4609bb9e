import AMQPProtocol
import Testing
@testable import WarrenServer

/// §1.3 connection.open, §9 channel limits and §10: opening, using and
/// closing channels, and the hard errors for getting that wrong.
@Suite struct ChannelLifecycleTests {
    @Test func unknownVirtualHostIs530() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk()
            client.tuneOk(channelMax: tune.channelMax, frameMax: tune.frameMax)
            client.send(.connectionOpen(ConnectionOpen(virtualHost: "nowhere")))
            try expectConnectionClosed(client, code: .notAllowed, text: "NOT_ALLOWED - vhost nowhere not found",
                                       classID: 10, methodID: 40)
        }
    }

    @Test func frameOnAChannelBeforeOpenOkIs505() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk()
            client.tuneOk(channelMax: tune.channelMax, frameMax: tune.frameMax)
            client.send(.channelOpen(ChannelOpen()), channel: 1)
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func connectionMethodOutOfOrderIs504() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            client.send(.connectionOpen(ConnectionOpen(virtualHost: "/")))  // before start-ok
            try expectConnectionClosed(client, code: .channelError)
        }
    }

    @Test func methodOnAChannelThatIsNotOpenIs504() throws {
        try withBroker { broker in
            let client = try broker.openClient(openChannel: nil)
            client.send(.queueDeclare(QueueDeclare(queue: "q")), channel: 1)
            try expectConnectionClosed(client, code: .channelError, text: "CHANNEL_ERROR - expected 'channel.open'")
        }
    }

    @Test func contentFrameOnAChannelThatIsNotOpenIs505() throws {
        try withBroker { broker in
            let client = try broker.openClient(openChannel: nil)
            client.sendFrame(type: 2, channel: 3, payload: RawAMQPClient.headerPayload(bodySize: 1))
            try expectConnectionClosed(client, code: .unexpectedFrame)
        }
    }

    @Test func secondChannelOpenIs504() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.channelOpen(ChannelOpen()), channel: 1)
            try expectConnectionClosed(client, code: .channelError, text: "CHANNEL_ERROR - second 'channel.open' seen",
                                       classID: 20, methodID: 10)
        }
    }

    @Test func channelNumberAboveChannelMaxIs530() throws {
        try withBroker { broker in
            let client = try broker.openClient(channelMax: 3, openChannel: nil)
            try client.openChannel(3)
            client.send(.channelOpen(ChannelOpen()), channel: 4)
            let close = try expectConnectionClosed(client, code: .notAllowed)
            #expect(close.replyText.contains("channel_max"))
        }
    }

    @Test func openingMoreChannelsThanChannelMaxIs530() throws {
        try withBroker { broker in
            let client = try broker.openClient(channelMax: 3, openChannel: nil)
            for channel: UInt16 in 1...3 { try client.openChannel(channel) }
            client.send(.channelOpen(ChannelOpen()), channel: 4)
            try expectConnectionClosed(
                client, code: .notAllowed,
                text: "NOT_ALLOWED - number of channels opened (3) has reached the negotiated channel_max (3)")
        }
    }

    @Test func closedChannelNumberCanBeOpenedAgain() throws {
        try withBroker { broker in
            let client = try broker.openClient(channelMax: 1)
            try client.closeChannel(1)
            try client.openChannel(1)
            try client.closeChannel(1)
            try expectConnectionUsable(client, channel: 1)
        }
    }

    /// §10: after Warren sends channel.close, frames on the channel are
    /// discarded until close-ok, which frees the number.
    @Test func framesOnAClosingChannelAreDiscardedUntilCloseOk() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.queueDeclare(QueueDeclare(queue: "missing", passive: true)), channel: 1)
            let incoming = try client.next { if case .method(1, .channelClose) = $0 { true } else { false } }
            guard case .method(_, .channelClose(let close)) = incoming else { return }
            #expect(close.replyCode == 404)
            // Still closing: these are dropped without an answer or an error.
            client.send(.queueDeclare(QueueDeclare(queue: "other")), channel: 1)
            client.publish(Array("dropped".utf8), routingKey: "other", channel: 1)
            client.send(.channelOpen(ChannelOpen()), channel: 1)
            client.send(.channelCloseOk(ChannelCloseOk()), channel: 1)
            try client.openChannel(1)
            #expect(client.unreadCommands.isEmpty, "nothing answered the discarded frames: \(client.unreadCommands)")
            // The discarded declare made no queue.
            client.send(.queueDeclare(QueueDeclare(queue: "other", passive: true)), channel: 1)
            try expectChannelClosed(client, code: .notFound, text: "NOT_FOUND - no queue 'other' in vhost '/'")
        }
    }

    @Test func clientConnectionCloseIsAnsweredWithCloseOkAndTheSocketCloses() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let reply = try client.call(.connectionClose(ConnectionClose(replyCode: 200, replyText: "bye")), channel: 0)
            guard case .connectionCloseOk = reply else {
                Issue.record("expected close-ok, got \(reply)")
                return
            }
            #expect(client.waitUntilClosedByServer(timeout: 5))
        }
    }

    /// §1.4: after Warren's connection.close only close and close-ok count.
    @Test func framesAfterWarrensConnectionCloseAreDiscardedUntilCloseOk() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.channelFlow(ChannelFlow(active: false)), channel: 1)  // a hard 540
            let close = try client.expectConnectionClose(answer: false)
            #expect(close.replyCode == 540)
            client.send(.queueDeclare(QueueDeclare(queue: "ignored")), channel: 1)
            client.send(.channelOpen(ChannelOpen()), channel: 2)
            client.send(.connectionClose(ConnectionClose(replyCode: 200, replyText: "crossing")), channel: 0)
            #expect(try client.nextMethod() == .connectionCloseOk(ConnectionCloseOk()),
                    "a crossing connection.close is answered with close-ok, and nothing else is")
            #expect(client.waitUntilClosedByServer(timeout: 5))
        }
    }

    @Test func cancelOfAnUnknownConsumerTagIsStillAnswered() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            #expect(try client.call(.basicCancel(BasicCancel(consumerTag: "never-was")))
                    == .basicCancelOk(BasicCancelOk(consumerTag: "never-was")))
        }
    }
}
