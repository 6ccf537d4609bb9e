import AMQPProtocol

/// Bytes queued for one socket and how many of them it has taken. The AMQP
/// and the HTTP connections both write through one, once per loop turn.
struct SocketOutput {
    /// What the owner appends to: frames, responses.
    var bytes = ByteWriter(capacity: 16 * 1024)
    private var sent = 0

    /// Written but not yet taken by the socket: the measure of a slow reader.
    var pendingByteCount: Int { bytes.count - sent }

    enum Outcome {
        /// Everything went; the buffer is empty again.
        case drained
        /// The socket's buffer is full: wait for writability.
        case wouldBlock
        /// The peer is gone; nothing more will be written.
        case failed
    }

    /// Writes as much as `socket` takes now.
    mutating func write(to socket: TCPSocket) -> Outcome {
        while sent < bytes.count {
            switch socket.write(bytes.bytes, from: sent) {
            case .bytes(let count):
                sent += count
            case .wouldBlock:
                dropSentBytes()
                return .wouldBlock
            case .error:
                sent = bytes.count
                return .failed
            }
        }
        bytes.bytes.removeAll(keepingCapacity: bytes.bytes.capacity <= 1 << 20)
        sent = 0
        return .drained
    }

    /// Forgets bytes the socket has taken once they are most of a large
    /// buffer, so a slow reader does not keep everything ever sent to it.
    private mutating func dropSentBytes() {
        guard sent >= 64 << 10, sent * 2 >= bytes.count else { return }
        bytes.bytes.removeSubrange(0..<sent)
        sent = 0
    }
}
