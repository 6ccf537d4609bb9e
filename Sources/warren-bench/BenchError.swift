import AMQPProtocol
import Glibc

/// Everything that can make a run fail, with the text the user sees.
enum BenchError: Error, CustomStringConvertible {
    /// Bad command line; exit code 64 (EX_USAGE).
    case usage(String)
    /// A system call failed: its name and errno.
    case system(String, Int32)
    case connect(String)
    case timeout(String)
    /// The peer closed the TCP connection.
    case peerClosed(String)
    /// The peer sent something a well-behaved AMQP peer would not.
    case protocolViolation(String)
    /// A frame or method that AMQPProtocol could not decode.
    case codec(AMQPError)
    /// The broker sent `connection.close`.
    case connectionClosed(code: UInt16, text: String, classID: UInt16, methodID: UInt16)
    /// The broker sent `channel.close`.
    case channelClosed(code: UInt16, text: String, classID: UInt16, methodID: UInt16)
    /// Starting, finding or inspecting a broker process failed.
    case broker(String)

    var description: String {
        switch self {
        case .usage(let text): "usage: \(text) (see --help)"
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .connect(let text): "cannot connect: \(text)"
        case .timeout(let text): "timed out: \(text)"
        case .peerClosed(let text): "connection closed by peer: \(text)"
        case .protocolViolation(let text): "protocol violation: \(text)"
        case .codec(let error): "AMQP decode error: \(error)"
        case .connectionClosed(let code, let text, let classID, let methodID):
            "broker closed the connection: \(code) \(text) (class \(classID), method \(methodID))"
        case .channelClosed(let code, let text, let classID, let methodID):
            "broker closed the channel: \(code) \(text) (class \(classID), method \(methodID))"
        case .broker(let text): "broker: \(text)"
        }
    }

    var exitCode: Int32 {
        if case .usage = self { return 64 }
        return 1
    }
}

/// Runs codec work, turning its `AMQPError` into a `BenchError`.
@inline(__always)
func decoding<T>(_ body: () throws(AMQPError) -> T) throws(BenchError) -> T {
    do { return try body() } catch { throw .codec(error) }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for bodies with typed throws (the standard one rethrows `any Error`).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(BenchError) -> R) throws(BenchError) -> R {
        let outcome: Result<R, BenchError> = withUnsafeBytes { raw in
            do throws(BenchError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }
}
