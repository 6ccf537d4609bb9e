import AMQPProtocol
import Glibc
import Synchronization

/// The one way out to the socket: frames are encoded into a reused buffer and
/// written whole while a mutex is held, so the frames of one message (method,
/// header, bodies) are never interleaved with another writer's.
///
/// Writes block the calling thread until the kernel takes the bytes. The
/// reader thread only writes small replies (close-ok, heartbeats) and never
/// waits for the lock to send a heartbeat: a writer holding it is traffic enough.
final class FrameWriter: Sendable {
    private struct State {
        let socket: ClientSocket
        var buffer = ByteWriter(capacity: 4096)
        /// Set once the connection is over; every later write throws it.
        var failure: ClientError?
    }

    private let state: Mutex<State>
    /// When the last write finished, on the monotonic clock, for heartbeats.
    private let lastWrite = Atomic<UInt64>(0)
    /// Buffers larger than this are given back after a write, not kept.
    private static let retainedCapacity = 1 << 20

    init(socket: ClientSocket) {
        state = Mutex(State(socket: socket))
        lastWrite.store(monotonicNanoseconds(), ordering: .relaxed)
    }

    var nanosecondsSinceLastWrite: UInt64 {
        monotonicNanoseconds() &- lastWrite.load(ordering: .relaxed)
    }

    /// Runs `encode` with the lock held, then writes what it encoded.
    /// `encode` may throw (for instance because its channel has closed) to
    /// write nothing.
    func write<Result>(_ encode: (inout ByteWriter) throws(ClientError) -> Result) throws(ClientError) -> Result {
        try state.withLock { state throws(ClientError) -> Result in
            if let failure = state.failure { throw failure }
            state.buffer.bytes.removeAll(keepingCapacity: true)
            let result = try encode(&state.buffer)
            defer {
                if state.buffer.bytes.capacity > Self.retainedCapacity { state.buffer = ByteWriter(capacity: 4096) }
            }
            do throws(ClientError) {
                try state.socket.writeAll(state.buffer.bytes)
            } catch {
                state.failure = error
                state.socket.shutdown()
                throw error
            }
            lastWrite.store(monotonicNanoseconds(), ordering: .relaxed)
            return result
        }
    }

    func writeMethod(channel: UInt16, _ method: Method) throws(ClientError) {
        try write { $0.writeMethodFrame(channel: channel, method) }
    }

    /// Sends a heartbeat unless another thread is writing right now.
    func writeHeartbeatIfIdle() {
        _ = state.withLockIfAvailable { state in
            guard state.failure == nil else { return }
            var frame = ByteWriter(capacity: frameOverhead)
            frame.writeHeartbeat()
            if (try? state.socket.writeAll(frame.bytes)) != nil {
                lastWrite.store(monotonicNanoseconds(), ordering: .relaxed)
            }
        }
    }

    /// Fails every later write with `failure` and closes the socket. Called
    /// once, by the reader thread, after it has stopped reading. A writer
    /// blocked in `send` is first woken by `shutdown`, so this never waits long.
    func close(failure: ClientError) {
        state.withLock { state in
            if state.failure == nil { state.failure = failure }
            state.socket.close()
        }
    }
}

/// Nanoseconds on the monotonic clock.
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}
