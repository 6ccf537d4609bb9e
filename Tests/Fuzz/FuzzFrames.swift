// libFuzzer entry point for Warren's codec: the frame splitter, frame
// decoding and content assembly, fed whatever the fuzzer makes up.
//
// Not a SwiftPM target. Tests/Fuzz/run.sh compiles this file together with
// Sources/AMQPProtocol into one module (so there is no `import`) with
// `-sanitize=fuzzer,address`, and runs it from a seed corpus built from
// Protocol/vectors/vectors.json.
//
// The first input byte is configuration, the rest is the byte stream:
//   bit 0     frame_max 4096 (the pre-tune limit) or 131072
//   bit 1     the stream starts with the 8-byte protocol header
//   bits 2-7  chunk size for appends: 1 + value * 7 bytes (1 … 442)
//
// Besides what AddressSanitizer and Swift's own checks catch, the harness
// stops the run (precondition) when the codec breaks a promise: a payload
// over frame_max, a splitter holding more than one frame without yielding
// it, an assembled body whose size differs from its header, or a decoded
// frame whose encoding does not decode and encode to the same bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let config = input[0]
    let stream = input.dropFirst()
    let maximumFrameSize = config & 1 == 0 ? 4_096 : 131_072
    let chunk = 1 + Int(config >> 2) * 7

    var splitter = FrameSplitter(maximumFrameSize: maximumFrameSize)
    var assemblers: [UInt16: ContentAssembler] = [:]
    var announced: [UInt16: UInt64] = [:]
    var expectingHeader = config & 2 != 0
    var start = stream.startIndex
    while start < stream.endIndex {
        let end = min(stream.endIndex, start + chunk)
        splitter.append(stream[start..<end])
        start = end
        if expectingHeader {
            switch splitter.readProtocolHeader() {
            case nil: continue
            case false?: return 0
            case true?: expectingHeader = false
            }
        }
        do {
            while let raw = try splitter.next() {
                precondition(raw.payload.count <= maximumFrameSize, "payload over frame_max")
                process(raw, assemblers: &assemblers, announced: &announced)
            }
        } catch {
            return 0  // framing lost: a connection closes here
        }
        precondition(splitter.bufferedByteCount <= maximumFrameSize + frameOverhead, "splitter holds more than a frame")
    }
    return 0
}

private func process(_ raw: RawFrame, assemblers: inout [UInt16: ContentAssembler], announced: inout [UInt16: UInt64]) {
    guard let frame = try? Frame(raw) else { return }
    checkRoundTrip(frame, type: raw.type)
    guard frame != .heartbeat else { return }
    if case .header(_, let header) = frame { announced[raw.channel] = header.bodySize }
    do {
        let command = try assemblers[raw.channel, default: ContentAssembler(maximumBodySize: 1 << 20)].receive(frame)
        if case .content(let content) = command {
            precondition(UInt64(content.body.count) == announced[raw.channel], "body size differs from its header")
        }
    } catch {
        assemblers[raw.channel]?.reset()
    }
}

private func checkRoundTrip(_ frame: Frame, type: FrameType) {
    let once = payloadBytes(frame)
    guard let again = try? Frame(RawFrame(type: type, channel: frame.channel, payload: once[...])) else {
        preconditionFailure("re-encoded frame does not decode: \(frame)")
    }
    precondition(payloadBytes(again) == once, "frame does not re-encode stably: \(frame)")
}

private func payloadBytes(_ frame: Frame) -> [UInt8] {
    var writer = ByteWriter()
    writer.writeFrame(frame)
    return Array(writer.bytes.dropFirst(frameHeaderSize).dropLast())
}
