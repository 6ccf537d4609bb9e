import AMQPProtocol

/// Joins `basic.publish`, its content header and its body frames, keeping the
/// property list in wire form: the broker stores and delivers it as it came, so it
/// never decodes it (beyond a `PropertySummary`) nor builds a `Content` value.
///
/// The frame-sequence rules and their errors are `ContentAssembler`'s. The property
/// list and a body spread over several frames are gathered in buffers the channel
/// reuses; a body that comes in one frame is published straight from the read buffer.
struct PublishAssembler {
    enum State {
        case awaitingMethod
        case awaitingHeader(BasicPublish)
        case awaitingBody(BasicPublish, remaining: UInt64)
    }

    /// A whole publish. It shares the assembler's buffers: drop it before the next frame.
    struct Publish {
        let method: BasicPublish
        let properties: [UInt8]
        let summary: PropertySummary
        let body: ArraySlice<UInt8>
    }

    private(set) var state: State = .awaitingMethod
    let maximumBodySize: UInt64
    private var properties: [UInt8] = []
    private var summary = PropertySummary()
    private var body: [UInt8] = []

    init(maximumBodySize: UInt64) {
        self.maximumBodySize = maximumBodySize
    }

    var isAssembling: Bool {
        if case .awaitingMethod = state { return false }
        return true
    }

    mutating func reset() { state = .awaitingMethod }

    /// Starts a publish; the channel has decoded its method frame.
    mutating func begin(_ publish: BasicPublish) throws(AMQPError) {
        guard case .awaitingMethod = state else { throw unexpected() }
        state = .awaitingHeader(publish)
    }

    /// A content header frame's payload; the publish when its body is empty.
    mutating func header(_ payload: ArraySlice<UInt8>) throws(AMQPError) -> Publish? {
        var reader = ByteReader(payload)
        let classID = try reader.readUInt16()
        let weight = try reader.readUInt16()
        let bodySize = try reader.readUInt64()
        let propertiesStart = reader.index
        let summary = try reader.readPropertySummary()
        guard reader.isAtEnd else { throw .frameError("content header has trailing bytes") }
        guard case .awaitingHeader(let publish) = state else { throw unexpected() }
        state = .awaitingMethod
        try ContentAssembler.checkHeader(classID: classID, weight: weight, bodySize: bodySize,
                                         methodClassID: BasicPublish.classID, maximumBodySize: maximumBodySize)
        properties.removeAll(keepingCapacity: true)
        properties.append(contentsOf: payload[propertiesStart...])
        self.summary = summary
        guard bodySize > 0 else { return Publish(method: publish, properties: properties, summary: summary, body: []) }
        body.removeAll(keepingCapacity: true)
        state = .awaitingBody(publish, remaining: bodySize)
        return nil
    }

    /// A body frame's payload; the publish once its body is whole.
    mutating func body(_ payload: ArraySlice<UInt8>) throws(AMQPError) -> Publish? {
        guard case .awaitingBody(let publish, let remaining) = state else { throw unexpected() }
        try ContentAssembler.checkBodyFrame(count: payload.count, remaining: remaining)
        let left = remaining - UInt64(payload.count)
        if left == 0, body.isEmpty {
            state = .awaitingMethod
            return Publish(method: publish, properties: properties, summary: summary, body: payload)
        }
        if body.isEmpty { body.reserveCapacity(ContentAssembler.upfrontReservation(bodySize: remaining)) }
        body.append(contentsOf: payload)
        guard left == 0 else {
            state = .awaitingBody(publish, remaining: left)
            return nil
        }
        state = .awaitingMethod
        let gathered = body[...]
        // A large body's buffer goes with its publish; a channel keeps only a small one.
        if body.capacity > Self.keptBodyCapacity { body = [] }
        return Publish(method: publish, properties: properties, summary: summary, body: gathered)
    }

    static let keptBodyCapacity = 1 << 20

    /// Bytes the assembler holds on to between publishes (for tests).
    var heldCapacity: Int { body.capacity + properties.capacity }

    /// Any frame other than the one the state waits for.
    func unexpected() -> AMQPError {
        switch state {
        case .awaitingMethod: ContentAssembler.expectedMethodFrame
        case .awaitingHeader: ContentAssembler.expectedHeaderFrame(classID: BasicPublish.classID)
        case .awaitingBody: ContentAssembler.expectedBodyFrame
        }
    }
}
