import AMQPProtocol
import Testing
@testable import WarrenCore

/// Queue argument checks and texts, as RabbitMQ 3.10 answers them (checked
/// against a live broker), and the `expiration` property's.
struct QueueSettingsTests {
    private func declareError(_ arguments: FieldTable, name: String = "q") -> AMQPError? {
        let vhost = makeVirtualHost()
        do {
            try vhost.declareQueue(name: name, arguments: arguments, owner: connectionA)
            return nil
        } catch {
            #expect(vhost.queue(named: name) == nil)
            return error
        }
    }

    private func invalid(_ name: String, _ reason: String) -> AMQPError {
        error(.preconditionFailed, "invalid arg '\(name)' for queue 'q' in vhost '/': \(reason)")
    }

    @Test func parsesEveryArgumentItActsOn() throws {
        let settings = try QueueSettings.parse(
            ["x-message-ttl": .int(500), "x-expires": .int64(60_000), "x-dead-letter-exchange": .string("dlx"),
             "x-dead-letter-routing-key": .string("dead"), "x-max-length": .uint16(10),
             "x-max-length-bytes": .int32(4096), "x-overflow": .string("reject-publish-dlx"), "x-max-priority": .uint8(9)],
            queue: "q", vhost: "/")
        #expect(settings.messageTTL == 500)
        #expect(settings.expires == 60_000)
        #expect(settings.deadLetterExchange == "dlx")
        #expect(settings.deadLetterRoutingKey == "dead")
        #expect(settings.maxLength == 10)
        #expect(settings.maxLengthBytes == 4096)
        #expect(settings.overflow == .rejectPublishDeadLetter)
        #expect(settings.maxPriority == 9)
    }

    @Test func negativeValuesAreRefusedWithTheValue() {
        #expect(declareError(["x-message-ttl": .int(-1)]) == invalid("x-message-ttl", "{value_negative,-1}"))
        #expect(declareError(["x-expires": .int(-5)]) == invalid("x-expires", "{value_negative,-5}"))
        #expect(declareError(["x-max-length": .int(-1)]) == invalid("x-max-length", "{value_negative,-1}"))
        #expect(declareError(["x-max-length-bytes": .int(-2)]) == invalid("x-max-length-bytes", "{value_negative,-2}"))
        #expect(declareError(["x-max-priority": .int(-1)]) == invalid("x-max-priority", "{value_negative,-1}"))
    }

