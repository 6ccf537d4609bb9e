/// The eight bytes a client sends first: `AMQP` 0 0 9 1.
public let protocolHeader: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1]

/// A decoded frame.
public enum Frame: Hashable, Sendable {
    case method(channel: UInt16, Method)
    case header(channel: UInt16, ContentHeader)
    case body(channel: UInt16, ArraySlice<UInt8>)
    case heartbeat

    public var channel: UInt16 {
        switch self {
        case .method(let channel, _), .header(let channel, _), .body(let channel, _): channel
        case .heartbeat: 0
        }
    }

    /// Decodes the payload of a raw frame. A heartbeat on a channel other
    /// than 0 is 505 UNEXPECTED_FRAME; one with a payload is 501 FRAME_ERROR.
    public init(_ raw: RawFrame) throws(AMQPError) {
        var reader = ByteReader(raw.payload)
        switch raw.type {
        case .method:
            self = .method(channel: raw.channel, try Method.decode(from: &reader))
        case .header:
            self = .header(channel: raw.channel, try ContentHeader(from: &reader))
        case .body:
            self = .body(channel: raw.channel, raw.payload)
        case .heartbeat:
            guard raw.channel == 0 else { throw .unexpectedFrame("heartbeat frame on channel \(raw.channel)") }
            guard raw.payload.isEmpty else { throw .frameError("heartbeat frame with a payload") }
            self = .heartbeat
        }
    }
}

extension ByteWriter {
    /// Writes a frame whose payload `body` writes in place; the size field is
    /// patched afterwards so the payload is never copied.
    @inline(__always)
    public mutating func writeFrame(_ type: FrameType, channel: UInt16, payload body: (inout ByteWriter) -> Void) {
        writeUInt8(type.rawValue)
        writeUInt16(channel)
        let sizeAt = count
        writeUInt32(0)
        body(&self)
        patchUInt32(UInt32(truncatingIfNeeded: count - sizeAt - 4), at: sizeAt)
        writeUInt8(frameEnd)
    }

    public mutating func writeMethodFrame(channel: UInt16, _ method: Method) {
        writeFrame(.method, channel: channel) { method.encode(to: &$0) }
    }

    public mutating func writeHeartbeat() {
        writeBytes([FrameType.heartbeat.rawValue, 0, 0, 0, 0, 0, 0, frameEnd])
    }

    /// Writes a content method, its header and its body split into body
    /// frames of at most `frameMax` bytes each. An empty body has no body frame.
    public mutating func writeContent<Body: Collection>(
        channel: UInt16, _ method: Method, properties: BasicProperties, body: Body, frameMax: Int
    ) where Body.Element == UInt8, Body.Index == Int {
        writeMethodFrame(channel: channel, method)
        writeFrame(.header, channel: channel) {
            ContentHeader(classID: method.classID, bodySize: UInt64(body.count), properties: properties).encode(to: &$0)
        }
        let chunk = max(frameMax - frameOverhead, 1)
        var start = body.startIndex
        while start < body.endIndex {
            let end = min(start + chunk, body.endIndex)
            writeFrame(.body, channel: channel) { $0.writeBytes(body[start..<end]) }
            start = end
        }
    }

    public mutating func writeFrame(_ frame: Frame) {
        switch frame {
        case .method(let channel, let method): writeMethodFrame(channel: channel, method)
        case .header(let channel, let header): writeFrame(.header, channel: channel) { header.encode(to: &$0) }
        case .body(let channel, let bytes): writeFrame(.body, channel: channel) { $0.writeBytes(bytes) }
        case .heartbeat: writeHeartbeat()
        }
    }
}
