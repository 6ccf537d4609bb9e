/// The frame types of AMQP 0-9-1.
public enum FrameType: UInt8, Sendable {
    case method = 1
    case header = 2
    case body = 3
    case heartbeat = 8
}

/// The octet that ends every frame.
public let frameEnd: UInt8 = 0xCE

/// Type, channel and size: the 7 bytes in front of every payload.
public let frameHeaderSize = 7

/// Header, payload and frame-end: what a frame costs beyond its payload.
public let frameOverhead = 8

/// One frame cut out of the byte stream, its payload a view of the reader's buffer.
public struct RawFrame: Sendable {
    public var type: FrameType
    public var channel: UInt16
    public var payload: ArraySlice<UInt8>

    public init(type: FrameType, channel: UInt16, payload: ArraySlice<UInt8>) {
        self.type = type
        self.channel = channel
        self.payload = payload
    }
}

/// Cuts a byte stream into frames, whatever the chunking of its input.
///
/// An explicit state machine: it remembers between calls whether it waits
/// for a frame header or for the rest of a frame whose header it has read.
/// The size field is checked against `maximumFrameSize` as soon as the
/// 7-byte header is in, so an oversize frame is refused before a single byte
/// of its payload is buffered. Payloads are returned as slices of the input
/// buffer, not copies.
public struct FrameSplitter: Sendable {
    enum State: Sendable {
        case awaitingHeader
        case awaitingPayload(type: FrameType, channel: UInt16, size: Int)
    }

    /// The negotiated frame_max. Like RabbitMQ, Warren accepts a payload of
    /// up to this many bytes (peers that forget the 8 bytes of framing still
    /// work), while its own frames keep the whole frame within it.
    public var maximumFrameSize: Int

    private var state: State = .awaitingHeader
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(maximumFrameSize: Int = 131_072) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Lets the caller read from a socket straight into the buffer's end.
    public mutating func withAppendableBuffer<R>(_ body: (inout [UInt8]) throws -> R) rethrows -> R {
        compactIfWorthwhile()
        return try body(&buffer)
    }

    /// Checks the 8-byte protocol header a client sends before any frame.
    /// Returns nil until 8 bytes are in, then true (and consumes them) when
    /// they are `AMQP 0 0 9 1`, false otherwise.
    public mutating func readProtocolHeader() -> Bool? {
        guard bufferedByteCount >= protocolHeader.count else { return nil }
        let received = buffer[readIndex..<readIndex + protocolHeader.count]
        guard received.elementsEqual(protocolHeader) else { return false }
        readIndex += protocolHeader.count
        return true
    }

    /// The next whole frame, or nil when more bytes are needed.
    ///
    /// Throws a 501 FRAME_ERROR for an unknown frame type, a frame larger
    /// than `maximumFrameSize`, or a missing frame-end octet. After an error
    /// the stream is unusable: AMQP closes the connection.
    public mutating func next() throws(AMQPError) -> RawFrame? {
        if case .awaitingHeader = state {
            guard bufferedByteCount >= frameHeaderSize else { return nil }
            state = try readHeader()
            readIndex += frameHeaderSize
        }
        guard case .awaitingPayload(let type, let channel, let size) = state else { return nil }
        guard bufferedByteCount >= size + 1 else { return nil }
        let payload = buffer[readIndex..<readIndex + size]
        guard buffer[readIndex + size] == frameEnd else {
            throw .frameError("frame-end octet is 0x\(String(buffer[readIndex + size], radix: 16)), expected 0xce")
        }
        readIndex += size + 1
        state = .awaitingHeader
        return RawFrame(type: type, channel: channel, payload: payload)
    }

    private func readHeader() throws(AMQPError) -> State {
        let rawType = buffer[readIndex]
        let channel = UInt16(buffer[readIndex + 1]) << 8 | UInt16(buffer[readIndex + 2])
        var size: UInt32 = 0
        for offset in 3..<7 { size = size << 8 | UInt32(buffer[readIndex + offset]) }
        guard let type = FrameType(rawValue: rawType) else {
            throw .frameError("unknown frame type \(rawType)")
        }
        guard Int(size) <= maximumFrameSize else {
            throw .frameError("frame size \(size) exceeds frame_max \(maximumFrameSize)")
        }
        return .awaitingPayload(type: type, channel: channel, size: Int(size))
    }

    /// Moves unread bytes to the front once more than half the buffer is
    /// consumed, so the buffer's capacity is reused instead of growing.
    private mutating func compactIfWorthwhile() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
