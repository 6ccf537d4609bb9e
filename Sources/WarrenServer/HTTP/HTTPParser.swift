/// Why a request could not be read. Each maps to the status Warren answers
/// with before it closes the connection (the stream is no longer trusted).
enum HTTPParseError: Error, Equatable {
    case malformed(String)
    case requestLineTooLong
    case headersTooLarge
    case bodyTooLarge
    /// A chunked body: Warren needs Content-Length.
    case lengthRequired
    /// A transfer coding other than chunked.
    case unsupportedTransferCoding(String)
    case versionNotSupported

    var status: Int {
        switch self {
        case .malformed: 400
        case .requestLineTooLong: 414
        case .headersTooLarge: 431
        case .bodyTooLarge: 413
        case .lengthRequired: 411
        case .unsupportedTransferCoding: 501
        case .versionNotSupported: 505
        }
    }

    var reason: String {
        switch self {
        case .malformed(let what): what
        case .requestLineTooLong: "request line too long"
        case .headersTooLarge: "request header fields too large"
        case .bodyTooLarge: "request body too large"
        case .lengthRequired: "chunked request bodies are not supported: send Content-Length"
        case .unsupportedTransferCoding(let coding): "transfer coding '\(coding)' is not supported"
        case .versionNotSupported: "only HTTP/1.0 and HTTP/1.1 are supported"
        }
    }
}

/// An HTTP/1.x request parser in the manner of Warren's frame splitter: an
/// explicit state machine over its own buffer that resumes wherever the
/// bytes were split, and checks each limit before buffering what it limits
/// (request line, header block, header count, then the body from its
/// Content-Length). Bodies are Content-Length only; chunked is refused (411),
/// so a body is never misread as the next request.
struct HTTPRequestParser {
    enum State: Equatable {
        case requestLine
        case headers
        case body(remaining: Int)
        /// A parse error was reported; nothing more is read.
        case failed
    }

    enum Event {
        case request(HTTPRequest)
        /// Headers asked for `100-continue` and the body has not arrived: answer
        /// `100 Continue` now so the client sends it.
        case continueExpected
    }

    let limits: HTTPConfiguration
    private(set) var state = State.requestLine
    private var buffer: [UInt8] = []
    /// Start of the bytes not yet consumed.
    private var readIndex = 0
    /// Where the search for the next line feed resumes.
    private var scanIndex = 0
    private var request: HTTPRequest?
    private var headerBytes = 0
    private var continuePending = false

    init(limits: HTTPConfiguration) {
        self.limits = limits
    }

    /// True once any byte of a request that is not complete has arrived.
    var isMidRequest: Bool { state != .requestLine || readIndex < buffer.count }

    /// Lets the socket append straight into the buffer; consumed bytes are
    /// dropped first when they are most of it.
    mutating func withAppendableBuffer<Result>(_ body: (inout [UInt8]) -> Result) -> Result {
        if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
        return body(&buffer)
    }

    /// The next complete request or event in the buffer, or nil when more bytes are needed.
    mutating func next() throws(HTTPParseError) -> Event? {
        do {
            return try advance()
        } catch {
            state = .failed
            throw error
        }
    }

