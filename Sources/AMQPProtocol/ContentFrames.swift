extension ByteWriter {
    /// Writes a content method, its header with properties already in wire
    /// form (flags then list), and the body split into frames of at most
    /// `frameMax` bytes. The broker keeps each message's properties encoded,
    /// so a delivery copies bytes instead of re-encoding fourteen optionals.
    public mutating func writeContent(
        channel: UInt16, _ method: Method, encodedProperties: UnsafeRawBufferPointer,
        body: UnsafeRawBufferPointer, frameMax: Int
    ) {
        writeMethodFrame(channel: channel, method)
        writeFrame(.header, channel: channel) {
            $0.writeUInt16(method.classID)
            $0.writeUInt16(0)
            $0.writeUInt64(UInt64(body.count))
            $0.writeBytes(encodedProperties)
        }
        writeBodyFrames(channel: channel, body: body, frameMax: frameMax)
    }

    /// Body frames of at most `frameMax` bytes each; none for an empty body.
    public mutating func writeBodyFrames(channel: UInt16, body: UnsafeRawBufferPointer, frameMax: Int) {
        let chunk = max(frameMax - frameOverhead, 1)
        var start = body.startIndex
        while start < body.endIndex {
            let end = start + min(chunk, body.endIndex - start)
            writeFrame(.body, channel: channel) { $0.writeBytes(UnsafeRawBufferPointer(rebasing: body[start..<end])) }
            start = end
        }
    }
}
