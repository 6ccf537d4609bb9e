/// The error reasons RabbitMQ prints after an invalid queue argument or
/// `expiration` property, with the layout Erlang's `~p` gives them.
///
/// `~p` pretty-prints to a line length (80 by default, 255 with `~255p`):
/// when a term starting at column `c` would reach the last column, a tuple
/// breaks after its first element and indents the rest to `c + 1`. So
/// `{value_too_large,99999999999999999999}` late on a line comes out on two.
enum ErlangReason: Error, Equatable {
    /// An atom: `invalid_overflow`, `no_integer`.
    case atom(String)
    /// `{tag,Integer}`, the integer already in decimal (it may exceed 64 bits).
    case tagged(String, integer: String)
    /// `{tag,atom}`: `{unacceptable_type,signedint}`.
    case taggedAtom(String, String)
    /// `{tag,"string"}` of bytes: `{leftover_string,"x"}`.
    case taggedString(String, [UInt8])
    /// A bare string: `"expected integer, got longstr"`.
    case string(String)

    /// The text `~p` prints when the term starts `column` characters into
    /// the line, with lines of `lineLength` characters.
    func rendered(column: Int, lineLength: Int) -> String {
        let (tag, rest): (String, String)
        switch self {
        case .atom(let name): return name
        case .string(let text): return Self.quoted(Array(text.utf8))
        case .tagged(let name, let integer): (tag, rest) = (name, integer)
        case .taggedAtom(let name, let atom): (tag, rest) = (name, atom)
        case .taggedString(let name, let bytes): (tag, rest) = (name, Self.quoted(bytes))
        }
        let flat = "{\(tag),\(rest)}"
        guard column + flat.unicodeScalars.count >= lineLength - 1 else { return flat }
        return "{\(tag),\n" + String(repeating: " ", count: column + 1) + rest + "}"
    }

    /// `~p` of a list of bytes: a quoted string when every byte is printable
    /// in Latin-1 (the default printable range), else the list of integers.
    /// Bytes pass through unchanged, as RabbitMQ's `list_to_binary` does, so
    /// UTF-8 text made of printable bytes reads as itself.
    static func quoted(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): text += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\\"): text += [UInt8(ascii: "\\"), byte]
            case 0x0A: text += Array("\\n".utf8)
            case 0x0D: text += Array("\\r".utf8)
            case 0x09: text += Array("\\t".utf8)
            case 0x0B: text += Array("\\v".utf8)
            case 0x08: text += Array("\\b".utf8)
            case 0x0C: text += Array("\\f".utf8)
            case 0x1B: text += Array("\\e".utf8)
            case 0x20...0x7E, 0xA0...0xFF: text.append(byte)
            default: return "[" + bytes.map { String($0) }.joined(separator: ",") + "]"
            }
        }
        text.append(UInt8(ascii: "\""))
        return String(decoding: text, as: UTF8.self)
    }
}
