import Glibc

/// A dictionary key that compares text by its UTF-8 bytes, as RabbitMQ
/// compares names and routing keys.
///
/// Swift's `String` equality uses Unicode canonical equivalence, so "é"
/// written precomposed and decomposed would name one queue; RabbitMQ keeps
/// them apart, and so does this key. Wrapping a `Substring` lets topic
/// routing look up one word of a routing key without copying it.
struct ExactKey: Hashable {
    let text: Substring

    init(_ text: String) { self.text = text[...] }
    init(_ text: Substring) { self.text = text }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        let equal = lhs.text.utf8.withContiguousStorageIfAvailable { left in
            rhs.text.utf8.withContiguousStorageIfAvailable { right in
                guard left.count == right.count else { return false }
                guard let a = left.baseAddress, let b = right.baseAddress else { return true }
                return memcmp(a, b, left.count) == 0
            }
        }
        if let equal = equal ?? nil { return equal }
        return lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }
}

extension String {
    /// True when both strings hold the same UTF-8 bytes (no Unicode normalisation).
    func hasSameBytes(as other: String) -> Bool {
        ExactKey(self) == ExactKey(other)
    }

    /// Byte-wise ordering, as Erlang orders binaries (used to sort tables).
    func bytesPrecede(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }
}
