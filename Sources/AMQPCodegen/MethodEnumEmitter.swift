/// Emits `Method`: one case per method, the decoder that dispatches on
/// (class id, method id), the encoder, and the per-method facts.
struct MethodEnumEmitter {
    let spec: ProtocolSpec
    let methods: [GeneratedMethod]

    func emit(_ out: inout SourceWriter) {
        out.line("/// Any AMQP 0-9-1 method with its arguments: what a method frame carries.")
        out.block("public enum Method: Hashable, Sendable") { out in
            for method in methods {
                out.line("case \(method.caseName)(\(method.structName))")
            }
            out.line()
            emitDecode(&out)
            out.line()
            emitDecodeArguments(&out)
            out.line()
            emitEncode(&out)
            out.line()
            emitClassID(&out)
            out.line()
            emitFacts(&out)
            out.line()
            emitReplies(&out)
        }
    }

    private func emitDecode(_ out: inout SourceWriter) {
        out.line("/// Decodes a whole method frame payload: class id, method id, then the")
        out.line("/// arguments, which must use up the payload exactly.")
        out.line("///")
        out.line("/// An unknown class or method id is a 503 command-invalid error; arguments")
        out.line("/// cut short or followed by stray bytes are a 501 frame error. Either way")
        out.line("/// the error names the class and method ids that were read.")
        out.block("public static func decode(from reader: inout ByteReader) throws(AMQPError) -> Method") { out in
            out.line("let classID = try reader.readUInt16()")
            out.line("let methodID = try reader.readUInt16()")
            out.line("do throws(AMQPError) {")
            out.depth += 1
            out.line("let method = try decodeArguments(classID: classID, methodID: methodID, from: &reader)")
            out.block("guard reader.isAtEnd else") { out in
                out.line("throw AMQPError(.frameError, \"\\(method.name) has \\(reader.remaining) bytes after its arguments\")")
            }
            out.line("return method")
            out.depth -= 1
            out.line("} catch {")
            out.depth += 1
            out.line("var error = error")
            out.line("error.classID = classID")
            out.line("error.methodID = methodID")
            out.line("throw error")
            out.depth -= 1
            out.line("}")
        }
    }

    private func emitDecodeArguments(_ out: inout SourceWriter) {
        out.line("@inline(__always)")
        out.line("private static func decodeArguments(")
        out.line("    classID: UInt16, methodID: UInt16, from reader: inout ByteReader")
        out.line(") throws(AMQPError) -> Method {")
        out.depth += 1
        out.line("switch classID {")
        for classSpec in spec.classes {
            out.line("case \(classSpec.id): // \(classSpec.name)")
            out.depth += 1
            out.line("switch methodID {")
            for method in methods where method.classSpec.id == classSpec.id {
                out.line("case \(method.spec.id): return .\(method.caseName)(try \(method.structName)(from: &reader))")
            }
            out.line("default: throw unknownMethod(classID, methodID, inClass: \"\(classSpec.name)\")")
            out.line("}")
            out.depth -= 1
        }
        out.line("default: throw unknownMethod(classID, methodID, inClass: nil)")
        out.line("}")
        out.depth -= 1
        out.line("}")
        out.line()
        out.line("/// RabbitMQ's reader has no reply for unknown ids (it exits); Warren answers")
        out.line("/// 503 command-invalid, as RabbitMQ's channel does for methods it does not handle.")
        out.block("private static func unknownMethod(_ classID: UInt16, _ methodID: UInt16, inClass name: String?) -> AMQPError") { out in
            out.block("guard let name else") { out in
                out.line("return AMQPError(.commandInvalid, \"unknown method \\(classID).\\(methodID): no class \\(classID)\")")
            }
            out.line("return AMQPError(.commandInvalid, \"unknown method \\(classID).\\(methodID): class \\(name) has no method \\(methodID)\")")
        }
    }

    private func emitEncode(_ out: inout SourceWriter) {
        out.line("/// Writes a whole method frame payload: class id, method id, arguments.")
        out.block("public func encode(to writer: inout ByteWriter)") { out in
            out.line("switch self {")
            for method in methods {
                out.line("case .\(method.caseName)(let arguments):")
                out.depth += 1
                out.line("writer.writeUInt16(\(method.structName).classID)")
                out.line("writer.writeUInt16(\(method.structName).methodID)")
                out.line("arguments.encode(to: &writer)")
                out.depth -= 1
            }
            out.line("}")
        }
    }

