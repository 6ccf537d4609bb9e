/// Emits the struct for one method: ids, fields, memberwise init, decoder, encoder.
struct StructEmitter {
    let method: GeneratedMethod
    /// The requests this method answers.
    let repliedTo: [GeneratedMethod]

    private var fields: [FieldSpec] { method.spec.fields }
    private var items: [WireItem] { WireItem.items(of: fields) }

    func emit(_ out: inout SourceWriter) {
        out.line("/// \(summary())")
        out.block("public struct \(method.structName): Hashable, Sendable") { out in
            out.line("public static let classID: UInt16 = \(method.classSpec.id)")
            out.line("public static let methodID: UInt16 = \(method.spec.id)")
            if !fields.isEmpty {
                out.line()
                for field in fields {
                    out.line("public var \(identifier(field)): \(field.type.swiftType)")
                }
            }
            out.line()
            emitMemberwiseInit(&out)
            out.line()
            emitDecoder(&out)
            out.line()
            emitEncoder(&out)
        }
    }

    private func summary() -> String {
        var parts: [String] = []
        if method.spec.synchronous {
            let replies = method.spec.response.map { "`\(method.classSpec.name).\($0)`" }
            parts.append("a synchronous request, answered by " + replies.joined(separator: " or "))
        }
        if !repliedTo.isEmpty {
            parts.append("the reply to " + repliedTo.map { "`\($0.wireName)`" }.joined(separator: " and "))
        }
        if method.spec.content {
            parts.append("followed by a content header and body")
        }
        let head = "`\(method.wireName)` (\(method.classSpec.id), \(method.spec.id))"
        return parts.isEmpty ? head + "." : head + ": " + parts.joined(separator: "; ") + "."
    }

    private func emitMemberwiseInit(_ out: inout SourceWriter) {
        let parameters = fields.map { "\(identifier($0)): \($0.type.swiftType) = \($0.type.defaultValue)" }
        let oneLine = "public init(\(parameters.joined(separator: ", ")))"
        if parameters.isEmpty {
            out.line("public init() {}")
            return
        }
        if oneLine.count + out.depth * 4 <= 110 {
            out.line(oneLine + " {")
        } else {
            out.line("public init(")
            out.depth += 1
            for (index, parameter) in parameters.enumerated() {
                out.line(parameter + (index < parameters.count - 1 ? "," : ""))
            }
            out.depth -= 1
            out.line(") {")
        }
        out.depth += 1
        for field in fields {
            out.line("self.\(identifier(field)) = \(identifier(field))")
        }
        out.depth -= 1
        out.line("}")
    }

    private func emitDecoder(_ out: inout SourceWriter) {
        out.line("/// Reads the arguments, which follow the class and method ids.")
        let signature = "public init(from reader: inout ByteReader) throws(AMQPError)"
        if fields.isEmpty {
            out.line(signature + " {}")
            return
        }
        out.block(signature) { out in
            for item in items {
                switch item {
                case .value(let field):
                    out.line("\(identifier(field)) = try reader.\(field.type.readCall)")
                case .bits(let bits, let octet):
                    let flags = flagsName(octet)
                    out.line("let \(flags) = try reader.readUInt8()")
                    for (position, field) in bits.enumerated() {
                        out.line("\(identifier(field)) = \(flags) & \(mask(position)) != 0")
                    }
                }
            }
        }
    }

    private func emitEncoder(_ out: inout SourceWriter) {
        out.line("/// Writes the arguments, without the class and method ids.")
        let signature = "public func encode(to writer: inout ByteWriter)"
        if fields.isEmpty {
            out.line(signature + " {}")
            return
        }
        out.block(signature) { out in
            for item in items {
                switch item {
                case .value(let field):
                    out.line("writer.\(field.type.writeMethod)(\(identifier(field)))")
                case .bits(let bits, let octet):
                    let flags = flagsName(octet)
                    out.line("var \(flags): UInt8 = 0")
                    for (position, field) in bits.enumerated() {
                        out.line("if \(identifier(field)) { \(flags) |= \(mask(position)) }")
                    }
                    out.line("writer.writeUInt8(\(flags))")
                }
            }
        }
    }

    private func identifier(_ field: FieldSpec) -> String {
        SwiftNames.identifier(SwiftNames.propertyName(field.name))
    }

    /// `flags` when the method has one octet of bits, `flags1`, `flags2`... otherwise.
    private func flagsName(_ octet: Int) -> String {
        let octets = items.filter { if case .bits = $0 { true } else { false } }.count
        return octets == 1 ? "flags" : "flags\(octet)"
    }

    private func mask(_ position: Int) -> String {
        let hex = String(1 << position, radix: 16)
        return "0x" + (hex.count < 2 ? "0" + hex : hex)
    }
}
