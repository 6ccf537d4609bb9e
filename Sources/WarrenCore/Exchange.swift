import AMQPProtocol

/// The exchange types Warren routes, by their AMQP names.
public enum ExchangeType: String, Sendable, CaseIterable {
    case direct, fanout, topic, headers
}

/// An exchange: the identity, flags and bindings every type shares.
///
/// Each type is a subclass in its own file that overrides the routing hooks
/// (`route`, `index`, `unindex`, and `validate` where the type checks binding
/// arguments). The class is public so the server can read it, but only this
/// module can subclass it.
public class Exchange {
    public let name: String
    public let type: ExchangeType
    public let isDurable: Bool
    public let isAutoDelete: Bool
    public let isInternal: Bool
    public let arguments: FieldTable
    /// The `alternate-exchange` argument: where messages go that match no binding.
    let alternateExchange: String?

    /// Bindings with this exchange as source, in the order they were made.
    public private(set) var bindings = BindingList()
    /// Bindings with this exchange as destination (exchange-to-exchange).
    var incomingBindings = BindingList()
    /// Routing's visited mark: equal to the router's epoch once seen in this publish.
    @exclusivity(unchecked) var routeEpoch: UInt64 = 0
    var isDeleted = false

    init(name: String, type: ExchangeType, durable: Bool = true, autoDelete: Bool = false,
         internal isInternal: Bool = false, arguments: FieldTable = FieldTable()) {
        self.name = name
        self.type = type
        self.isDurable = durable
        self.isAutoDelete = autoDelete
        self.isInternal = isInternal
        self.arguments = arguments
        self.alternateExchange = arguments["alternate-exchange"]?.stringValue
    }

    /// Makes an exchange of `type`.
    static func make(name: String, type: ExchangeType, durable: Bool, autoDelete: Bool, internal isInternal: Bool,
                     arguments: FieldTable, topicCacheCapacity: Int) -> Exchange {
        switch type {
        case .direct:
            DirectExchange(name: name, durable: durable, autoDelete: autoDelete, internal: isInternal, arguments: arguments)
        case .fanout:
            FanoutExchange(name: name, durable: durable, autoDelete: autoDelete, internal: isInternal, arguments: arguments)
        case .topic:
            TopicExchange(name: name, durable: durable, autoDelete: autoDelete, internal: isInternal,
                          arguments: arguments, cacheCapacity: topicCacheCapacity)
        case .headers:
            HeadersExchange(name: name, durable: durable, autoDelete: autoDelete, internal: isInternal, arguments: arguments)
        }
    }

    // MARK: Hooks for each type

    /// Refuses binding arguments this type cannot accept (406).
    func validate(_ binding: Binding) throws(AMQPError) {}

    /// Adds the destinations of every matching binding to `collector` and
    /// returns how many bindings matched, duplicates included (the alternate
    /// exchange is used only when that is zero).
    func route(_ input: inout RoutingInput, into collector: inout RouteCollector) -> Int { 0 }

    /// Adds one binding to the type's routing index.
    func index(_ binding: Binding, to destination: Destination) {}

    /// Removes one binding from the type's routing index.
    func unindex(_ binding: Binding, from destination: Destination) {}

    // MARK: Bindings

    /// Records and indexes a new binding; false when it already exists.
    final func addBinding(_ binding: Binding, to destination: Destination) -> Bool {
        guard bindings.insert(binding) else { return false }
        index(binding, to: destination)
        return true
    }

    /// Forgets and unindexes a binding; false when there was none.
    final func removeBinding(_ binding: Binding, from destination: Destination) -> Bool {
        guard bindings.remove(binding) else { return false }
        unindex(binding, from: destination)
        return true
    }
}

/// Where a binding leads, resolved to the object that routing hands messages to.
enum Destination {
    case queue(Queue)
    case exchange(Exchange)

    func isSame(as other: Destination) -> Bool {
        switch (self, other) {
        case (.queue(let a), .queue(let b)): a === b
        case (.exchange(let a), .exchange(let b)): a === b
        default: false
        }
    }
}

/// What routing looks at: the routing key and, for headers exchanges, the
/// message headers, decoded and sorted at most once per publish.
struct RoutingInput {
    let routingKey: String
    let message: Message
    private var headers: [FieldTable.Entry]?

    init(routingKey: String, message: Message) {
        self.routingKey = routingKey
        self.message = message
    }

    mutating func sortedHeaders() -> [FieldTable.Entry] {
        if let headers { return headers }
        let sorted = message.headers?.sortedByName().entries ?? []
        headers = sorted
        return sorted
    }
}

/// Bindings in the order they were made, with O(1) membership.
public struct BindingList: Sequence {
    public private(set) var ordered: [Binding] = []
    private var members: Set<Binding> = []

    public var count: Int { ordered.count }
    public var isEmpty: Bool { ordered.isEmpty }
    public func contains(_ binding: Binding) -> Bool { members.contains(binding) }
    public func makeIterator() -> IndexingIterator<[Binding]> { ordered.makeIterator() }

    mutating func insert(_ binding: Binding) -> Bool {
        guard members.insert(binding).inserted else { return false }
        ordered.append(binding)
        return true
    }

    mutating func remove(_ binding: Binding) -> Bool {
        guard members.remove(binding) != nil else { return false }
        if let index = ordered.firstIndex(of: binding) { ordered.remove(at: index) }
        return true
    }
}
