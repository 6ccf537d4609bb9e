import AMQPProtocol

/// Routes on message headers instead of the routing key.
///
/// A binding's arguments are the pattern; `x-match` says how it must match:
/// `all` (the default) needs every pattern entry present with an equal value,
/// `any` needs one. Pattern keys starting `x-` are ignored, except with
/// `all-with-x` / `any-with-x`. A pattern value of type void asks only that
/// the header be present. Values compare as Erlang's `==` does (see `ErlangTerm`).
public final class HeadersExchange: Exchange {
    private var patterns: [(pattern: HeadersPattern, destination: Destination)] = []

    init(name: String, durable: Bool = true, autoDelete: Bool = false, internal isInternal: Bool = false,
         arguments: FieldTable = FieldTable()) {
        super.init(name: name, type: .headers, durable: durable, autoDelete: autoDelete,
                   internal: isInternal, arguments: arguments)
    }

    override func validate(_ binding: Binding) throws(AMQPError) {
        guard let value = binding.arguments["x-match"] else { return }
        guard case .longString(let bytes) = value else {
            throw AMQPError(.preconditionFailed,
                            "Invalid x-match field type \(value.erlangTypeName) (value \(value.erlangTerm)); expected longstr")
        }
        guard HeadersPattern.Kind(bytes) != nil else {
            throw AMQPError(.preconditionFailed,
                            "Invalid x-match field value \(value.erlangTerm); expected all, any, all-with-x, or any-with-x")
        }
    }

    override func route(_ input: inout RoutingInput, into collector: inout RouteCollector) -> Int {
        guard !patterns.isEmpty else { return 0 }
        let headers = input.sortedHeaders()
        var matched = 0
        for (pattern, destination) in patterns where pattern.matches(headers) {
            collector.add(destination)
            matched += 1
        }
        return matched
    }

    override func index(_ binding: Binding, to destination: Destination) {
        patterns.append((HeadersPattern(binding.arguments), destination))
    }

    override func unindex(_ binding: Binding, from destination: Destination) {
        let pattern = HeadersPattern(binding.arguments)
        if let position = patterns.firstIndex(where: { $0.pattern == pattern && $0.destination.isSame(as: destination) }) {
            patterns.remove(at: position)
        }
    }
}

/// A headers binding's arguments, prepared for matching: sorted by name and
/// with the keys that take no part removed.
struct HeadersPattern: Equatable {
    enum Kind: Equatable {
        case all, any, allWithX, anyWithX

        init?(_ bytes: [UInt8]) {
            switch String(decoding: bytes, as: UTF8.self) {
            case "all": self = .all
            case "any": self = .any
            case "all-with-x": self = .allWithX
            case "any-with-x": self = .anyWithX
            default: return nil
            }
        }

        var needsAll: Bool { self == .all || self == .allWithX }
        var keepsXKeys: Bool { self == .allWithX || self == .anyWithX }
    }

    let kind: Kind
    let entries: [FieldTable.Entry]

    /// `arguments` must already be sorted by name (as `Binding` keeps them).
    init(_ arguments: FieldTable) {
        var kind = Kind.all
        if case .longString(let bytes)? = arguments["x-match"], let parsed = Kind(bytes) { kind = parsed }
        self.kind = kind
        self.entries = arguments.entries.filter { entry in
            !entry.name.hasSameBytes(as: "x-match") && (kind.keepsXKeys || !entry.name.utf8.starts(with: "x-".utf8))
        }
    }

    /// A merge walk over two name-sorted lists, as RabbitMQ's headers_match does.
    func matches(_ headers: [FieldTable.Entry]) -> Bool {
        var allMatch = true
        var anyMatch = false
        var index = 0
        for wanted in entries {
            if kind.needsAll ? !allMatch : anyMatch { break }
            while index < headers.count, headers[index].name.bytesPrecede(wanted.name) { index += 1 }
            guard index < headers.count, headers[index].name.hasSameBytes(as: wanted.name) else {
                allMatch = false
                continue
            }
            if case .void = wanted.value {
                anyMatch = true
            } else if ErlangTerm.equal(wanted.value, headers[index].value) {
                anyMatch = true
            } else {
                allMatch = false
            }
            index += 1
        }
        return kind.needsAll ? allMatch : anyMatch
    }
}
