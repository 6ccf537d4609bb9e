import AMQPProtocol
import Testing

@Suite struct FieldTableTests {
    // MARK: - Every type

    /// One value of each type as its tag and value bytes, written by hand from
    /// Protocol/README.md §6.1, and what it means.
    struct Sample: Sendable, CustomTestStringConvertible {
        var tag: Character
        var valueBytes: [UInt8]
        var expected: FieldValue
        var testDescription: String { "'\(tag)'" }
    }

    static let everyType: [Sample] = [
        Sample(tag: "t", valueBytes: [0x01], expected: .boolean(true)),
        Sample(tag: "b", valueBytes: [0xFE], expected: .int8(-2)),
        Sample(tag: "B", valueBytes: [0xFE], expected: .uint8(254)),
        Sample(tag: "s", valueBytes: [0xFF, 0xFE], expected: .int16(-2)),
        Sample(tag: "u", valueBytes: [0xFF, 0xFE], expected: .uint16(65_534)),
        Sample(tag: "I", valueBytes: [0xFF, 0xFF, 0xFF, 0xFE], expected: .int32(-2)),
        Sample(tag: "i", valueBytes: [0xFF, 0xFF, 0xFF, 0xFE], expected: .uint32(4_294_967_294)),
        Sample(tag: "l", valueBytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE], expected: .int64(-2)),
        Sample(tag: "f", valueBytes: [0x3F, 0xC0, 0x00, 0x00], expected: .float(1.5)),
        Sample(tag: "d", valueBytes: [0x3F, 0xF8, 0, 0, 0, 0, 0, 0], expected: .double(1.5)),
        Sample(tag: "D", valueBytes: [0x02, 0x00, 0x00, 0x30, 0x39], expected: .decimal(scale: 2, value: 12_345)),
        Sample(tag: "S", valueBytes: [0, 0, 0, 3, 0x61, 0x62, 0x63], expected: .string("abc")),
        Sample(tag: "x", valueBytes: [0, 0, 0, 2, 0x00, 0xFF], expected: .byteArray([0x00, 0xFF])),
        Sample(tag: "A", valueBytes: [0, 0, 0, 3, 0x62, 0x05, 0x56], expected: .array([.int8(5), .void])),
        Sample(tag: "T", valueBytes: [0, 0, 0, 0, 0x5F, 0x5E, 0x10, 0x00], expected: .timestamp(1_600_000_000)),
        Sample(tag: "F", valueBytes: [0, 0, 0, 4, 0x01, 0x6B, 0x74, 0x01], expected: .table(["k": .boolean(true)])),
        Sample(tag: "V", valueBytes: [], expected: .void),
    ]

    @Test(arguments: everyType)
    func eachTypeDecodesFromHandWrittenBytesAndEncodesBackToThem(_ sample: Sample) throws {
        let bytes = table(entries: [(name: "v", tag: sample.tag, value: sample.valueBytes)])
        var reader = ByteReader(bytes)
        let decoded = try reader.readFieldTable()
        #expect(decoded == ["v": sample.expected])
        #expect(reader.isAtEnd)
        #expect(sample.expected.tag == sample.tag.asciiValue)

        var writer = ByteWriter()
        writer.writeFieldTable(decoded)
        #expect(writer.bytes == bytes)
    }

    @Test func aTableWithEveryTypeAtItsExtremesRoundTrips() throws {
        let table: FieldTable = [
            "true": .boolean(true), "false": .boolean(false),
            "int8 min": .int8(.min), "int8 max": .int8(.max), "uint8 max": .uint8(.max),
            "int16 min": .int16(.min), "uint16 max": .uint16(.max),
            "int32 min": .int32(.min), "uint32 max": .uint32(.max),
            "int64 min": .int64(.min), "int64 max": .int64(.max),
            "float": .float(-.infinity), "float zero": .float(-0.0), "double": .double(.greatestFiniteMagnitude),
            "decimal": .decimal(scale: .max, value: .max),
            "empty string": .string(""), "long string": .longString([UInt8](repeating: 0xAB, count: 300)),
            "utf8": .string("größe ✓"), "bytes": .byteArray([0, 1, 0xFF]), "empty bytes": .byteArray([]),
            "array": .array([.int8(1), .string("two"), .array([]), .table(["deep": .void])]),
            "empty array": .array([]), "timestamp": .timestamp(.max), "table": .table(["inner": .int32(7)]),
            "empty table": .table([:]), "void": .void, "": .string("empty name"),
        ]
        var writer = ByteWriter()
        writer.writeFieldTable(table)
        var reader = ByteReader(writer.bytes)
        let decoded = try reader.readFieldTable()
        #expect(decoded == table)
        #expect(decoded.names == table.names)
        var again = ByteWriter()
        again.writeFieldTable(decoded)
        #expect(again.bytes == writer.bytes)
    }

    @Test func nanSurvivesAsTheSameBits() throws {
        let quietNaN = Float(bitPattern: 0x7FC0_0001)
        var writer = ByteWriter()
        writer.writeFieldTable(["f": .float(quietNaN), "d": .double(-.nan)])
        var reader = ByteReader(writer.bytes)
        var again = ByteWriter()
        again.writeFieldTable(try reader.readFieldTable())
        #expect(again.bytes == writer.bytes)
    }

    @Test func anyNonZeroBooleanOctetIsTrueAndIsWrittenAsOne() throws {
        var reader = ByteReader(table(entries: [(name: "b", tag: "t", value: [0x07])]))
        let decoded = try reader.readFieldTable()
        #expect(decoded["b"] == .boolean(true))
        var writer = ByteWriter()
        writer.writeFieldTable(decoded)
        #expect(writer.bytes.last == 0x01)
    }

    @Test func tagCapitalLIsReadAsInt64AndWrittenAsLowercaseL() throws {
        let value: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 0x01]
        var reader = ByteReader(table(entries: [(name: "n", tag: "L", value: value)]))
        let decoded = try reader.readFieldTable()
        #expect(decoded["n"] == .int64(Int64.min + 1))
        var writer = ByteWriter()
        writer.writeFieldTable(decoded)
        #expect(writer.bytes == table(entries: [(name: "n", tag: "l", value: value)]))
    }

    // MARK: - The table as a collection

    @Test func entriesKeepTheirOrderAndDuplicateNamesFindTheFirst() throws {
        let bytes = table(entries: [
            (name: "z", tag: "b", value: [1]), (name: "a", tag: "b", value: [2]), (name: "z", tag: "b", value: [3]),
        ])
        var reader = ByteReader(bytes)
        var decoded = try reader.readFieldTable()
        #expect(decoded.names == ["z", "a", "z"])
        #expect(decoded["z"] == .int8(1))
        decoded["z"] = nil
        #expect(decoded.names == ["a", "z"])
        decoded["new"] = .void
        decoded["a"] = .int8(9)
        #expect(decoded.entries == [.init("a", .int8(9)), .init("z", .int8(3)), .init("new", .void)])
    }

    @Test func valueAccessorsSeeThroughTheType() {
        #expect(FieldValue.string("hi").stringValue == "hi")
        #expect(FieldValue.byteArray([0x68]).stringValue == nil)
        #expect(FieldValue.uint32(.max).intValue == Int64(UInt32.max))
        #expect(FieldValue.int8(-3).intValue == -3)
        #expect(FieldValue.timestamp(5).intValue == 5)
        #expect(FieldValue.double(1).intValue == nil)
        #expect(FieldValue.boolean(true).boolValue == true)
        #expect(FieldValue.int8(1).boolValue == nil)
    }

    // MARK: - Malformed tables

    static let knownTags = Set("tbBsuIilLfdDSxATFV".compactMap(\.asciiValue))

    @Test(arguments: (UInt8.min...UInt8.max).filter { !knownTags.contains($0) })
    func unknownTagIsAFrameError(_ tag: UInt8) {
        var bytes = table(entries: [(name: "k", tag: "V", value: [])])
        bytes[bytes.count - 1] = tag
        var reader = ByteReader(bytes)
        let error = amqpError { () throws(AMQPError) in try reader.readFieldTable() }
        #expect(error?.code == .frameError)
        #expect(error?.text.contains("unknown field type tag") == true)
    }

    @Test(arguments: ["F", "A", "FA"])
    func nestingIsAcceptedAtTheCapAndRefusedOneLevelDeeper(_ pattern: String) throws {
        var atCap = ByteReader(nested(levels: maximumFieldNesting, pattern: pattern))
        #expect(throws: Never.self) { try atCap.readFieldTable() }
        #expect(atCap.isAtEnd)

        var tooDeep = ByteReader(nested(levels: maximumFieldNesting + 1, pattern: pattern))
        let error = amqpError { () throws(AMQPError) in try tooDeep.readFieldTable() }
        #expect(error?.code == .frameError)
        #expect(error?.text.contains("nested too deeply") == true)
    }

    @Test func hostileNestingIsRefusedWithoutExhaustingTheStack() {
        var reader = ByteReader(nested(levels: 200_000, pattern: "F"))
        #expect(amqpError { () throws(AMQPError) in try reader.readFieldTable() }?.code == .frameError)
    }

    /// Lengths that run past the end of the frame or of their container.
    static let overruns: [(String, [UInt8])] = [
        ("table length", [0, 0, 0, 10, 0x01, 0x6B, 0x56]),
        ("field name", [0, 0, 0, 3, 0x05, 0x61, 0x62]),
        ("long string", [0, 0, 0, 9, 0x01, 0x6B, 0x53, 0, 0, 0, 10, 0x61, 0x62]),
        ("byte array", [0, 0, 0, 8, 0x01, 0x6B, 0x78, 0, 0, 0, 1]),
        ("array", [0, 0, 0, 8, 0x01, 0x6B, 0x41, 0, 0, 0, 4]),
        ("int32 cut short", [0, 0, 0, 5, 0x01, 0x6B, 0x49, 0, 0]),
        ("decimal cut short", [0, 0, 0, 4, 0x01, 0x6B, 0x44, 0x02]),
        ("no tag after name", [0, 0, 0, 2, 0x01, 0x6B]),
        ("length cut short", [0, 0, 0]),
        // The inner table claims 16 bytes; the frame has them, its container does not.
        ("inner table past its container",
         [0, 0, 0, 7, 0x01, 0x6B, 0x46, 0, 0, 0, 16] + [UInt8](repeating: 0x56, count: 16)),
    ]

    @Test(arguments: overruns)
    func lengthRunningPastTheEndIsAFrameError(_ what: String, _ bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        let error = amqpError { () throws(AMQPError) in try reader.readFieldTable() }
        #expect(error?.code == .frameError, "\(what)")
    }

    @Test(arguments: [UInt32.max, UInt32.max - 1, 0x8000_0000, 0x7FFF_FFFF])
    func lengthNearUInt32MaxNeverAllocatesOrTraps(_ length: UInt32) {
        var lengthBytes = ByteWriter()
        lengthBytes.writeUInt32(length)
        let l = lengthBytes.bytes
        let hostile: [[UInt8]] = [
            l + [0x01, 0x6B, 0x56],                                 // the table's own length
            [0, 0, 0, 7, 0x01, 0x6B, 0x53] + l,                     // a long string
            [0, 0, 0, 7, 0x01, 0x6B, 0x78] + l,                     // a byte array
            [0, 0, 0, 7, 0x01, 0x6B, 0x41] + l,                     // an array
            [0, 0, 0, 7, 0x01, 0x6B, 0x46] + l,                     // an inner table
        ]
        withAddressSpaceLimited {
            for bytes in hostile {
                var reader = ByteReader(bytes)
                let error = amqpError { () throws(AMQPError) in try reader.readFieldTable() }
                #expect(error?.code == .frameError, "\(hex(bytes))")
            }
        }
    }
}

