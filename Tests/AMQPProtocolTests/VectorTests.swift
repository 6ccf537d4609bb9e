import AMQPCodegen
import AMQPProtocol
import Foundation
import Testing

/// Replays Protocol/vectors/vectors.json: every frame must decode to the
/// meaning written next to it (by hand, or read from a client capture by
/// the Python tools, never by Warren), and encode back to the same bytes
/// unless the case says it is not canonical. Malformed cases must be refused
/// with their reply code.
@Suite struct VectorTests {
    static let vectors: [Vector] = (try? loadVectors()) ?? []

    @Test func vectorFileLoadsAndEveryCaseHasAMeaningOrAnError() throws {
        let vectors = try loadVectors()
        #expect(vectors.count >= 100)
        for vector in vectors {
            #expect((vector.meaning == nil) != (vector.expectedCode == nil), "\(vector.name)")
        }
    }

    @Test(arguments: vectors.filter { $0.meaning != nil })
    func vectorDecodesToItsMeaning(_ vector: Vector) throws {
        let meaning = try #require(vector.meaning?.object)
        if meaning["type"]?.string == "protocol-header" {
            var splitter = FrameSplitter()
            splitter.append(vector.bytes)
            #expect(splitter.readProtocolHeader() == true)
            return
        }
        let frame = try decodeOneFrame(vector.bytes)
        try expect(frame, toMean: meaning)
    }

    @Test(arguments: vectors.filter { $0.meaning != nil && $0.isCanonical })
    func vectorEncodesBackToTheSameBytes(_ vector: Vector) throws {
        if vector.meaning?.object?["type"]?.string == "protocol-header" {
            #expect(vector.bytes == protocolHeader)
            return
        }
        var writer = ByteWriter()
        writer.writeFrame(try decodeOneFrame(vector.bytes))
        #expect(hex(writer.bytes) == hex(vector.bytes))
    }

    @Test(arguments: vectors.filter { $0.expectedCode != nil })
    func malformedVectorIsRefusedWithItsReplyCode(_ vector: Vector) {
        var splitter = FrameSplitter(maximumFrameSize: 131_072)
        var assembler = ContentAssembler()
        splitter.append(vector.bytes)
        let error = amqpError { () throws(AMQPError) in
            while let raw = try splitter.next() { _ = try assembler.receive(try Frame(raw)) }
        }
        #expect(error?.code.rawValue == vector.expectedCode)
    }

    @Test func vectorsCoverEveryMethodEveryPropertyAndEveryFieldType() throws {
        let meanings = Self.vectors.compactMap { $0.meaning?.object }
        let spec = try ProtocolSpec(json: Data(contentsOf: packageRoot.appendingPathComponent("Protocol/amqp-0-9-1.json")))
        let methods = Set(spec.classes.flatMap { c in c.methods.map { "\(c.name).\($0.name)" } })
        let covered = Set(meanings.compactMap { $0["method"]?.string })
        #expect(methods.subtracting(covered).isEmpty, "no vector for \(methods.subtracting(covered).sorted())")

        let headerProperties = meanings.filter { $0["type"]?.string == "header" }.compactMap { $0["properties"]?.object }
        #expect(headerProperties.contains { $0.count == 14 })

        var tags: Set<String> = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                if object.count == 1, let entry = object.first, entry.key.count == 1 { tags.insert(entry.key) }
                object.values.forEach(collect)
            case .array(let array): array.forEach(collect)
            default: break
            }
        }
        meanings.forEach { collect(.object($0)) }
        #expect(Set("tbBsuIilfdDSxATFV".map(String.init)).isSubset(of: tags))
    }

    @Test func someVectorsWereCapturedFromRealClients() {
        let captured = Self.vectors.filter { $0.source.hasSuffix("capture") }
        #expect(captured.count >= 5)
        #expect(captured.contains { $0.source.hasPrefix("pika") })
        #expect(captured.contains { $0.source.hasPrefix("aio-pika") })
    }
}

// MARK: - Comparing a decoded frame with its meaning

private func decodeOneFrame(_ bytes: [UInt8]) throws -> Frame {
    var splitter = FrameSplitter(maximumFrameSize: 131_072)
    splitter.append(bytes)
    let raw = try #require(try splitter.next())
    #expect(splitter.bufferedByteCount == 0, "one frame, nothing after it")
    return try Frame(raw)
}

