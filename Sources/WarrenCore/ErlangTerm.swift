import AMQPProtocol

/// How RabbitMQ sees a field value: the type names its parser gives each tag,
/// Erlang's `==` between decoded values, and the way `~tp` prints them in
/// reply texts. Headers matching and redeclaration checks depend on these.
enum ErlangTerm {
    /// Erlang's `==`: numbers compare by value across integer and float types
    /// (`1 == 1.0`), `longstr` and byte arrays are both binaries, and nested
    /// arrays and tables compare with their types.
    static func equal(_ left: FieldValue, _ right: FieldValue) -> Bool {
        if let a = Number(left), let b = Number(right) { return a == b }
        switch (left, right) {
        case (.longString(let a), .longString(let b)), (.longString(let a), .byteArray(let b)),
             (.byteArray(let a), .longString(let b)), (.byteArray(let a), .byteArray(let b)):
            return a == b
        case (.boolean(let a), .boolean(let b)):
            return a == b
        case (.decimal(let s1, let v1), .decimal(let s2, let v2)):
            return s1 == s2 && v1 == v2
        case (.void, .void):
            return true
        case (.array(let a), .array(let b)):
            return a == b
        case (.table(let a), .table(let b)):
            return a == b
        default:
            return false
        }
    }

    /// An Erlang number: an integer of any size we can receive, or a float.
    private enum Number: Equatable {
        case integer(Int64)
        case largeInteger(UInt64)
        case float(Double)

        init?(_ value: FieldValue) {
            switch value {
            case .float(let v): self = .float(Double(v))
            case .double(let v): self = .float(v)
            case .timestamp(let v):
                if let small = Int64(exactly: v) { self = .integer(small) } else { self = .largeInteger(v) }
            default:
                guard let integer = value.intValue else { return nil }
                self = .integer(integer)
            }
        }

        static func == (lhs: Number, rhs: Number) -> Bool {
            switch (lhs, rhs) {
            case (.integer(let a), .integer(let b)): a == b
            case (.largeInteger(let a), .largeInteger(let b)): a == b
            case (.float(let a), .float(let b)): a == b
            case (.float(let f), .integer(let i)), (.integer(let i), .float(let f)): f == Double(i)
            case (.float(let f), .largeInteger(let u)), (.largeInteger(let u), .float(let f)): f == Double(u)
            case (.integer, .largeInteger), (.largeInteger, .integer): false
            }
        }
    }
}

extension FieldValue {
    /// The type atom RabbitMQ's parser gives this tag (rabbit_binary_parser).
    var erlangTypeName: String {
        switch self {
        case .boolean: "bool"
        case .int8: "byte"
        case .uint8: "unsignedbyte"
        case .int16: "short"
        case .uint16: "unsignedshort"
        case .int32: "signedint"
        case .uint32: "unsignedint"
        case .int64: "long"
        case .float: "float"
        case .double: "double"
        case .decimal: "decimal"
        case .longString: "longstr"
        case .byteArray: "binary"
        case .array: "array"
        case .timestamp: "timestamp"
        case .table: "table"
        case .void: "void"
        }
    }

    /// rabbit_misc:type_class/1: all integer types (and decimal) are one class.
    var typeClass: String {
        switch self {
        case .int8, .int16, .int32, .int64, .decimal, .uint8, .uint16, .uint32: "int"
        case .float, .double: "float"
        default: erlangTypeName
        }
    }

    /// The value as RabbitMQ prints it in reply texts: binaries as their text
    /// (`~ts`), everything else as Erlang's `~tp` would.
    var erlangText: String {
        switch self {
        case .longString(let bytes), .byteArray(let bytes): String(decoding: bytes, as: UTF8.self)
        default: erlangTerm
        }
    }

    /// `~tp` of the decoded Erlang term.
    var erlangTerm: String {
        switch self {
        case .boolean(let v): "\(v)"
        case .int8(let v): "\(v)"
        case .uint8(let v): "\(v)"
        case .int16(let v): "\(v)"
        case .uint16(let v): "\(v)"
        case .int32(let v): "\(v)"
        case .uint32(let v): "\(v)"
        case .int64(let v): "\(v)"
        case .timestamp(let v): "\(v)"
        case .float(let v): "\(Double(v))"
        case .double(let v): "\(v)"
        case .decimal(let scale, let value): "{\(scale),\(value)}"
        case .longString(let bytes), .byteArray(let bytes): Self.erlangBinary(bytes)
        case .void: "undefined"
        case .array(let values):
            "[" + values.map { "{\($0.erlangTypeName),\($0.erlangTerm)}" }.joined(separator: ",") + "]"
        case .table(let table):
            "[" + table.entries.map {
                "{\(Self.erlangBinary(Array($0.name.utf8))),\($0.value.erlangTypeName),\($0.value.erlangTerm)}"
            }.joined(separator: ",") + "]"
        }
    }

    /// `~tp` of a binary: `<<"text">>`, or `<<"text"/utf8>>` beyond ASCII.
    static func erlangBinary(_ bytes: [UInt8]) -> String {
        let suffix = bytes.contains { $0 >= 0x80 } ? "/utf8" : ""
        var text = ""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return "<<\"\(text)\"\(suffix)>>"
    }
}