    @Test func wrongTypesAreRefusedWithTheTypeName() {
        #expect(declareError(["x-message-ttl": .string("10")])
                == invalid("x-message-ttl", "\"expected integer, got longstr\""))
        #expect(declareError(["x-message-ttl": .boolean(true)])
                == invalid("x-message-ttl", "\"expected integer, got bool\""))
        #expect(declareError(["x-message-ttl": .decimal(scale: 1, value: 15)])
                == invalid("x-message-ttl", "\"expected integer, got decimal\""))
        #expect(declareError(["x-max-priority": .string("5")])
                == invalid("x-max-priority", "\"expected integer, got longstr\""))
        #expect(declareError(["x-overflow": .int(5)]) == invalid("x-overflow", "{unacceptable_type,signedint}"))
        #expect(declareError(["x-dead-letter-exchange": .string("dlx"), "x-dead-letter-routing-key": .int(5)])
                == invalid("x-dead-letter-routing-key", "{unacceptable_type,signedint}"))
        #expect(declareError(["x-dead-letter-exchange": .int(5)])
                == error(.preconditionFailed,
                         "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'"))
    }

    @Test func limitsAndSpecialValues() throws {
        #expect(declareError(["x-expires": .int(0)]) == invalid("x-expires", "{value_zero,0}"))
        #expect(declareError(["x-message-ttl": .int64(1 << 40)]) == invalid("x-message-ttl", "{value_too_large,1099511627776}"))
        #expect(declareError(["x-expires": .int64(1 << 40)]) == invalid("x-expires", "{value_too_large,1099511627776}"))
        #expect(declareError(["x-max-priority": .int(256)]) == invalid("x-max-priority", "{max_value_exceeded,256}"))
        #expect(declareError(["x-overflow": .string("nope")]) == invalid("x-overflow", "invalid_overflow"))
        #expect(declareError(["x-dead-letter-routing-key": .string("k")])
                == invalid("x-dead-letter-routing-key", "routing_key_but_no_dlx_defined"))
        for accepted: FieldTable in [["x-message-ttl": .int(0)], ["x-message-ttl": .int64(315_360_000_000)],
                                     ["x-max-priority": .int(0)], ["x-max-priority": .int(255)],
                                     ["x-max-length": .int64(1 << 40)], ["x-dead-letter-exchange": .string("missing")]] {
            #expect(declareError(accepted) == nil, "\(accepted)")
        }
    }

    @Test func checksRunInRabbitMQsOrder() {
        #expect(declareError(["x-message-ttl": .int(-1), "x-expires": .int(0)]) == invalid("x-expires", "{value_zero,0}"))
        #expect(declareError(["x-max-length": .int(-1), "x-message-ttl": .int(-1)])
                == invalid("x-message-ttl", "{value_negative,-1}"))
        #expect(declareError(["x-dead-letter-exchange": .int(5), "x-message-ttl": .int(-1)])
                == error(.preconditionFailed,
                         "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'"))
    }

    @Test func longReasonsWrapAsErlangPrettyPrintsThem() {
        let name = String(repeating: "n", count: 220)
        let reason = declareError(["x-message-ttl": .int64(1 << 40)], name: name)
        let prefix = "invalid arg 'x-message-ttl' for queue '\(name)' in vhost '/': "
        #expect(reason == error(.preconditionFailed,
                                prefix + "{value_too_large,\n" + String(repeating: " ", count: prefix.count + 1)
                                    + "1099511627776}"))
    }

    @Test func redeclaringWithOtherArgumentsIsInequivalent() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-message-ttl": .int(100), "x-max-priority": .int(5)])
        #expect(throws: error(.preconditionFailed, "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': "
                                  + "received '200' but current is '100'")) {
            try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .int(200), "x-max-priority": .int(5)],
                                   owner: connectionA)
        }
        #expect(throws: error(.preconditionFailed, "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': "
                                  + "received none but current is the value '100' of type 'signedint'")) {
            try vhost.declareQueue(name: "q", arguments: ["x-max-priority": .int(5)], owner: connectionA)
        }
        // Redeclaring an existing queue compares; it does not validate again.
        #expect(throws: error(.preconditionFailed, "inequivalent arg 'x-expires' for queue 'q' in vhost '/': "
                                  + "received the value '0' of type 'signedint' but current is none")) {
            try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .int(100), "x-max-priority": .int(5),
                                                          "x-expires": .int(0)], owner: connectionA)
        }
        try vhost.declareQueue(name: "q", arguments: ["x-message-ttl": .int64(100), "x-max-priority": .uint8(5)],
                               owner: connectionA)
    }

    // MARK: expiration

    private func expirationError(_ text: String) -> String? {
        do {
            try Expiration.validate(text)
            return nil
        } catch {
            return error.text
        }
    }

    @Test func expirationParsesAsErlangsToInteger() throws {
        #expect(try Expiration.parse("0".utf8).get() == 0)
        #expect(try Expiration.parse("007".utf8).get() == 7)
        #expect(try Expiration.parse("+5".utf8).get() == 5)
        #expect(try Expiration.parse("-0".utf8).get() == 0)
        #expect(try Expiration.parse("4294967296".utf8).get() == 4_294_967_296)
        #expect(try Expiration.parse("315360000000".utf8).get() == 315_360_000_000)
    }

    @Test func invalidExpirationsReadAsRabbitMQs() {
        let cases: [(String, String)] = [
            ("abc", "no_integer"), ("", "no_integer"), (" 5", "no_integer"), ("--5", "no_integer"), ("+", "no_integer"),
            ("-5", "{value_negative,-5}"), ("-007", "{value_negative,-7}"),
            ("10x", "{leftover_string,\"x\"}"), ("5 ", "{leftover_string,\" \"}"), ("1.5", "{leftover_string,\".5\"}"),
            ("1\u{1}ab", "{leftover_string,[1,97,98]}"), ("1é", "{leftover_string,\"é\"}"),
            ("1a\"b\\c", "{leftover_string,\"a\\\"b\\\\c\"}"), ("1a\nb", "{leftover_string,\"a\\nb\"}"),
            ("9999999999999", "{value_too_large,9999999999999}"),
            ("315360000001", "{value_too_large,315360000001}"),
        ]
        for (text, reason) in cases {
            #expect(expirationError(text) == "PRECONDITION_FAILED - invalid expiration '\(text)': \(reason)", "\(text)")
        }
    }

    @Test func longExpirationReasonsWrapAtEightyColumns() {
        // {value_too_large,N} starting at column 42 with 37 characters reaches column 79: it wraps.
        let nines = String(repeating: "9", count: 19)
        #expect(expirationError(nines) == "PRECONDITION_FAILED - invalid expiration '\(nines)': {value_too_large,\n"
                + String(repeating: " ", count: 43) + nines + "}")
        // {leftover_string,"x…"} ending at column 78 stays on one line; one more character wraps it.
        let short = "1" + String(repeating: "x", count: 17)
        #expect(expirationError(short) == "PRECONDITION_FAILED - invalid expiration '\(short)': "
                + "{leftover_string,\"\(String(repeating: "x", count: 17))\"}")
        let long = "1" + String(repeating: "x", count: 18)
        #expect(expirationError(long) == "PRECONDITION_FAILED - invalid expiration '\(long)': {leftover_string,\n"
                + String(repeating: " ", count: 43) + "\"\(String(repeating: "x", count: 18))\"}")
    }

    @Test func publishingWithAnInvalidExpirationFailsAfterTheExchangeCheck() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        let (session, _) = makeSession(vhost)
        #expect(throws: error(.notFound, "no exchange 'nope' in vhost '/'")) {
            try session.publish(exchange: "nope", routingKey: "q", properties: BasicProperties(expiration: "abc"), body: [])
        }
        #expect(throws: error(.preconditionFailed, "invalid expiration 'abc': no_integer")) {
            try session.publish(exchange: "", routingKey: "q", properties: BasicProperties(expiration: "abc"), body: [])
        }
        #expect(throws: error(.preconditionFailed, "invalid expiration '-1': {value_negative,-1}")) {
            try vhost.send(to: "q", "x", BasicProperties(expiration: "-1"))
        }
        #expect(vhost.queue(named: "q")?.messageCount == 0)
    }
}
