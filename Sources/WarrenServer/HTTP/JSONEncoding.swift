import AMQPProtocol
import Glibc

extension JSONValue {
    /// The compact UTF-8 text of this value.
    var encoded: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output)
        return output
    }

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): output.append(contentsOf: String(value).utf8)
        case .number(let value):
            // JSON has no NaN or infinity; rates are the only doubles and are finite.
            if !value.isFinite {
                output.append(contentsOf: "0".utf8)
            } else if value.rounded() == value, abs(value) < 1e15 {
                output.append(contentsOf: String(Int64(value)).utf8)
                output.append(contentsOf: ".0".utf8)
            } else {
                output.append(contentsOf: String(value).utf8)
            }
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.0, to: &output)
                output.append(UInt8(ascii: ":"))
                member.1.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Escapes quotes, backslashes and control characters; `<`, `>` and `&`
    /// too, so a JSON string can never close a `<script>` it is embedded in.
    private static func writeString(_ text: String, to output: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                           hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

// MARK: - AMQP values as JSON and back

extension JSONValue {
    /// A field table as a JSON object, the way RabbitMQ shows arguments and headers.
    init(_ table: FieldTable) {
        self = .object(table.entries.map { ($0.name, JSONValue($0.value)) })
    }

    init(_ value: FieldValue) {
        switch value {
        case .boolean(let flag): self = .bool(flag)
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .timestamp:
            self = .integer(value.intValue ?? 0)
        case .float(let number): self = .number(Double(number))
        case .double(let number): self = .number(number)
        case .decimal(let scale, let raw): self = .number(Double(raw) / pow(10, Double(scale)))
        case .longString(let bytes): self = .string(String(decoding: bytes, as: UTF8.self))
        case .byteArray(let bytes): self = .string(Base64.encode(bytes))
        case .array(let values): self = .array(values.map(JSONValue.init))
        case .table(let table): self = JSONValue(table)
        case .void: self = .null
        }
    }

    /// This object as a field table: strings become long strings, integers
    /// 64-bit signed, other numbers doubles, null void. nil when not an object.
    var fieldTable: FieldTable? {
        guard case .object(let members) = self else { return nil }
        return FieldTable(members.map { FieldTable.Entry($0.0, $0.1.fieldValue) })
    }

    var fieldValue: FieldValue {
        switch self {
        case .null: .void
        case .bool(let flag): .boolean(flag)
        case .integer(let value): .int64(value)
        case .number(let value): .double(value)
        case .string(let text): .string(text)
        case .array(let values): .array(values.map(\.fieldValue))
        case .object: .table(fieldTable ?? FieldTable())
        }
    }
}

extension BasicProperties {
    /// The properties as RabbitMQ's management API names them; absent ones are left out.
    var json: JSONValue {
        var members: [(String, JSONValue)] = []
        func add(_ name: String, _ value: String?) { if let value { members.append((name, .string(value))) } }
        add("content_type", contentType)
        add("content_encoding", contentEncoding)
        if let headers { members.append(("headers", JSONValue(headers))) }
        if let deliveryMode { members.append(("delivery_mode", .integer(Int64(deliveryMode)))) }
        if let priority { members.append(("priority", .integer(Int64(priority)))) }
        add("correlation_id", correlationID)
        add("reply_to", replyTo)
        add("expiration", expiration)
        add("message_id", messageID)
        if let timestamp { members.append(("timestamp", .integer(Int64(truncatingIfNeeded: timestamp)))) }
        add("type", type)
        add("user_id", userID)
        add("app_id", appID)
        add("cluster_id", clusterID)
        return .object(members)
    }

    /// Reads properties from a request: the management API's names, with
    /// values checked (a bad one is a 400 naming the property).
    init(json: JSONValue?) throws(JSONError) {
        self.init()
        guard let json, !json.isNull else { return }
        // RabbitMQ's own UI sends `[]` for "no properties".
        if case .array(let elements) = json, elements.isEmpty { return }
        guard case .object(let members) = json else { throw JSONError(description: "properties must be an object") }
        for (name, value) in members {
            try apply(name, value)
        }
    }

    private mutating func apply(_ name: String, _ value: JSONValue) throws(JSONError) {
        func text() throws(JSONError) -> String {
            guard let text = value.stringValue, text.utf8.count <= 255 else {
                throw JSONError(description: "property \(name) must be a string of at most 255 bytes")
            }
            return text
        }
        func octet() throws(JSONError) -> UInt8 {
            guard let number = value.integerValue, let octet = UInt8(exactly: number) else {
                throw JSONError(description: "property \(name) must be an integer from 0 to 255")
            }
            return octet
        }
        switch name {
        case "content_type": contentType = try text()
        case "content_encoding": contentEncoding = try text()
        case "headers":
            guard let table = value.fieldTable else { throw JSONError(description: "property headers must be an object") }
            headers = table
        case "delivery_mode": deliveryMode = try octet()
        case "priority": priority = try octet()
        case "correlation_id": correlationID = try text()
        case "reply_to": replyTo = try text()
        case "expiration": expiration = try text()
        case "message_id": messageID = try text()
        case "timestamp":
            guard let number = value.integerValue, number >= 0 else {
                throw JSONError(description: "property timestamp must be a non-negative integer")
            }
            timestamp = UInt64(number)
        case "type": type = try text()
        case "user_id": userID = try text()
        case "app_id": appID = try text()
        case "cluster_id": clusterID = try text()
        default: break  // RabbitMQ ignores keys it does not know
        }
    }
}

/// A body as JSON text when it is valid UTF-8, base64 otherwise: the
/// management API's `encoding: auto`.
func encodePayload(_ bytes: some Collection<UInt8>, forceBase64: Bool) -> (text: String, encoding: String) {
    if !forceBase64, let text = String(validating: Array(bytes), as: UTF8.self) {
        return (text, "string")
    }
    return (Base64.encode(bytes), "base64")
}

/// Decodes a request's payload given its encoding name ("string" or "base64").
func decodePayload(_ text: String, encoding: String?, field: String) throws(JSONError) -> [UInt8] {
    switch encoding ?? "string" {
    case "string": return Array(text.utf8)
    case "base64":
        guard let bytes = Base64.decode(text) else { throw JSONError(description: "\(field) is not valid base64") }
        return bytes
    default:
        throw JSONError(description: "unknown encoding '\(encoding ?? "")': use string or base64")
    }
}