// MARK: - Builders

/// A field table from name, tag and value bytes, its length computed here.
private func table(entries: [(name: String, tag: Character, value: [UInt8])]) -> [UInt8] {
    var content: [UInt8] = []
    for entry in entries {
        content.append(UInt8(entry.name.utf8.count))
        content += entry.name.utf8
        content.append(entry.tag.asciiValue ?? 0)
        content += entry.value
    }
    return bigEndian(UInt32(content.count)) + content
}

/// `levels` containers, each holding the next, the innermost empty. The
/// outermost is always a table; inner ones follow `pattern` (F table, A array)
/// cyclically. Built outside-in in one pass, so 200,000 levels are cheap.
private func nested(levels: Int, pattern: String) -> [UInt8] {
    let kinds = [Character("F")] + (1..<max(levels, 1)).map { Array(pattern)[($0 - 1) % pattern.count] }
    // Each container costs its 4 length bytes, plus what introduces the next one:
    // name + tag inside a table, a tag inside an array.
    var sizes = [Int](repeating: 4, count: levels)
    for level in stride(from: levels - 2, through: 0, by: -1) {
        let introducer = kinds[level] == "F" ? 3 : 1
        sizes[level] = 4 + introducer + sizes[level + 1]
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(sizes.first ?? 4)
    for level in 0..<levels {
        bytes += bigEndian(UInt32(sizes[level] - 4))
        guard level + 1 < levels else { break }
        if kinds[level] == "F" { bytes += [0x01, 0x6E] }
        bytes.append(kinds[level + 1].asciiValue ?? 0)
    }
    return bytes
}

private func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}
