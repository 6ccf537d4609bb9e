import AMQPProtocol
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Small helpers the codec tests share. Nothing here knows a test's expectations.

/// The error a throwing codec call raised, or nil when it succeeded.
func amqpError<T>(_ body: () throws(AMQPError) -> T) -> AMQPError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Bytes from hex text; spaces and newlines are ignored. Nil if the text is not hex.
func bytes(hex: String) -> [UInt8]? {
    let digits = hex.filter { !$0.isWhitespace }
    guard digits.count.isMultiple(of: 2) else { return nil }
    var result: [UInt8] = []
    result.reserveCapacity(digits.count / 2)
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
        result.append(byte)
        index = next
    }
    return result
}

func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// One whole frame: header, payload, frame-end.
func frameBytes(type: UInt8, channel: UInt16, payload: [UInt8]) -> [UInt8] {
    var writer = ByteWriter()
    writer.writeUInt8(type)
    writer.writeUInt16(channel)
    writer.writeUInt32(UInt32(payload.count))
    writer.writeBytes(payload)
    writer.writeUInt8(frameEnd)
    return writer.bytes
}

/// Runs `body` with the process's address space capped a little above what
/// it uses now, so an allocation of gigabytes fails (and the test process
/// dies) instead of passing unnoticed. Other tests running meanwhile keep
/// `headroom` bytes to work with.
func withAddressSpaceLimited<T>(headroom: Int = 2 << 30, _ body: () throws -> T) rethrows -> T {
    #if canImport(Glibc)
    var saved = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &saved) == 0,
          let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = statm.split(separator: " ").first.flatMap({ Int($0) })
    else { return try body() }
    var limited = saved
    limited.rlim_cur = rlim_t(pages * Int(sysconf(Int32(_SC_PAGESIZE))) + headroom)
    guard setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limited) == 0 else { return try body() }
    defer { _ = setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &saved) }
    #endif
    return try body()
}