    private func emitClassID(_ out: inout SourceWriter) {
        out.line("/// The class id, the payload's first short.")
        out.block("public var classID: UInt16") { out in
            out.line("switch self {")
            for classSpec in spec.classes {
                let cases = methods.filter { $0.classSpec.id == classSpec.id }.map { "." + $0.caseName }
                emitCaseList(cases, result: "\(classSpec.id)", &out)
            }
            out.line("}")
        }
    }

    /// `methodID`, `name`, `hasContent`, `isSynchronousRequest` and `expectsReply`.
    private func emitFacts(_ out: inout SourceWriter) {
        out.line("/// The method id within its class, the payload's second short.")
        emitPerCase("public var methodID: UInt16", &out) { "\($0.structName).methodID" }
        out.line()
        out.line("/// The spec's name, e.g. `basic.publish`.")
        emitPerCase("public var name: String", &out) { "\"\($0.wireName)\"" }
        out.line()
        out.line("/// True when a content header and body frames follow the method.")
        emitFlag("public var hasContent: Bool", methods.filter(\.spec.content), &out)
        out.line()
        out.line("/// True for a request that the spec answers with a reply (see `isReply(to:)`),")
        out.line("/// whether or not this instance asked for no reply with its no-wait bit.")
        emitFlag("public var isSynchronousRequest: Bool", methods.filter(\.spec.synchronous), &out)
        out.line()
        emitExpectsReply(&out)
    }

    private func emitExpectsReply(_ out: inout SourceWriter) {
        out.line("/// True when the peer must answer this method: a synchronous request")
        out.line("/// whose no-wait bit, if it has one, is clear.")
        out.block("public var expectsReply: Bool") { out in
            out.line("switch self {")
            let synchronous = methods.filter(\.spec.synchronous)
            for method in synchronous {
                guard let noWait = method.noWaitField else { continue }
                let property = SwiftNames.identifier(SwiftNames.propertyName(noWait.name))
                out.line("case .\(method.caseName)(let arguments): !arguments.\(property)")
            }
            let always = synchronous.filter { $0.noWaitField == nil }.map { "." + $0.caseName }
            emitCaseList(always, result: "true", &out)
            out.line("default: false")
            out.line("}")
        }
    }

    private func emitReplies(_ out: inout SourceWriter) {
        out.line("/// True when this method is one of the spec's replies to `request`,")
        out.line("/// e.g. `queue.declare-ok` to `queue.declare`, or `basic.get-empty` to `basic.get`.")
        out.block("public func isReply(to request: Method) -> Bool") { out in
            out.line("switch (request, self) {")
            var pairs: [String] = []
            for method in methods {
                for reply in method.spec.response {
                    let replyCase = SwiftNames.caseName(method.classSpec.name, reply)
                    pairs.append("(.\(method.caseName), .\(replyCase))")
                }
            }
            emitCaseList(pairs, result: "true", &out)
            out.line("default: false")
            out.line("}")
        }
    }

    private func emitPerCase(_ signature: String, _ out: inout SourceWriter, _ value: (GeneratedMethod) -> String) {
        out.block(signature) { out in
            out.line("switch self {")
            for method in methods {
                out.line("case .\(method.caseName): \(value(method))")
            }
            out.line("}")
        }
    }

    private func emitFlag(_ signature: String, _ trueFor: [GeneratedMethod], _ out: inout SourceWriter) {
        out.block(signature) { out in
            out.line("switch self {")
            emitCaseList(trueFor.map { "." + $0.caseName }, result: "true", &out)
            out.line("default: false")
            out.line("}")
        }
    }

    /// `case a, b, c: result`, wrapped one pattern per line when it is long.
    private func emitCaseList(_ patterns: [String], result: String, _ out: inout SourceWriter) {
        guard !patterns.isEmpty else { return }
        let oneLine = "case \(patterns.joined(separator: ", ")): \(result)"
        if oneLine.count + out.depth * 4 <= 110 {
            out.line(oneLine)
            return
        }
        for (index, pattern) in patterns.enumerated() {
            let prefix = index == 0 ? "case " : "     "
            out.line(prefix + pattern + (index < patterns.count - 1 ? "," : ":"))
        }
        out.depth += 1
        out.line(result)
        out.depth -= 1
    }
}
