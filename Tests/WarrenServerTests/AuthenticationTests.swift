import AMQPProtocol
import Testing
import WarrenCore
@testable import WarrenServer

/// §1.3: connection.start-ok, the mechanisms, and what a failed login gets.
@Suite struct AuthenticationTests {
    static let refusedPlain =
        "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."

    @Test func wrongPasswordIsRefusedWith403WhenTheClientAskedForIt() throws {
        try withBroker { broker in
            let client = try broker.client(timeout: 10)
            try client.start()
            var capabilities = RawAMQPClient.Capabilities()
            capabilities.authenticationFailureClose = true
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: ["capabilities": .table(capabilities.table)], mechanism: "PLAIN",
                response: RawAMQPClient.plainResponse(user: "guest", password: "wrong"), locale: "en_US")))
            try expectConnectionClosed(client, code: .accessRefused, text: Self.refusedPlain,
                                       classID: 10, methodID: 11)
        }
    }

    @Test func unknownUserGetsTheSameRefusalAsAWrongPassword() throws {
        try withBroker { broker in
            let client = try broker.client(timeout: 10)
            try client.start()
            var capabilities = RawAMQPClient.Capabilities()
            capabilities.authenticationFailureClose = true
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: ["capabilities": .table(capabilities.table)], mechanism: "PLAIN",
                response: RawAMQPClient.plainResponse(user: "nobody", password: "guest"), locale: "en_US")))
            try expectConnectionClosed(client, code: .accessRefused, text: Self.refusedPlain)
        }
    }

    @Test func wrongPasswordWithoutTheCapabilityClosesWithoutAFrame() throws {
        try withBroker { broker in
            let client = try broker.client(timeout: 10)
            try client.start()
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: [:], mechanism: "PLAIN",
                response: RawAMQPClient.plainResponse(user: "guest", password: "wrong"), locale: "en_US")))
            let (bytes, closed) = client.readRawUntilClosed(timeout: 10)
            #expect(closed)
            #expect(bytes.isEmpty, "a client that did not announce authentication_failure_close gets no close")
        }
    }

    @Test func unknownMechanismClosesTheSocketWithoutAFrame() throws {
        try withBroker { broker in
            let client = try broker.client(timeout: 10)
            try client.start()
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: [:], mechanism: "EXTERNAL", response: [], locale: "en_US")))
            let (bytes, closed) = client.readRawUntilClosed(timeout: 10)
            #expect(closed)
            #expect(bytes.isEmpty)
            #expect(broker.logged("503"), "the 503 COMMAND_INVALID is logged")
        }
    }

    @Test(arguments: [
        Array("guest".utf8),                       // no NUL at all
        Array("\0guest".utf8),                     // one NUL
        Array("\0guest\0guest\0extra".utf8),       // three NULs
    ])
    func malformedPlainResponseIs502SyntaxError(response: [UInt8]) throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: [:], mechanism: "PLAIN", response: response, locale: "en_US")))
            try expectConnectionClosed(client, code: .syntaxError)
        }
    }

    static func amqplainResponse(_ table: FieldTable) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeFieldTable(table)
        return Array(writer.bytes.dropFirst(4))  // the table without its length
    }

    @Test func amqplainLogsIn() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk(
                mechanism: "AMQPLAIN",
                response: Self.amqplainResponse(["LOGIN": .string("guest"), "PASSWORD": .string("guest")]))
            client.tuneOk(channelMax: tune.channelMax, frameMax: tune.frameMax)
            try client.open()
            try expectConnectionUsable(client, channel: 1)
        }
    }

    @Test func amqplainWithAWrongPasswordIsRefusedNamingAMQPLAIN() throws {
        try withBroker { broker in
            let client = try broker.client(timeout: 10)
            try client.start()
            var capabilities = RawAMQPClient.Capabilities()
            capabilities.authenticationFailureClose = true
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: ["capabilities": .table(capabilities.table)], mechanism: "AMQPLAIN",
                response: Self.amqplainResponse(["LOGIN": .string("guest"), "PASSWORD": .string("nope")]),
                locale: "en_US")))
            try expectConnectionClosed(
                client, code: .accessRefused,
                text: "ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN. For details see the broker logfile.")
        }
    }

    @Test(arguments: [
        amqplainResponse(["LOGIN": .string("guest")]),      // no PASSWORD
        [0xFF, 0x01],                                       // not a table
    ])
    func malformedAmqplainResponseIs502SyntaxError(response: [UInt8]) throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            client.send(.connectionStartOk(ConnectionStartOk(
                clientProperties: [:], mechanism: "AMQPLAIN", response: response, locale: "en_US")))
            try expectConnectionClosed(client, code: .syntaxError)
        }
    }

    @Test func plainWithAnAuthorizationIdentityLogsIn() throws {
        try withBroker { broker in
            let client = try broker.client()
            try client.start()
            let tune = try client.startOk(response: Array("someone\0guest\0guest".utf8))
            client.tuneOk(channelMax: tune.channelMax, frameMax: tune.frameMax)
            try client.open()
        }
    }

    /// A loopback-only user connecting from elsewhere cannot be staged over
    /// loopback, so this checks the function the connection calls.
    @Test func loopbackOnlyUserIsRefusedFromANonLoopbackAddress() throws {
        let broker = Broker()
        broker.addUser(User(name: "anywhere", password: "secret"))
        let guest = Credentials(user: "guest", password: "guest")
        #expect(throws: AMQPError(.accessRefused, "Login was refused using authentication mechanism PLAIN. For details see the broker logfile.")) {
            _ = try broker.authenticate(guest, mechanism: "PLAIN", fromLoopback: false)
        }
        #expect(try broker.authenticate(guest, mechanism: "PLAIN", fromLoopback: true).name == "guest")
        let remote = Credentials(user: "anywhere", password: "secret")
        #expect(try broker.authenticate(remote, mechanism: "PLAIN", fromLoopback: false).name == "anywhere")
    }

    @Test func updateSecretWithTheRightSecretIsAccepted() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            let reply = try client.call(.connectionUpdateSecret(ConnectionUpdateSecret(
                newSecret: Array("guest".utf8), reason: "rotation")), channel: 0)
            guard case .connectionUpdateSecretOk = reply else {
                Issue.record("expected update-secret-ok, got \(reply)")
                return
            }
            try expectConnectionUsable(client, channel: 2)
        }
    }

    @Test func updateSecretWithAWrongSecretIs530() throws {
        try withBroker { broker in
            let client = try broker.openClient()
            client.send(.connectionUpdateSecret(ConnectionUpdateSecret(newSecret: Array("wrong".utf8), reason: "x")))
            try expectConnectionClosed(
                client, code: .notAllowed, text: "NOT_ALLOWED - New secret was refused by one of the backends")
        }
    }
}