private func expect(_ frame: Frame, toMean meaning: [String: JSONValue], sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(frame.channel == (try number(meaning["channel"]) as UInt16), sourceLocation: sourceLocation)
    switch (meaning["type"]?.string, frame) {
    case ("method", .method(_, let method)):
        #expect(method.name == meaning["method"]?.string, sourceLocation: sourceLocation)
        try expect(method, hasArguments: try #require(meaning["arguments"]?.object), sourceLocation: sourceLocation)
    case ("header", .header(_, let header)):
        let expected = ContentHeader(
            classID: try number(meaning["class-id"]),
            weight: try number(meaning["weight"]),
            bodySize: try #require(meaning["body-size"]?.uint64),
            properties: try properties(try #require(meaning["properties"]?.object)))
        #expect(header == expected, sourceLocation: sourceLocation)
    case ("body", .body(_, let payload)):
        #expect(Array(payload) == (try bytesValue(try #require(meaning["payload"]))), sourceLocation: sourceLocation)
    case ("heartbeat", .heartbeat):
        break
    default:
        Issue.record("decoded \(frame), meaning says \(meaning["type"]?.string ?? "?")", sourceLocation: sourceLocation)
    }
}

/// Compares each argument, by the spec's field list, with the decoded struct's
/// stored property of the same name (as MethodTableTests does).
private func expect(_ method: Method, hasArguments arguments: [String: JSONValue], sourceLocation: SourceLocation) throws {
    let fields = try #require(methodFields?[method.name], "\(method.name) is not in the table")
    #expect(Set(arguments.keys) == Set(fields.map(\.name)), "\(method.name) arguments", sourceLocation: sourceLocation)
    let payload = Mirror(reflecting: method).children.first?.value
    let stored = payload.map { Array(Mirror(reflecting: $0).children) } ?? []
    #expect(stored.map(\.label) == fields.map { SwiftNames.propertyName($0.name) }, sourceLocation: sourceLocation)
    for (field, property) in zip(fields, stored) {
        let expected = try value(try #require(arguments[field.name], "\(field.name)"), as: field.type)
        #expect(property.value as? AnyHashable == expected, "\(method.name).\(field.name)", sourceLocation: sourceLocation)
    }
}

private func value(_ json: JSONValue, as type: PrimitiveType) throws -> AnyHashable {
    switch type {
    case .bit: return try #require(json.bool as Bool?)
    case .octet: return try number(json) as UInt8
    case .short: return try number(json) as UInt16
    case .long: return try number(json) as UInt32
    case .longlong, .timestamp: return try #require(json.uint64)
    case .shortstr: return try #require(json.string)
    case .longstr: return try bytesValue(json)
    case .table: return try table(json)
    }
}

private func properties(_ json: [String: JSONValue]) throws -> BasicProperties {
    var p = BasicProperties()
    p.contentType = json["content-type"]?.string
    p.contentEncoding = json["content-encoding"]?.string
    p.headers = try json["headers"].map(table)
    p.deliveryMode = try json["delivery-mode"].map { try number($0) }
    p.priority = try json["priority"].map { try number($0) }
    p.correlationID = json["correlation-id"]?.string
    p.replyTo = json["reply-to"]?.string
    p.expiration = json["expiration"]?.string
    p.messageID = json["message-id"]?.string
    p.timestamp = json["timestamp"]?.uint64
    p.type = json["type"]?.string
    p.userID = json["user-id"]?.string
    p.appID = json["app-id"]?.string
    p.clusterID = json["cluster-id"]?.string
    let known: Set = ["content-type", "content-encoding", "headers", "delivery-mode", "priority", "correlation-id",
                      "reply-to", "expiration", "message-id", "timestamp", "type", "user-id", "app-id", "cluster-id"]
    #expect(Set(json.keys).isSubset(of: known), "unknown property in \(json.keys.sorted())")
    return p
}

/// A table written as `[[name, {tag: value}], ...]`.
private func table(_ json: JSONValue) throws -> FieldTable {
    let pairs = try #require(json.array)
    return FieldTable(try pairs.map { pair in
        let items = try #require(pair.array)
        try #require(items.count == 2)
        return FieldTable.Entry(try #require(items[0].string), try fieldValue(items[1]))
    })
}

private func fieldValue(_ json: JSONValue) throws -> FieldValue {
    let object = try #require(json.object)
    let (tag, v) = try #require(object.first)
    try #require(object.count == 1)
    switch tag {
    case "t": return .boolean(try #require(v.bool as Bool?))
    case "b": return .int8(try number(v))
    case "B": return .uint8(try number(v))
    case "s": return .int16(try number(v))
    case "u": return .uint16(try number(v))
    case "I": return .int32(try number(v))
    case "i": return .uint32(try number(v))
    case "l", "L": return .int64(try #require(v.int64))
    case "f": return .float(Float(try #require(v.double)))
    case "d": return .double(try #require(v.double))
    case "D":
        let decimal = try #require(v.object)
        return .decimal(scale: try number(decimal["scale"]), value: try number(decimal["value"]))
    case "S": return .longString(try bytesValue(v))
    case "x": return .byteArray(try bytesValue(v))
    case "A": return .array(try #require(v.array).map(fieldValue))
    case "T": return .timestamp(try #require(v.uint64))
    case "F": return .table(try table(v))
    case "V": return .void
    default:
        Issue.record("unknown tag \(tag) in the vector file")
        return .void
    }
}

/// A JSON integer that must fit `T` exactly.
private func number<T: FixedWidthInteger>(_ json: JSONValue?) throws -> T {
    try #require(json?.int64.flatMap { T(exactly: $0) } ?? json?.uint64.flatMap { T(exactly: $0) }, "\(String(describing: json))")
}

/// Bytes written as UTF-8 text, or as `{"hex": "..."}`.
private func bytesValue(_ json: JSONValue) throws -> [UInt8] {
    if let text = json.string { return Array(text.utf8) }
    return try #require(json.object?["hex"]?.string.flatMap { bytes(hex: $0) })
}

// MARK: - The vector file

struct Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var meaning: JSONValue?
    var expectedCode: UInt16?
    var source: String
    var isCanonical: Bool
    var testDescription: String { "\(name) [\(source)]" }
}

private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func loadVectors() throws -> [Vector] {
    let data = try Data(contentsOf: packageRoot.appendingPathComponent("Protocol/vectors/vectors.json"))
    let document = try JSONDecoder().decode(JSONValue.self, from: data)
    let cases = document.object?["cases"]?.array ?? []
    return cases.compactMap { item -> Vector? in
        guard let object = item.object, let name = object["name"]?.string,
              let hexText = object["hex"]?.string, let bytes = bytes(hex: hexText),
              let source = object["source"]?.string
        else { return nil }
        return Vector(name: name, bytes: bytes, meaning: object["frame"],
                      expectedCode: object["error"]?.object?["code"]?.uint64.flatMap { UInt16(exactly: $0) },
                      source: source, isCanonical: object["canonical"]?.bool ?? true)
    }
}

/// "class.method" → its fields, from Protocol/amqp-0-9-1.json (read once, lazily).
private let methodFields: [String: [FieldSpec]]? = {
    guard let data = try? Data(contentsOf: packageRoot.appendingPathComponent("Protocol/amqp-0-9-1.json")),
          let spec = try? ProtocolSpec(json: data)
    else { return nil }
    var result: [String: [FieldSpec]] = [:]
    for classSpec in spec.classes {
        for method in classSpec.methods { result["\(classSpec.name).\(method.name)"] = method.fields }
    }
    return result
}()

/// Any JSON value, numbers kept exact: integers as Int64 or UInt64, others as Double.
enum JSONValue: Decodable, Sendable, Hashable {
    case null, bool(Bool), int(Int64), uint(UInt64), double(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .int(value) }
        else if let value = try? container.decode(UInt64.self) { self = .uint(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    var string: String? { if case .string(let v) = self { v } else { nil } }
    var array: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
    var object: [String: JSONValue]? { if case .object(let v) = self { v } else { nil } }
    var int64: Int64? {
        switch self {
        case .int(let v): v
        case .uint(let v): Int64(exactly: v)
        default: nil
        }
    }
    var uint64: UInt64? {
        switch self {
        case .int(let v): UInt64(exactly: v)
        case .uint(let v): v
        default: nil
        }
    }
    var double: Double? {
        switch self {
        case .double(let v): v
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        default: nil
        }
    }
}
