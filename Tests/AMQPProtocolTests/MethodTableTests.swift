import AMQPCodegen
import Foundation
import Testing
@testable import AMQPProtocol

/// Tests of the method table (Protocol/amqp-0-9-1.json), the code generated
/// from it (Sources/AMQPProtocol/Generated/Methods.swift), and their agreement.
///
/// The round-trip test builds each method's bytes straight from the JSON with
/// the byte writer, not through the generated code, so a generator mistake in
/// field order, types or bit packing shows up as a mismatch.
struct MethodTableTests {
    // MARK: - Every method round-trips

    @Test func everyMethodInTheTableDecodesToItsFieldsAndEncodesBackToTheSameBytes() throws {
        let table = try loadTable()
        var checked = 0
        for classSpec in table.classes {
            for method in classSpec.methods {
                for sample in 0..<Sample.count(for: method) {
                    try checkRoundTrip(classSpec, method, sample: sample)
                }
                checked += 1
            }
        }
        #expect(checked == 64)
    }

    private func checkRoundTrip(_ classSpec: ClassSpec, _ method: MethodSpec, sample: Int) throws {
        let wireName = "\(classSpec.name).\(method.name)"
        let built = Sample(classID: classSpec.id, method: method, number: sample)
        var reader = ByteReader(built.bytes)
        let decoded = try Method.decode(from: &reader)

        #expect(decoded.name == wireName)
        #expect(decoded.classID == classSpec.id, "\(wireName)")
        #expect(decoded.methodID == method.id, "\(wireName)")
        #expect(decoded.hasContent == method.content, "\(wireName)")
        #expect(decoded.isSynchronousRequest == method.synchronous, "\(wireName)")

        let payload = Mirror(reflecting: decoded).children.first
        #expect(payload?.label == SwiftNames.caseName(classSpec.name, method.name), "\(wireName)")
        let fields = payload.map { Array(Mirror(reflecting: $0.value).children) } ?? []
        #expect(fields.map(\.label) == built.expected.map(\.label), "\(wireName) fields")
        for (field, expected) in zip(fields, built.expected) {
            let sameType = type(of: field.value) == type(of: expected.value.base)
            #expect(sameType, "\(wireName).\(expected.label) is \(type(of: field.value))")
            #expect(field.value as? AnyHashable == expected.value, "\(wireName).\(expected.label), sample \(sample)")
        }

        var writer = ByteWriter()
        decoded.encode(to: &writer)
        #expect(writer.bytes == built.bytes, "\(wireName), sample \(sample)")
        var again = ByteReader(writer.bytes)
        #expect(try Method.decode(from: &again) == decoded, "\(wireName)")
    }

    @Test func methodsBuiltWithDefaultsRoundTrip() throws {
        let methods: [Method] = [
            .connectionStart(ConnectionStart()), .exchangeDeclare(ExchangeDeclare()),
            .basicPublish(BasicPublish()), .basicDeliver(BasicDeliver()), .basicNack(BasicNack()),
            .confirmSelectOk(ConfirmSelectOk()), .txRollbackOk(TxRollbackOk()),
        ]
        for method in methods {
            var writer = ByteWriter()
            method.encode(to: &writer)
            var reader = ByteReader(writer.bytes)
            #expect(try Method.decode(from: &reader) == method)
        }
    }

    // MARK: - The committed code is what the table generates

