/// A content-bearing method with its header and whole body.
public struct Content: Sendable {
    public var method: Method
    public var properties: BasicProperties
    public var body: [UInt8]
}

/// Joins method, header and body frames of one channel into commands.
///
/// Each channel owns one. The frame sequence rules and their errors are
/// those of RabbitMQ: anything out of order (including a header whose weight
/// is not 0) is 505 UNEXPECTED_FRAME, a body longer than its header declared
/// is 501 FRAME_ERROR, and a body larger than `maximumBodySize` is refused as
/// soon as the header announces it: 406 up to `hardMaximumBodySize`, 501 above.
///
/// A header alone never makes it reserve more than `maximumUpfrontReservation`
/// bytes, so a peer that announces large bodies and sends nothing costs little.
public struct ContentAssembler: Sendable {
    /// RabbitMQ's ceiling on any message, whatever the configuration: 512 MiB.
    public static let hardMaximumBodySize: UInt64 = 536_870_912

    /// The most a header makes the assembler reserve before body bytes arrive:
    /// one default frame_max, so a single-frame body never grows.
    static let maximumUpfrontReservation: UInt64 = 131_072

    public enum Command: Sendable {
        case method(Method)
        case content(Content)
    }

    enum State: Sendable {
        case awaitingMethod
        case awaitingHeader(Method)
        case awaitingBody(Method, BasicProperties, body: [UInt8], remaining: UInt64)
    }

    private var state: State = .awaitingMethod
    public var maximumBodySize: UInt64

    public init(maximumBodySize: UInt64 = 134_217_728) {
        self.maximumBodySize = maximumBodySize
    }

    /// True between a content method and its last body frame.
    public var isAssembling: Bool {
        if case .awaitingMethod = state { return false }
        return true
    }

    /// Feeds one frame of this channel; returns a command once one is whole.
    public mutating func receive(_ frame: Frame) throws(AMQPError) -> Command? {
        switch (state, frame) {
        case (.awaitingMethod, .method(_, let method)):
            guard method.hasContent else { return .method(method) }
            state = .awaitingHeader(method)
            return nil
        case (.awaitingMethod, _):
            throw Self.expectedMethodFrame

        case (.awaitingHeader(let method), .header(_, let header)):
            return try receiveHeader(header, for: method)
        case (.awaitingHeader(let method), _):
            throw Self.expectedHeaderFrame(classID: method.classID)

        case (.awaitingBody(let method, let properties, var body, let remaining), .body(_, let bytes)):
            try Self.checkBodyFrame(count: bytes.count, remaining: remaining)
            state = .awaitingMethod  // drop our reference so the append below does not copy
            body.append(contentsOf: bytes)
            let left = remaining - UInt64(bytes.count)
            guard left == 0 else {
                state = .awaitingBody(method, properties, body: body, remaining: left)
                return nil
            }
            return .content(Content(method: method, properties: properties, body: body))
        case (.awaitingBody, _):
            throw Self.expectedBodyFrame
        }
    }

    private mutating func receiveHeader(_ header: ContentHeader, for method: Method) throws(AMQPError) -> Command? {
        state = .awaitingMethod
        try Self.checkHeader(classID: header.classID, weight: header.weight, bodySize: header.bodySize,
                             methodClassID: method.classID, maximumBodySize: maximumBodySize)
        guard header.bodySize > 0 else {
            return .content(Content(method: method, properties: header.properties, body: []))
        }
        var body: [UInt8] = []
        body.reserveCapacity(Self.upfrontReservation(bodySize: header.bodySize))
        state = .awaitingBody(method, header.properties, body: body, remaining: header.bodySize)
        return nil
    }

    /// Forgets a half-assembled command (after a channel error).
    public mutating func reset() { state = .awaitingMethod }
}

/// The frame-sequence rules, shared with assemblers that keep content in other forms
/// (the broker keeps publishes' properties encoded).
extension ContentAssembler {
    public static let expectedMethodFrame = AMQPError.unexpectedFrame("expected method frame, got non method frame instead")
    public static let expectedBodyFrame = AMQPError.unexpectedFrame("expected content body, got non content body frame instead")

    public static func expectedHeaderFrame(classID: UInt16) -> AMQPError {
        .unexpectedFrame("expected content header for class \(classID), got non content header frame instead")
    }

    /// A content header after a method of class `methodClassID`: 505 for the wrong class or
    /// a non-zero weight, 501 above 512 MiB, the soft 406 above `maximumBodySize`.
    public static func checkHeader(classID: UInt16, weight: UInt16, bodySize: UInt64, methodClassID: UInt16,
                                   maximumBodySize: UInt64) throws(AMQPError) {
        guard classID == methodClassID else {
            throw .unexpectedFrame("expected content header for class \(methodClassID), got one for class \(classID) instead")
        }
        guard weight == 0 else { throw expectedHeaderFrame(classID: methodClassID) }
        guard bodySize <= hardMaximumBodySize else {
            throw .frameError("content body size \(bodySize) exceeds maximum allowed size \(hardMaximumBodySize)")
        }
        guard bodySize <= maximumBodySize else {
            throw AMQPError(.preconditionFailed, "message size \(bodySize) is larger than configured max size \(maximumBodySize)")
        }
    }

    /// A body frame of `count` bytes when `remaining` are still expected: 501 when it overruns.
    public static func checkBodyFrame(count: Int, remaining: UInt64) throws(AMQPError) {
        guard UInt64(count) <= remaining else {
            throw .frameError("received \(count) bytes of content body, expected at most \(remaining)")
        }
    }

    /// What to reserve for a body before its bytes arrive (see `maximumUpfrontReservation`).
    public static func upfrontReservation(bodySize: UInt64) -> Int {
        Int(min(bodySize, maximumUpfrontReservation))
    }
}
