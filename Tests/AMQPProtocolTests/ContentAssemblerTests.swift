import AMQPProtocol
import Testing

@Suite struct ContentAssemblerTests {
    static let publish = Method.basicPublish(BasicPublish(exchange: "x", routingKey: "k"))
    static let ack = Method.basicAck(BasicAck(deliveryTag: 1))

    static func header(bodySize: UInt64, classID: UInt16 = 60, weight: UInt16 = 0) -> Frame {
        .header(channel: 1, ContentHeader(classID: classID, weight: weight, bodySize: bodySize, properties: .init(priority: 1)))
    }

    static func body(_ bytes: [UInt8]) -> Frame { .body(channel: 1, bytes[...]) }

    // MARK: - Whole commands

    @Test func methodWithoutContentIsACommandAtOnce() throws {
        var assembler = ContentAssembler()
        let command = try assembler.receive(.method(channel: 1, Self.ack))
        guard case .method(let method) = command else {
            Issue.record("expected a method, got \(String(describing: command))")
            return
        }
        #expect(method == Self.ack)
        #expect(!assembler.isAssembling)
    }

    @Test func multiFrameBodyIsJoinedInOrder() throws {
        var assembler = ContentAssembler()
        #expect(try assembler.receive(.method(channel: 1, Self.publish)) == nil)
        #expect(assembler.isAssembling)
        #expect(try assembler.receive(Self.header(bodySize: 7)) == nil)
        #expect(try assembler.receive(Self.body([1, 2, 3])) == nil)
        #expect(try assembler.receive(Self.body([])) == nil)  // empty body frames are allowed
        #expect(try assembler.receive(Self.body([4, 5])) == nil)
        let content = try #require(contentOf(try assembler.receive(Self.body([6, 7]))))
        #expect(content.method == Self.publish)
        #expect(content.properties == .init(priority: 1))
        #expect(content.body == [1, 2, 3, 4, 5, 6, 7])
        #expect(!assembler.isAssembling)
    }

    @Test func zeroSizeBodyIsCompleteWithTheHeader() throws {
        var assembler = ContentAssembler()
        _ = try assembler.receive(.method(channel: 1, Self.publish))
        let content = try #require(contentOf(try assembler.receive(Self.header(bodySize: 0))))
        #expect(content.body.isEmpty)
        #expect(!assembler.isAssembling)
        // The next method starts afresh.
        #expect(try assembler.receive(.method(channel: 1, Self.publish)) == nil)
    }

    @Test func everyContentMethodWaitsForItsContent() throws {
        let contentMethods: [Method] = [
            Self.publish, .basicReturn(BasicReturn()), .basicDeliver(BasicDeliver()), .basicGetOk(BasicGetOk()),
        ]
        for method in contentMethods {
            var assembler = ContentAssembler()
            #expect(try assembler.receive(.method(channel: 1, method)) == nil, "\(method.name)")
            #expect(try contentOf(assembler.receive(Self.header(bodySize: 1))) == nil)
            #expect(try contentOf(assembler.receive(Self.body([9])))?.method == method)
        }
    }

    @Test func resetForgetsAHalfAssembledCommand() throws {
        var assembler = ContentAssembler()
        _ = try assembler.receive(.method(channel: 1, Self.publish))
        _ = try assembler.receive(Self.header(bodySize: 10))
        assembler.reset()
        #expect(!assembler.isAssembling)
        #expect(try assembler.receive(.method(channel: 1, Self.ack)) != nil)
    }

    // MARK: - Sequence errors

    /// Frames fed in order; the last one must fail with `code`.
    struct Sequence: Sendable, CustomTestStringConvertible {
        var name: String
        var frames: [Frame]
        var code: ReplyCode
        var testDescription: String { name }
    }

