/// Makes the names the server picks: `amq.gen-…` queues and `amq.ctag-…`
/// consumer tags, each a prefix, a dash and 16 random bytes in unpadded
/// URL-safe base64 (22 characters), as rabbit_guid:binary/2 does.
///
/// The random source is injected, so tests can make the names predictable.
final class NameGenerator {
    private var random: any RandomNumberGenerator

    init(random: some RandomNumberGenerator) {
        self.random = random
    }

    func make(prefix: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            let word = random.next()
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return prefix + "-" + Self.base64URL(bytes)
    }

    /// Base64 with `-` and `_` for `+` and `/`, and no `=` padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            let characters = remaining >= 3 ? 4 : remaining + 1
            for position in 0..<characters {
                let sextet = Int((group >> UInt32(18 - 6 * position)) & 0x3F)
                output.append(alphabet[sextet])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
