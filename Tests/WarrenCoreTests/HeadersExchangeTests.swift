import AMQPProtocol
import Testing
@testable import WarrenCore

struct HeadersExchangeTests {
    /// Binds one queue with `pattern` and says whether `headers` reach it.
    func routes(_ pattern: FieldTable, _ headers: FieldTable?) throws -> Bool {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "amq.headers", "ignored", arguments: pattern)
        return try vhost.send("amq.headers", "", "m", headers: headers).isRouted
    }

    @Test func allNeedsEveryEntryWithAnEqualValue() throws {
        let pattern: FieldTable = ["x-match": .string("all"), "format": .string("pdf"), "type": .string("report")]
        #expect(try routes(pattern, ["format": .string("pdf"), "type": .string("report"), "extra": .int32(1)]))
        #expect(try !routes(pattern, ["format": .string("pdf")]))
        #expect(try !routes(pattern, ["format": .string("pdf"), "type": .string("log")]))
        #expect(try !routes(pattern, nil))
    }

    @Test func allIsTheDefault() throws {
        let pattern: FieldTable = ["a": .int32(1), "b": .int32(2)]
        #expect(try routes(pattern, ["b": .int32(2), "a": .int32(1)]))
        #expect(try !routes(pattern, ["a": .int32(1)]))
    }

    @Test func anyNeedsOneEqualEntry() throws {
        let pattern: FieldTable = ["x-match": .string("any"), "a": .int32(1), "b": .int32(2)]
        #expect(try routes(pattern, ["b": .int32(2)]))
        #expect(try routes(pattern, ["a": .int32(1), "b": .int32(9)]))
        #expect(try !routes(pattern, ["a": .int32(9)]))
        #expect(try !routes(pattern, nil))
    }

    @Test func emptyPatternMatchesEverythingWithAllAndNothingWithAny() throws {
        #expect(try routes([:], nil))
        #expect(try routes(["x-match": .string("all")], ["a": .boolean(true)]))
        #expect(try !routes(["x-match": .string("any")], ["a": .boolean(true)]))
    }

    @Test func xKeysInThePatternAreIgnoredUnlessWithX() throws {
        #expect(try routes(["x-match": .string("all"), "x-tenant": .string("t1")], nil))
        #expect(try !routes(["x-match": .string("all-with-x"), "x-tenant": .string("t1")], nil))
        #expect(try routes(["x-match": .string("all-with-x"), "x-tenant": .string("t1")], ["x-tenant": .string("t1")]))
        #expect(try routes(["x-match": .string("any-with-x"), "x-tenant": .string("t1"), "a": .int32(1)],
                           ["x-tenant": .string("t1")]))
        #expect(try !routes(["x-match": .string("any"), "x-tenant": .string("t1")], ["x-tenant": .string("t1")]))
    }

    @Test func voidPatternValueAsksOnlyForPresence() throws {
        #expect(try routes(["a": .void], ["a": .string("anything")]))
        #expect(try !routes(["a": .void], ["b": .string("x")]))
        #expect(try routes(["x-match": .string("any"), "a": .void, "b": .int32(1)], ["a": .int64(5)]))
    }

    @Test func valuesCompareAsErlangDoes() throws {
        #expect(try routes(["n": .int32(1)], ["n": .int64(1)]))
        #expect(try routes(["n": .int8(1)], ["n": .double(1.0)]))
        #expect(try routes(["s": .string("x")], ["s": .byteArray(Array("x".utf8))]))
        #expect(try !routes(["n": .int32(1)], ["n": .string("1")]))
        #expect(try !routes(["b": .boolean(true)], ["b": .int32(1)]))
        #expect(try routes(["t": .timestamp(5)], ["t": .int32(5)]))
    }

    @Test func keysAreOrderedAsBytes() throws {
        let pattern: FieldTable = ["B": .int32(1), "a": .int32(2), "aa": .int32(3)]
        #expect(try routes(pattern, ["aa": .int32(3), "B": .int32(1), "a": .int32(2)]))
    }

    @Test func invalidXMatchIsRefused() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        #expect(throws: error(.preconditionFailed,
                              "Invalid x-match field value <<\"some\">>; expected all, any, all-with-x, or any-with-x")) {
            try vhost.bind("q", to: "amq.headers", arguments: ["x-match": .string("some")])
        }
        #expect(throws: error(.preconditionFailed, "Invalid x-match field type signedint (value 1); expected longstr")) {
            try vhost.bind("q", to: "amq.match", arguments: ["x-match": .int32(1)])
        }
    }

    @Test func unbindRemovesTheMatchingPatternOnly() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "amq.headers", arguments: ["a": .int32(1)])
        try vhost.bind("q", to: "amq.headers", arguments: ["b": .int32(2)])
        try vhost.unbindQueue(queue: "q", exchange: "amq.headers", routingKey: "", arguments: ["a": .int32(1)],
                              connection: connectionA)
        #expect(try !vhost.send("amq.headers", "", "m", headers: ["a": .int32(1)]).isRouted)
        #expect(try vhost.send("amq.headers", "", "m", headers: ["b": .int32(2)]).isRouted)
    }
}