    static let sequenceErrors: [Sequence] = [
        Sequence(name: "header with no content method", frames: [header(bodySize: 1)], code: .unexpectedFrame),
        Sequence(name: "body with no content method", frames: [body([1])], code: .unexpectedFrame),
        Sequence(name: "heartbeat handed to a channel", frames: [.heartbeat], code: .unexpectedFrame),
        Sequence(name: "method instead of header", frames: [.method(channel: 1, publish), .method(channel: 1, ack)],
                 code: .unexpectedFrame),
        Sequence(name: "body instead of header", frames: [.method(channel: 1, publish), body([1])], code: .unexpectedFrame),
        Sequence(name: "header for another class", frames: [.method(channel: 1, publish), header(bodySize: 1, classID: 50)],
                 code: .unexpectedFrame),
        Sequence(name: "header with non-zero weight", frames: [.method(channel: 1, publish), header(bodySize: 1, weight: 1)],
                 code: .unexpectedFrame),
        Sequence(name: "method in the middle of a body",
                 frames: [.method(channel: 1, publish), header(bodySize: 2), body([1]), .method(channel: 1, ack)],
                 code: .unexpectedFrame),
        Sequence(name: "second header in the middle of a body",
                 frames: [.method(channel: 1, publish), header(bodySize: 2), header(bodySize: 2)], code: .unexpectedFrame),
        Sequence(name: "body frame longer than the whole body",
                 frames: [.method(channel: 1, publish), header(bodySize: 2), body([1, 2, 3])], code: .frameError),
        Sequence(name: "last body frame running past the body",
                 frames: [.method(channel: 1, publish), header(bodySize: 4), body([1, 2]), body([3, 4, 5])], code: .frameError),
        Sequence(name: "body over the configured maximum, from the header",
                 frames: [.method(channel: 1, publish), header(bodySize: 134_217_729)], code: .preconditionFailed),
        Sequence(name: "body over the hard maximum, from the header",
                 frames: [.method(channel: 1, publish), header(bodySize: 536_870_913)], code: .frameError),
        Sequence(name: "body size near UInt64.max",
                 frames: [.method(channel: 1, publish), header(bodySize: .max)], code: .frameError),
    ]

    @Test(arguments: sequenceErrors)
    func sequenceErrorHasRabbitMQsReplyCode(_ sequence: Sequence) throws {
        var assembler = ContentAssembler()
        for frame in sequence.frames.dropLast() { _ = try assembler.receive(frame) }
        let last = try #require(sequence.frames.last)
        let error = amqpError { () throws(AMQPError) in try assembler.receive(last) }
        #expect(error?.code == sequence.code)
    }

    @Test func oversizeBodyLeavesTheChannelReadyForTheNextMethod() throws {
        var assembler = ContentAssembler(maximumBodySize: 1_000)
        _ = try assembler.receive(.method(channel: 1, Self.publish))
        let error = amqpError { () throws(AMQPError) in try assembler.receive(Self.header(bodySize: 1_001)) }
        #expect(error?.code == .preconditionFailed)
        #expect(error?.text == "PRECONDITION_FAILED - message size 1001 is larger than configured max size 1000")
        #expect(!assembler.isAssembling)
    }

    @Test func bodyOfExactlyTheConfiguredMaximumIsAccepted() throws {
        var assembler = ContentAssembler(maximumBodySize: 4)
        _ = try assembler.receive(.method(channel: 1, Self.publish))
        _ = try assembler.receive(Self.header(bodySize: 4))
        #expect(try contentOf(assembler.receive(Self.body([1, 2, 3, 4])))?.body.count == 4)
    }

    @Test func hardMaximumHoldsWhateverTheConfiguration() throws {
        var assembler = ContentAssembler(maximumBodySize: .max)
        _ = try assembler.receive(.method(channel: 1, Self.publish))
        let error = amqpError { () throws(AMQPError) in
            try assembler.receive(Self.header(bodySize: ContentAssembler.hardMaximumBodySize + 1))
        }
        #expect(error?.code == .frameError)
    }

    @Test func headersAloneNeverReserveTheBodiesTheyAnnounce() throws {
        // Eight channels announcing 512 MiB each would reserve 4 GiB if the
        // assembler trusted the header; the address space allows 2 GiB more.
        try withAddressSpaceLimited {
            var assemblers = [ContentAssembler](repeating: ContentAssembler(maximumBodySize: .max), count: 8)
            for index in assemblers.indices {
                _ = try assemblers[index].receive(.method(channel: 1, Self.publish))
                _ = try assemblers[index].receive(Self.header(bodySize: ContentAssembler.hardMaximumBodySize))
                _ = try assemblers[index].receive(Self.body([1]))
                #expect(assemblers[index].isAssembling)
            }
        }
    }
}

private func contentOf(_ command: ContentAssembler.Command?) -> Content? {
    if case .content(let content) = command { return content }
    return nil
}
