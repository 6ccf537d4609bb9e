import AMQPProtocol

/// A binding as the client declared it: from a source exchange to a queue or
/// another exchange, with a routing key and arguments.
///
/// Arguments are kept sorted by name (byte order), as RabbitMQ sorts them, so
/// the same arguments in another order name the same binding.
public struct Binding: Hashable, Sendable {
    public enum Destination: Hashable, Sendable {
        case queue(String)
        case exchange(String)

        public var name: String {
            switch self {
            case .queue(let name), .exchange(let name): name
            }
        }
    }

    public let source: String
    public let destination: Destination
    public let routingKey: String
    public let arguments: FieldTable

    public init(source: String, destination: Destination, routingKey: String, arguments: FieldTable = FieldTable()) {
        self.source = source
        self.destination = destination
        self.routingKey = routingKey
        self.arguments = arguments.sortedByName()
    }
}

extension FieldTable {
    /// The entries sorted by name bytes, stably, as Erlang's `lists:keysort` does.
    func sortedByName() -> FieldTable {
        guard entries.count > 1 else { return self }
        let sorted = entries.enumerated().sorted { left, right in
            if left.element.name.hasSameBytes(as: right.element.name) { return left.offset < right.offset }
            return left.element.name.bytesPrecede(right.element.name)
        }
        return FieldTable(sorted.map(\.element))
    }
}