    @Test func generatedMethodsAreUpToDateWithTheTable() throws {
        let table = try Data(contentsOf: packageRoot.appendingPathComponent(tablePath))
        let regenerated = try generateMethodsSource(fromJSON: table)
        let committed = try String(contentsOf: packageRoot.appendingPathComponent(generatedPath), encoding: .utf8)

        #expect(committed.hasPrefix("// GENERATED FILE: DO NOT EDIT BY HAND."))
        let isFresh = regenerated == committed
        #expect(isFresh, """
            \(generatedPath) is stale (first difference at line \(firstDifferentLine(regenerated, committed))): \
            run `swift run amqp-codegen` from the package root and commit the result
            """)
    }

    @Test func regeneratingGivesIdenticalSource() throws {
        let table = try Data(contentsOf: packageRoot.appendingPathComponent(tablePath))
        #expect(try generateMethodsSource(fromJSON: table) == generateMethodsSource(fromJSON: table))
    }

    @Test func generatorRefusesAFieldWhoseDomainDisagreesWithItsType() throws {
        let json = """
            {"name": "AMQP", "domains": {"short": "short", "queue-name": "shortstr"}, "constants": [],
             "classes": [{"name": "queue", "id": 50, "methods": [{"name": "purge", "id": 30,
               "synchronous": false, "response": [], "content": false,
               "fields": [{"name": "queue", "domain": "queue-name", "type": "short", "reserved": false}]}]}]}
            """
        #expect(throws: CodegenError.self) { try generateMethodsSource(fromJSON: Data(json.utf8)) }
    }

    // MARK: - Malformed input

    @Test(arguments: [
        (classID: UInt16(99), methodID: UInt16(10)),  // no such class
        (classID: 30, methodID: 10),                  // access.request: 0-8 only, RabbitMQ refuses it
        (classID: 60, methodID: 999),                 // basic has no method 999
        (classID: 40, methodID: 41),                  // exchange.unbind-ok is 51, not 41
    ])
    func unknownClassOrMethodIsCommandInvalid(classID: UInt16, methodID: UInt16) {
        var writer = ByteWriter()
        writer.writeUInt16(classID)
        writer.writeUInt16(methodID)
        let error = decodeError(writer.bytes)
        #expect(error?.code == .commandInvalid)
        #expect(error?.text.contains("unknown method \(classID).\(methodID)") == true)
        #expect(error?.classID == classID)
        #expect(error?.methodID == methodID)
    }

    @Test func payloadTooShortForTheIdsIsAFrameError() {
        #expect(decodeError([])?.code == .frameError)
        #expect(decodeError([0x00, 0x3C, 0x00])?.code == .frameError)
    }

    @Test func truncatedArgumentsAreAFrameError() {
        // basic.publish whose routing key claims 5 bytes but has 2.
        let publish: [UInt8] = [0x00, 0x3C, 0x00, 0x28, 0x00, 0x00, 0x00, 0x05, 0x6B, 0x65]
        let error = decodeError(publish)
        #expect(error?.code == .frameError)
        #expect(error?.classID == 60)
        #expect(error?.methodID == 40)
        // basic.ack cut inside the delivery tag, then before the bit octet.
        #expect(decodeError([0x00, 0x3C, 0x00, 0x50, 0x00, 0x00, 0x00])?.code == .frameError)
        #expect(decodeError([0x00, 0x3C, 0x00, 0x50] + [UInt8](repeating: 0, count: 8))?.code == .frameError)
        // queue.declare whose argument table claims more bytes than remain.
        let declare: [UInt8] = [0x00, 0x32, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00]
        #expect(decodeError(declare)?.code == .frameError)
    }

    @Test func bytesAfterTheArgumentsAreAFrameError() {
        let ack: [UInt8] = [0x00, 0x3C, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0xAA, 0xBB]
        let error = decodeError(ack)
        #expect(error?.code == .frameError)
        #expect(error?.text == "FRAME_ERROR - basic.ack has 2 bytes after its arguments")
        #expect(error?.classID == 60)
        #expect(error?.methodID == 80)
        #expect(decodeError([0x00, 0x5A, 0x00, 0x0B, 0x00])?.code == .frameError)  // tx.select-ok has no arguments
    }

    // MARK: - Hand-checked bytes

    @Test func basicAckFromHandWrittenBytes() throws {
        // class 60, method 80, delivery-tag 42, bits: multiple.
        let bytes: [UInt8] = [0x00, 0x3C, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0x2A, 0x01]
        try expectDecoding(bytes, as: .basicAck(BasicAck(deliveryTag: 42, multiple: true)))
    }

    @Test func queueDeclareFromHandWrittenBytes() throws {
        // class 50, method 10, reserved-1 0, queue "hello",
        // bits 0x0A = durable (bit 1) and auto-delete (bit 3), empty table.
        let bytes: [UInt8] = [0x00, 0x32, 0x00, 0x0A, 0x00, 0x00, 0x05, 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x0A, 0, 0, 0, 0]
        try expectDecoding(bytes, as: .queueDeclare(QueueDeclare(queue: "hello", durable: true, autoDelete: true)))
    }

    @Test func basicPublishFromHandWrittenBytes() throws {
        // class 60, method 40, reserved-1 0, exchange "amq", routing key "key", bits: mandatory.
        let bytes: [UInt8] = [0x00, 0x3C, 0x00, 0x28, 0x00, 0x00, 0x03, 0x61, 0x6D, 0x71, 0x03, 0x6B, 0x65, 0x79, 0x01]
        try expectDecoding(bytes, as: .basicPublish(BasicPublish(exchange: "amq", routingKey: "key", mandatory: true)))
    }

    @Test func connectionTuneAndExchangeUnbindOkFromHandWrittenBytes() throws {
        // channel-max 2047, frame-max 131072, heartbeat 60.
        let tune: [UInt8] = [0x00, 0x0A, 0x00, 0x1E, 0x07, 0xFF, 0x00, 0x02, 0x00, 0x00, 0x00, 0x3C]
        try expectDecoding(tune, as: .connectionTune(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 60)))
        try expectDecoding([0x00, 0x28, 0x00, 0x33], as: .exchangeUnbindOk(ExchangeUnbindOk()))
    }

    @Test func repliesAndNoWaitAreRecognised() {
        #expect(Method.queueDeclareOk(QueueDeclareOk()).isReply(to: .queueDeclare(QueueDeclare())))
        #expect(Method.basicGetEmpty(BasicGetEmpty()).isReply(to: .basicGet(BasicGet())))
        #expect(!Method.basicGetOk(BasicGetOk()).isReply(to: .basicConsume(BasicConsume())))
        #expect(Method.queueDeclare(QueueDeclare()).expectsReply)
        #expect(!Method.queueDeclare(QueueDeclare(noWait: true)).expectsReply)
        #expect(Method.queueDeclare(QueueDeclare(noWait: true)).isSynchronousRequest)
        #expect(Method.basicRecover(BasicRecover()).expectsReply)
        #expect(!Method.basicPublish(BasicPublish()).expectsReply)
    }

    // MARK: - The table's own facts

    @Test func basicPropertiesHaveTheirFlagBits() throws {
        let basic = try #require(try loadTable().classes.first { $0.name == "basic" })
        #expect(basic.properties.map(\.name) == [
            "content-type", "content-encoding", "headers", "delivery-mode", "priority", "correlation-id",
            "reply-to", "expiration", "message-id", "timestamp", "type", "user-id", "app-id", "cluster-id",
        ])
        #expect(basic.properties.map(\.bit) == Array((2...15).reversed()))
        #expect(basic.properties.map(\.type.rawValue) == [
            "shortstr", "shortstr", "table", "octet", "octet", "shortstr", "shortstr", "shortstr",
            "shortstr", "timestamp", "shortstr", "shortstr", "shortstr", "shortstr",
        ])
    }

    @Test func frameConstantsAreThoseOfTheSpec() throws {
        let constants = Dictionary(uniqueKeysWithValues: try loadTable().constants.map { ($0.name, $0.value) })
        #expect(constants["frame-method"] == 1)
        #expect(constants["frame-header"] == 2)
        #expect(constants["frame-body"] == 3)
        #expect(constants["frame-heartbeat"] == 8)
        #expect(constants["frame-min-size"] == 4096)
        #expect(constants["frame-end"] == 206)
    }

    @Test func replyCodesInTheTableMatchReplyCode() throws {
        let errors = try loadTable().constants.filter { $0.kind.hasSuffix("error") || $0.kind == "reply" }
        #expect(errors.count == 19)
        for constant in errors {
            let code = ReplyCode(rawValue: UInt16(constant.value))
            #expect(code.name == constant.name.uppercased().replacingOccurrences(of: "-", with: "_"))
            guard constant.kind != "reply" else { continue }
            #expect(code.isConnectionError == (constant.kind == "hard-error"), "\(constant.name)")
        }
    }
}

// MARK: - Helpers

private let tablePath = "Protocol/amqp-0-9-1.json"
private let generatedPath = "Sources/AMQPProtocol/Generated/Methods.swift"

/// Tests/AMQPProtocolTests/MethodTableTests.swift → the package root.
private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func loadTable() throws -> ProtocolSpec {
    try ProtocolSpec(json: Data(contentsOf: packageRoot.appendingPathComponent(tablePath)))
}

private func decodeError(_ bytes: [UInt8]) -> AMQPError? {
    var reader = ByteReader(bytes)
    do {
        _ = try Method.decode(from: &reader)
        return nil
    } catch {
        return error
    }
}

private func expectDecoding(_ bytes: [UInt8], as expected: Method, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var reader = ByteReader(bytes)
    #expect(try Method.decode(from: &reader) == expected, sourceLocation: sourceLocation)
    var writer = ByteWriter()
    expected.encode(to: &writer)
    #expect(writer.bytes == bytes, sourceLocation: sourceLocation)
}

private func firstDifferentLine(_ a: String, _ b: String) -> Int {
    let left = a.split(separator: "\n", omittingEmptySubsequences: false)
    let right = b.split(separator: "\n", omittingEmptySubsequences: false)
    return (zip(left, right).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(left.count, right.count)) + 1
}

/// The bytes of one method frame payload built from the table alone, and the
/// property values the generated struct should decode them to.
///
/// Sample `n` sets only bit field `n` (the last sample sets them all), so each
/// bit is checked at its own position; other values differ per field and sample.
private struct Sample {
    var bytes: [UInt8]
    var expected: [(label: String, value: AnyHashable)] = []

    static func count(for method: MethodSpec) -> Int {
        max(2, method.fields.filter { $0.type == .bit }.count + 1)
    }

    init(classID: UInt16, method: MethodSpec, number: Int) {
        var writer = ByteWriter()
        writer.writeUInt16(classID)
        writer.writeUInt16(method.id)
        let bitCount = method.fields.filter { $0.type == .bit }.count
        var bitIndex = 0
        var octet: UInt8 = 0
        var bitsInOctet = 0
        for (index, field) in method.fields.enumerated() {
            let label = SwiftNames.propertyName(field.name)
            if field.type == .bit {
                if bitsInOctet == 8 {
                    writer.writeUInt8(octet)
                    (octet, bitsInOctet) = (0, 0)
                }
                let isSet = number >= bitCount || number == bitIndex
                if isSet { octet |= 1 << bitsInOctet }
                bitsInOctet += 1
                bitIndex += 1
                expected.append((label, isSet))
                continue
            }
            if bitsInOctet > 0 {
                writer.writeUInt8(octet)
                (octet, bitsInOctet) = (0, 0)
            }
            expected.append((label, Self.write(field, index: index, number: number, to: &writer)))
        }
        if bitsInOctet > 0 { writer.writeUInt8(octet) }
        bytes = writer.bytes
    }

    /// Writes a value particular to this field and sample; returns it as Swift sees it.
    private static func write(_ field: FieldSpec, index: Int, number: Int, to writer: inout ByteWriter) -> AnyHashable {
        let n = index + 1 + number * 16
        switch field.type {
        case .bit:
            return false  // handled by the caller
        case .octet:
            let value = UInt8(truncatingIfNeeded: 0x80 + n)
            writer.writeUInt8(value)
            return value
        case .short:
            let value = UInt16(0xB000 + n)
            writer.writeUInt16(value)
            return value
        case .long:
            let value = UInt32(0xC000_0000) + UInt32(n)
            writer.writeUInt32(value)
            return value
        case .longlong, .timestamp:
            let value = UInt64(0xD000_0000_0000_0000) + UInt64(n)
            writer.writeUInt64(value)
            return value
        case .shortstr:
            let value = "\(field.name) #\(number)"
            writer.writeShortString(value)
            return value
        case .longstr:
            let value = Array("\(field.name) #\(number)".utf8) + [0x00, 0xFF]
            writer.writeLongString(value)
            return value
        case .table:
            let value: FieldTable = ["field": .string(field.name), "sample": .int32(Int32(number))]
            writer.writeFieldTable(value)
            return value
        }
    }
}