    private mutating func advance() throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .failed:
                return nil
            case .requestLine:
                guard let line = try nextLine(limit: limits.maximumRequestLineBytes, tooLong: .requestLineTooLong) else {
                    return nil
                }
                if line.isEmpty { continue }  // RFC 9112 §2.2: ignore empty lines before a request
                request = try Self.parseRequestLine(line)
                headerBytes = 0
                state = .headers
            case .headers:
                let room = limits.maximumHeaderBytes - headerBytes
                guard let line = try nextLine(limit: room, tooLong: .headersTooLarge) else { return nil }
                headerBytes += line.count + 2
                if line.isEmpty {
                    if let event = try headersComplete() { return event }
                    continue
                }
                guard var current = request else { throw .malformed("header without a request") }
                guard current.headers.count < limits.maximumHeaderCount else { throw .headersTooLarge }
                current.headers.append(try Self.parseHeader(line))
                request = current
            case .body(let remaining):
                guard buffer.count - readIndex >= remaining else {
                    if continuePending {
                        continuePending = false
                        return .continueExpected
                    }
                    return nil
                }
                request?.body = Array(buffer[readIndex..<readIndex + remaining])
                readIndex += remaining
                scanIndex = readIndex
                return finish()
            }
        }
    }

    private mutating func finish() -> Event? {
        state = .requestLine
        continuePending = false
        defer { request = nil }
        return request.map { .request($0) }
    }

    /// The next line without its CRLF (or bare LF), or nil when it has not all
    /// arrived. A line (or partial line) longer than `limit` is `tooLong`.
    private mutating func nextLine(limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        let searchEnd = min(buffer.count, readIndex + max(limit, 0) + 2)
        var index = scanIndex
        while index < searchEnd, buffer[index] != 0x0A { index += 1 }
        guard index < searchEnd else {
            scanIndex = index
            if buffer.count - readIndex > limit + 1 { throw tooLong }
            return nil
        }
        var line = buffer[readIndex..<index]
        if line.last == 0x0D { line = line.dropLast() }
        guard line.count <= limit else { throw tooLong }
        guard !line.contains(0x0D) else { throw .malformed("bare CR in request") }
        readIndex = index + 1
        scanIndex = readIndex
        return line
    }

    /// `method SP request-target SP HTTP-version`, each part checked.
    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("malformed request line") }
        guard !parts[0].isEmpty, parts[0].count <= 32, parts[0].allSatisfy(isTokenByte) else {
            throw .malformed("malformed method")
        }
        let target = parts[1]
        guard let first = target.first, first == UInt8(ascii: "/") || (target.count == 1 && first == UInt8(ascii: "*")),
              target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("malformed request target")
        }
        let version = Array(parts[2])
        let prefix = Array("HTTP/".utf8)
        guard version.count == 8, version.starts(with: prefix), version[6] == UInt8(ascii: "."),
              let major = digit(version[5]), let minor = digit(version[7]) else {
            throw .malformed("malformed HTTP version")
        }
        guard major == 1, minor <= 1 else { throw .versionNotSupported }
        return HTTPRequest(method: String(decoding: parts[0], as: UTF8.self),
                           target: String(decoding: target, as: UTF8.self), minorVersion: Int(minor), headers: [])
    }

    /// `name: value`; no space before the colon, no obsolete line folding, no control characters.
    private static func parseHeader(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: String, value: String) {
        guard let first = line.first, first != 0x20, first != 0x09 else { throw .malformed("obsolete header line folding") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed("header without a colon") }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw .malformed("malformed header name") }
        let value = line[(colon + 1)...]
        guard value.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else {
            throw .malformed("control character in header value")
        }
        return (String(decoding: name, as: UTF8.self).lowercased(),
                String(decoding: value, as: UTF8.self).trimmingSpaces())
    }

    /// Decides how the body is framed, checking its size before reading it.
    private mutating func headersComplete() throws(HTTPParseError) -> Event? {
        guard let current = request else { throw .malformed("no request") }
        let codings = current.headerTokens("transfer-encoding")
        if let last = codings.last {
            throw last == "chunked" ? .lengthRequired : .unsupportedTransferCoding(last)
        }
        if current.minorVersion >= 1 {
            guard current.headers.filter({ $0.name == "host" }).count == 1 else {
                throw .malformed("HTTP/1.1 requests need exactly one Host header")
            }
        }
        let length = try Self.contentLength(of: current)
        guard length <= limits.maximumBodyBytes else { throw .bodyTooLarge }
        guard length > 0 else { return finish() }
        state = .body(remaining: length)
        continuePending = current.headerTokens("expect").contains("100-continue")
        return nil
    }

    /// Content-Length: every value (repeated or in a list) the same decimal number.
    private static func contentLength(of request: HTTPRequest) throws(HTTPParseError) -> Int {
        let values = request.headerTokens("content-length")
        guard let first = values.first else { return 0 }
        guard values.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 18,
              first.utf8.allSatisfy({ digit($0) != nil }), let length = Int(first) else {
            throw .malformed("invalid Content-Length")
        }
        return length
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            tokenPunctuation.contains(byte)
        }
    }

    private static let tokenPunctuation: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)
}
