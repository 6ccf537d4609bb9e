/// One parsed HTTP/1.x request. Header names are lowercased; the body is
/// exactly Content-Length bytes.
struct HTTPRequest {
    var method: String
    /// The request target as sent (origin form: path and query).
    var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8] = []

    /// The first value of header `name` (lowercase).
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Every value of header `name`, comma lists split and trimmed.
    func headerTokens(_ name: String) -> [String] {
        headers.filter { $0.name == name }
            .flatMap { $0.value.split(separator: ",") }
            .map { $0.trimmingSpaces().lowercased() }
    }

    /// HTTP/1.1 keeps the connection unless told to close; 1.0 only when asked.
    var wantsKeepAlive: Bool {
        let tokens = headerTokens("connection")
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }

    /// The path part of the target, before any `?`.
    var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }

    /// The query parameters, percent-decoded (`+` is a space).
    var query: [String: String] {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return [:] }
        var result: [String: String] = [:]
        for pair in parts[1].split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(keyValue[0], plusIsSpace: true) ?? String(keyValue[0])
            let value = keyValue.count > 1 ? percentDecode(keyValue[1], plusIsSpace: true) ?? String(keyValue[1]) : ""
            result[key] = value
        }
        return result
    }
}

/// A response, serialized with Content-Length (never chunked).
struct HTTPResponse {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []

    init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response.
    static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: value.encoded)
    }

    /// An error in RabbitMQ's shape: `{"error": ..., "reason": ...}`.
    static func error(_ status: Int, _ error: String, _ reason: String) -> HTTPResponse {
        .json(.object([("error", .string(error)), ("reason", .string(reason))]), status: status)
    }

    static let notFound: HTTPResponse = error(404, "Object Not Found", "Not Found")
    static let noContent: HTTPResponse = HTTPResponse(status: 204)
    static let created: HTTPResponse = HTTPResponse(status: 201)

    static func badRequest(_ reason: String) -> HTTPResponse { error(400, "bad_request", reason) }

    /// The status line, headers and body. `keepAlive` adds `Connection: close`
    /// when false; `omitBody` is for HEAD.
    func serialized(keepAlive: Bool, omitBody: Bool = false) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(for: status))\r\n"
        head += "Server: Warren\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if !omitBody { bytes.append(contentsOf: body) }
        return bytes
    }

    static func reason(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}

/// Decodes `%XX` escapes (and `+` when asked); nil for a malformed escape or
/// a result that is not UTF-8.
func percentDecode(_ text: some StringProtocol, plusIsSpace: Bool = false) -> String? {
    var output: [UInt8] = []
    var bytes = Array(text.utf8)[...]
    while let byte = bytes.popFirst() {
        if byte == UInt8(ascii: "%") {
            guard bytes.count >= 2, let high = hexDigitValue(bytes[bytes.startIndex]),
                  let low = hexDigitValue(bytes[bytes.startIndex + 1]) else { return nil }
            output.append(high << 4 | low)
            bytes = bytes.dropFirst(2)
        } else if plusIsSpace && byte == UInt8(ascii: "+") {
            output.append(UInt8(ascii: " "))
        } else {
            output.append(byte)
        }
    }
    return String(validating: output, as: UTF8.self)
}

/// Escapes everything but unreserved characters (RFC 3986), for Location headers.
func percentEncode(_ text: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var output: [UInt8] = []
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            output.append(byte)
        default:
            output.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
        }
    }
    return String(decoding: output, as: UTF8.self)
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
