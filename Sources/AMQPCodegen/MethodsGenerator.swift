import Foundation

/// Turns the JSON method table into the Swift source of
/// `Sources/AMQPProtocol/Generated/Methods.swift`.
///
/// The output depends only on the JSON, so regenerating an unchanged table
/// gives byte-identical source (the staleness test relies on that).
public func generateMethodsSource(fromJSON data: Data) throws -> String {
    MethodsGenerator(spec: try ProtocolSpec(json: data)).source()
}

/// One method with the names the generated code uses for it.
struct GeneratedMethod {
    var classSpec: ClassSpec
    var spec: MethodSpec
    var structName: String { SwiftNames.structName(classSpec.name, spec.name) }
    var caseName: String { SwiftNames.caseName(classSpec.name, spec.name) }
    var wireName: String { "\(classSpec.name).\(spec.name)" }
    var noWaitField: FieldSpec? { spec.fields.first { $0.name == "no-wait" && $0.type == .bit } }
}

struct MethodsGenerator {
    let spec: ProtocolSpec
    let methods: [GeneratedMethod]

    init(spec: ProtocolSpec) {
        self.spec = spec
        methods = spec.classes.flatMap { c in c.methods.map { GeneratedMethod(classSpec: c, spec: $0) } }
    }

    func source() -> String {
        var out = SourceWriter()
        writeHeader(&out)
        for classSpec in spec.classes {
            out.line("// MARK: - \(classSpec.name) (class \(classSpec.id))")
            for method in methods where method.classSpec.id == classSpec.id {
                out.line()
                StructEmitter(method: method, repliedTo: requests(answeredBy: method)).emit(&out)
            }
            out.line()
        }
        MethodEnumEmitter(spec: spec, methods: methods).emit(&out)
        return out.text
    }

    private func writeHeader(_ out: inout SourceWriter) {
        out.line("// GENERATED FILE: DO NOT EDIT BY HAND. Change Protocol/amqp-0-9-1.json or Sources/AMQPCodegen instead.")
        out.line("//")
        out.line("// Regenerate from the package root with:")
        out.line("//")
        out.line("//     swift run amqp-codegen")
        out.line("//")
        out.line("// which reads Protocol/amqp-0-9-1.json and writes this file (both paths can be")
        out.line("// given as arguments). MethodTableTests fails while this file is stale.")
        out.line("//")
        out.line("// One struct per method of AMQP 0-9-1 as RabbitMQ speaks it, and `Method`, which")
        out.line("// holds any of them. A struct reads and writes only its arguments; `Method` adds")
        out.line("// the class and method ids. Consecutive bit fields share one octet, the first in")
        out.line("// the least significant bit. Reserved fields are kept, as `reserved1`,")
        out.line("// `reserved2`, ..., so that decoded bytes encode back to the same bytes.")
        out.line()
    }

    private func requests(answeredBy reply: GeneratedMethod) -> [GeneratedMethod] {
        methods.filter { $0.classSpec.id == reply.classSpec.id && $0.spec.response.contains(reply.spec.name) }
    }
}

/// Accumulates lines of source with four-space indentation.
struct SourceWriter {
    private(set) var text = ""
    var depth = 0

    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: "    ", count: depth) + content + "\n"
        }
    }

    mutating func block(_ opening: String, _ body: (inout SourceWriter) -> Void) {
        line(opening + " {")
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }
}

/// The Swift spelling of each primitive type.
extension PrimitiveType {
    var swiftType: String {
        switch self {
        case .bit: "Bool"
        case .octet: "UInt8"
        case .short: "UInt16"
        case .long: "UInt32"
        case .longlong, .timestamp: "UInt64"
        case .shortstr: "String"
        case .longstr: "[UInt8]"
        case .table: "FieldTable"
        }
    }

    var defaultValue: String {
        switch self {
        case .bit: "false"
        case .octet, .short, .long, .longlong, .timestamp: "0"
        case .shortstr: "\"\""
        case .longstr: "[]"
        case .table: "FieldTable()"
        }
    }

    /// The `ByteReader` call that reads a non-bit value.
    var readCall: String {
        switch self {
        case .bit, .octet: "readUInt8()"
        case .short: "readUInt16()"
        case .long: "readUInt32()"
        case .longlong, .timestamp: "readUInt64()"
        case .shortstr: "readShortString()"
        case .longstr: "readLongString()"
        case .table: "readFieldTable()"
        }
    }

    /// The `ByteWriter` method that writes a non-bit value.
    var writeMethod: String {
        switch self {
        case .bit, .octet: "writeUInt8"
        case .short: "writeUInt16"
        case .long: "writeUInt32"
        case .longlong, .timestamp: "writeUInt64"
        case .shortstr: "writeShortString"
        case .longstr: "writeLongString"
        case .table: "writeFieldTable"
        }
    }
}

/// A method's fields in wire order, with runs of bits grouped into octets.
enum WireItem {
    case value(FieldSpec)
    /// Up to eight bit fields sharing one octet; `octet` numbers the group from 1.
    case bits([FieldSpec], octet: Int)

    static func items(of fields: [FieldSpec]) -> [WireItem] {
        var items: [WireItem] = []
        var run: [FieldSpec] = []
        var octets = 0
        func flush() {
            guard !run.isEmpty else { return }
            octets += 1
            items.append(.bits(run, octet: octets))
            run = []
        }
        for field in fields {
            if field.type == .bit {
                if run.count == 8 { flush() }
                run.append(field)
            } else {
                flush()
                items.append(.value(field))
            }
        }
        flush()
        return items
    }
}
