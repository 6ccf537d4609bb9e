/// One value in an AMQP field table or field array, in RabbitMQ's dialect of
/// the type tags (which differs from the 0-9-1 spec's list; see Protocol/README.md).
public indirect enum FieldValue: Hashable, Sendable {
    case boolean(Bool)          // t
    case int8(Int8)             // b
    case uint8(UInt8)           // B
    case int16(Int16)           // s
    case uint16(UInt16)         // u
    case int32(Int32)           // I
    case uint32(UInt32)         // i
    case int64(Int64)           // l (L is read as int64 too, written as l)
    case float(Float)           // f
    case double(Double)         // d
    case decimal(scale: UInt8, value: UInt32) // D
    case longString([UInt8])    // S
    case byteArray([UInt8])     // x
    case array([FieldValue])    // A
    case timestamp(UInt64)      // T
    case table(FieldTable)      // F
    case void                   // V

    /// A `longstr` holding `text` as UTF-8: how clients send string headers.
    public static func string(_ text: String) -> FieldValue { .longString(Array(text.utf8)) }

    /// The value as text when it is a long string.
    public var stringValue: String? {
        if case .longString(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// The value as a signed integer when it is any integer type.
    public var intValue: Int64? {
        switch self {
        case .int8(let v): Int64(v)
        case .uint8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .uint16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .uint32(let v): Int64(v)
        case .int64(let v): v
        case .timestamp(let v): Int64(truncatingIfNeeded: v)
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    public var tag: UInt8 {
        switch self {
        case .boolean: UInt8(ascii: "t")
        case .int8: UInt8(ascii: "b")
        case .uint8: UInt8(ascii: "B")
        case .int16: UInt8(ascii: "s")
        case .uint16: UInt8(ascii: "u")
        case .int32: UInt8(ascii: "I")
        case .uint32: UInt8(ascii: "i")
        case .int64: UInt8(ascii: "l")
        case .float: UInt8(ascii: "f")
        case .double: UInt8(ascii: "d")
        case .decimal: UInt8(ascii: "D")
        case .longString: UInt8(ascii: "S")
        case .byteArray: UInt8(ascii: "x")
        case .array: UInt8(ascii: "A")
        case .timestamp: UInt8(ascii: "T")
        case .table: UInt8(ascii: "F")
        case .void: UInt8(ascii: "V")
        }
    }
}

/// An AMQP field table: named values in the order they arrived.
///
/// Order is kept so that a decoded table encodes back to the same bytes.
/// Lookup by name is linear, which is what tables of a handful of entries want.
public struct FieldTable: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var value: FieldValue
        public init(_ name: String, _ value: FieldValue) {
            self.name = name
            self.value = value
        }
    }

    public var entries: [Entry]

    public init() { entries = [] }
    public init(_ entries: [Entry]) { self.entries = entries }
    public init(dictionaryLiteral elements: (String, FieldValue)...) {
        entries = elements.map { Entry($0.0, $0.1) }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The value of the first entry called `name`; setting replaces it in
    /// place or appends, and setting `nil` removes it.
    public subscript(name: String) -> FieldValue? {
        get { entries.first { $0.name == name }?.value }
        set {
            let index = entries.firstIndex { $0.name == name }
            switch (index, newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append(Entry(name, value))
            case (nil, nil): break
            }
        }
    }

    public var names: [String] { entries.map(\.name) }
}

// MARK: - Codec

/// Tables and arrays nested deeper than this are refused with a frame error
/// (501), so a hostile peer cannot exhaust the stack with `F F F F ...`.
public let maximumFieldNesting = 32

extension ByteReader {
    /// Reads a field table: a 32-bit byte length, then name/tag/value triples.
    public mutating func readFieldTable(depth: Int = 0) throws(AMQPError) -> FieldTable {
        guard depth < maximumFieldNesting else { throw .frameError("field table nested too deeply") }
        let length = Int(try readUInt32())
        var inner = ByteReader(try readBytes(length))
        var table = FieldTable()
        while !inner.isAtEnd {
            let name = try inner.readShortString()
            let value = try inner.readFieldValue(depth: depth + 1)
            table.entries.append(FieldTable.Entry(name, value))
        }
        return table
    }

    /// Reads a field array: a 32-bit byte length, then tag/value pairs.
    public mutating func readFieldArray(depth: Int = 0) throws(AMQPError) -> [FieldValue] {
        guard depth < maximumFieldNesting else { throw .frameError("field array nested too deeply") }
        let length = Int(try readUInt32())
        var inner = ByteReader(try readBytes(length))
        var values: [FieldValue] = []
        while !inner.isAtEnd {
            values.append(try inner.readFieldValue(depth: depth + 1))
        }
        return values
    }

    public mutating func readFieldValue(depth: Int) throws(AMQPError) -> FieldValue {
        let tag = try readUInt8()
        switch tag {
        case UInt8(ascii: "t"): return .boolean(try readUInt8() != 0)
        case UInt8(ascii: "b"): return .int8(Int8(bitPattern: try readUInt8()))
        case UInt8(ascii: "B"): return .uint8(try readUInt8())
        case UInt8(ascii: "s"): return .int16(Int16(bitPattern: try readUInt16()))
        case UInt8(ascii: "u"): return .uint16(try readUInt16())
        case UInt8(ascii: "I"): return .int32(Int32(bitPattern: try readUInt32()))
        case UInt8(ascii: "i"): return .uint32(try readUInt32())
        case UInt8(ascii: "l"): return .int64(Int64(bitPattern: try readUInt64()))
        // RabbitMQ reads the spec's `L` as int64 too (and never writes it); Warren
        // writes it back as `l`, so such a table does not re-encode byte for byte.
        case UInt8(ascii: "L"): return .int64(Int64(bitPattern: try readUInt64()))
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try readUInt32()))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readUInt64()))
        case UInt8(ascii: "D"):
            let scale = try readUInt8()
            return .decimal(scale: scale, value: try readUInt32())
        case UInt8(ascii: "S"): return .longString(try readLongString())
        case UInt8(ascii: "x"): return .byteArray(try readLongString())
        case UInt8(ascii: "A"): return .array(try readFieldArray(depth: depth))
        case UInt8(ascii: "T"): return .timestamp(try readUInt64())
        case UInt8(ascii: "F"): return .table(try readFieldTable(depth: depth))
        case UInt8(ascii: "V"): return .void
        default:
            throw .frameError("unknown field type tag 0x\(String(tag, radix: 16))")
        }
    }
}

