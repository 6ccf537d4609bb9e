/// The ids Warren gives messages that arrive without a `message-id` property.
///
/// An id is 15 characters of Crockford base32 (`0-9A-Z` without `I L O U`,
/// which sorts in ASCII order): 9 characters of wall-clock milliseconds since
/// 1970 (45 bits, good until the year 3084), then 6 characters of the low 30
/// bits of the broker-wide message sequence number. So ids sort in the order
/// Warren took the messages in, and two ids can only collide if a billion
/// messages arrive within one millisecond.
///
/// Fifteen ASCII bytes is the most a Swift `String` holds inline, so making an
/// id allocates nothing; it is set on the properties before they are encoded,
/// once per message.
public enum MessageID {
    /// Characters in an id Warren makes.
    public static let length = 15

    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The id for the message with broker sequence number `sequence`, taken at
    /// `milliseconds` since the Unix epoch.
    public static func make(milliseconds: UInt64, sequence: UInt64) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            var time = milliseconds
            for index in stride(from: 8, through: 0, by: -1) {
                buffer[index] = alphabet[Int(time & 31)]
                time >>= 5
            }
            var counter = sequence
            for index in stride(from: 14, through: 9, by: -1) {
                buffer[index] = alphabet[Int(counter & 31)]
                counter >>= 5
            }
            return length
        }
    }

    /// The milliseconds part of an id Warren made, or nil for another string.
    public static func milliseconds(of id: String) -> UInt64? {
        let bytes = Array(id.utf8)
        guard bytes.count == length else { return nil }
        var value: UInt64 = 0
        for byte in bytes.prefix(9) {
            guard let digit = alphabet.firstIndex(of: byte) else { return nil }
            value = value << 5 | UInt64(digit)
        }
        return value
    }
}
