/// Where and how to connect: the parts of an AMQP URI, plus client settings.
///
/// `ConnectionConfiguration(url:)` follows the AMQP URI spec
/// (https://www.rabbitmq.com/docs/uri-spec) with pika's reading of the path:
///
/// | URL | virtual host |
/// |---|---|
/// | `amqp://host`, `amqp://host/` | `/` |
/// | `amqp://host/%2F` | `/` |
/// | `amqp://host/vh` | `vh` |
/// | `amqp://host/a%2Fb` | `a/b` |
///
/// Username, password, host and vhost are percent-decoded. Query parameters
/// `heartbeat` (seconds), `frame_max` (bytes), `channel_max` and
/// `connection_timeout` (milliseconds) are understood; others are ignored, as
/// the spec allows. `amqps` is refused: this client has no TLS.
public struct ConnectionConfiguration: Hashable, Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var virtualHost: String
    /// The heartbeat interval to ask for, in seconds; 0 turns heartbeats off;
    /// nil takes the broker's proposal.
    public var heartbeat: UInt16?
    /// The largest frame to ask for; nil takes the broker's proposal.
    public var frameMax: UInt32?
    /// The most channels to ask for; nil takes the broker's proposal.
    public var channelMax: UInt16?
    /// How long TCP connect plus handshake may take, in milliseconds.
    public var connectionTimeoutMilliseconds: Int
    /// Shown by the broker as the connection's name (`connection_name`).
    public var connectionName: String?

    public init(
        host: String = "localhost", port: Int = 5672, username: String = "guest", password: String = "guest",
        virtualHost: String = "/", heartbeat: UInt16? = nil, frameMax: UInt32? = nil, channelMax: UInt16? = nil,
        connectionTimeoutMilliseconds: Int = 10_000, connectionName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeat = heartbeat
        self.frameMax = frameMax
        self.channelMax = channelMax
        self.connectionTimeoutMilliseconds = connectionTimeoutMilliseconds
        self.connectionName = connectionName
    }

    /// Parses an `amqp://user:password@host:port/vhost?heartbeat=10` URL.
    public init(url: String) throws(ClientError) {
        self.init()
        guard let schemeEnd = url.firstRange(of: "://") else { throw .invalidURL("\(url): no scheme") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "amqp" else {
            throw .invalidURL(scheme == "amqps" ? "amqps (TLS) is not supported" : "unknown scheme \(scheme)")
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var path: Substring?
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            try parseUserInfo(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        try parseHostAndPort(rest)
        if let path, !path.isEmpty {
            guard !path.contains("/") else { throw .invalidURL("the vhost \"\(path)\" must encode \"/\" as %2F") }
            virtualHost = try percentDecoded(path)
        }
        try parseQuery(query)
    }

    private mutating func parseUserInfo(_ userInfo: Substring) throws(ClientError) {
        if let colon = userInfo.firstIndex(of: ":") {
            username = try percentDecoded(userInfo[..<colon])
            password = try percentDecoded(userInfo[userInfo.index(after: colon)...])
        } else {
            username = try percentDecoded(userInfo)
        }
    }

    private mutating func parseHostAndPort(_ authority: Substring) throws(ClientError) {
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL("unclosed [ in host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty {
                throw .invalidURL("unexpected \"\(after)\" after the host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        let decodedHost = try percentDecoded(hostPart)
        if !decodedHost.isEmpty { host = decodedHost }
        if let portPart, !portPart.isEmpty {
            guard let number = Int(portPart), (1...65535).contains(number) else {
                throw .invalidURL("port \"\(portPart)\" is not a number from 1 to 65535")
            }
            port = number
        }
    }

    private mutating func parseQuery(_ query: Substring) throws(ClientError) {
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try percentDecoded(parts[0])
            let value = parts.count > 1 ? try percentDecoded(parts[1]) : ""
            switch name {
            case "heartbeat": heartbeat = try Self.number(value, name)
            case "frame_max": frameMax = try Self.number(value, name)
            case "channel_max": channelMax = try Self.number(value, name)
            case "connection_timeout": connectionTimeoutMilliseconds = try Self.number(value, name)
            default: continue  // the spec lets clients ignore what they do not know
            }
        }
    }

    private static func number<N: FixedWidthInteger>(_ text: String, _ name: String) throws(ClientError) -> N {
        guard let value = N(text), value >= 0 else {
            throw .invalidURL("\(name)=\(text) is not a number from 0 to \(N.max)")
        }
        return value
    }
}

/// Decodes `%XX` escapes into bytes, then the bytes as UTF-8. A `%` not
/// followed by two hex digits is an error; `+` is left alone (it is not a
/// space outside form encoding).
func percentDecoded(_ text: Substring) throws(ClientError) -> String {
    guard text.contains("%") else { return String(text) }
    var bytes: [UInt8] = []
    var utf8 = text.utf8[...]
    while let byte = utf8.popFirst() {
        guard byte == UInt8(ascii: "%") else {
            bytes.append(byte)
            continue
        }
        guard let high = utf8.popFirst().flatMap(hexValue), let low = utf8.popFirst().flatMap(hexValue) else {
            throw .invalidURL("bad percent escape in \"\(text)\"")
        }
        bytes.append(high << 4 | low)
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
}
