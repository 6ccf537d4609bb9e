import AMQPProtocol

/// The reader thread's side of the socket: reads into a scratch buffer, feeds
/// the `FrameSplitter`, and hands back decoded frames.
struct FrameSource {
    let socket: ClientSocket
    private var splitter = FrameSplitter()
    private var scratch = [UInt8](repeating: 0, count: 65_536)

    init(socket: ClientSocket) { self.socket = socket }

    /// The largest frame payload accepted from the broker (the negotiated frame_max).
    var maximumFrameSize: Int {
        get { splitter.maximumFrameSize }
        set { splitter.maximumFrameSize = newValue }
    }

    /// Waits up to `timeoutMilliseconds` for bytes and buffers them. Returns
    /// false when nothing arrived in time; throws at end of stream.
    mutating func fill(timeoutMilliseconds: Int32) throws(ClientError) -> Bool {
        guard case .readable = socket.waitReadable(timeoutMilliseconds: timeoutMilliseconds) else { return false }
        let count = try socket.read(into: &scratch)
        splitter.append(scratch[0..<count])
        return true
    }

    /// The next whole frame already buffered, or nil.
    mutating func next() throws(ClientError) -> Frame? {
        do {
            guard let raw = try splitter.next() else { return nil }
            return try Frame(raw)
        } catch {
            throw .protocolViolation(error)
        }
    }

    /// Blocks until a frame arrives or `deadline` (monotonic nanoseconds) passes.
    mutating func nextFrame(before deadline: UInt64, waitingFor step: String) throws(ClientError) -> Frame {
        while true {
            if let frame = try next() { return frame }
            let now = monotonicNanoseconds()
            guard now < deadline else { throw .handshakeFailed("timed out waiting for \(step)") }
            let remaining = Int32(clamping: (deadline - now) / 1_000_000 + 1)
            _ = try fill(timeoutMilliseconds: remaining)
        }
    }
}