extension ByteWriter {
    public mutating func writeFieldTable(_ table: FieldTable) {
        let lengthAt = count
        writeUInt32(0)
        for entry in table.entries {
            writeShortString(entry.name)
            writeFieldValue(entry.value)
        }
        patchUInt32(UInt32(truncatingIfNeeded: count - lengthAt - 4), at: lengthAt)
    }

    public mutating func writeFieldArray(_ values: [FieldValue]) {
        let lengthAt = count
        writeUInt32(0)
        for value in values { writeFieldValue(value) }
        patchUInt32(UInt32(truncatingIfNeeded: count - lengthAt - 4), at: lengthAt)
    }

    public mutating func writeFieldValue(_ value: FieldValue) {
        writeUInt8(value.tag)
        switch value {
        case .boolean(let v): writeUInt8(v ? 1 : 0)
        case .int8(let v): writeUInt8(UInt8(bitPattern: v))
        case .uint8(let v): writeUInt8(v)
        case .int16(let v): writeUInt16(UInt16(bitPattern: v))
        case .uint16(let v): writeUInt16(v)
        case .int32(let v): writeUInt32(UInt32(bitPattern: v))
        case .uint32(let v): writeUInt32(v)
        case .int64(let v): writeUInt64(UInt64(bitPattern: v))
        case .float(let v): writeUInt32(v.bitPattern)
        case .double(let v): writeUInt64(v.bitPattern)
        case .decimal(let scale, let v):
            writeUInt8(scale)
            writeUInt32(v)
        case .longString(let v), .byteArray(let v): writeLongString(v)
        case .array(let v): writeFieldArray(v)
        case .timestamp(let v): writeUInt64(v)
        case .table(let v): writeFieldTable(v)
        case .void: break
        }
    }
}
