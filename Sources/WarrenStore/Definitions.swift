/// The flags of a durable exchange, as declared.
public struct ExchangeFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let durable = ExchangeFlags(rawValue: 1 << 0)
    public static let autoDelete = ExchangeFlags(rawValue: 1 << 1)
    public static let `internal` = ExchangeFlags(rawValue: 1 << 2)
}

/// The flags of a durable queue, as declared.
public struct QueueFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let durable = QueueFlags(rawValue: 1 << 0)
    public static let exclusive = QueueFlags(rawValue: 1 << 1)
    public static let autoDelete = QueueFlags(rawValue: 1 << 2)
}

/// A durable exchange. `arguments` is the declare's argument table in the server's
/// encoding; the store never looks inside.
public struct ExchangeDefinition: Sendable, Hashable {
    public var vhost: String
    public var name: String
    /// "direct", "fanout", "topic", "headers", or a plugin type name.
    public var type: String
    public var flags: ExchangeFlags
    public var arguments: [UInt8]

    public init(vhost: String, name: String, type: String, flags: ExchangeFlags = .durable, arguments: [UInt8] = []) {
        self.vhost = vhost
        self.name = name
        self.type = type
        self.flags = flags
        self.arguments = arguments
    }
}

public struct QueueDefinition: Sendable, Hashable {
    public var vhost: String
    public var name: String
    public var flags: QueueFlags
    public var arguments: [UInt8]

    public init(vhost: String, name: String, flags: QueueFlags = .durable, arguments: [UInt8] = []) {
        self.vhost = vhost
        self.name = name
        self.flags = flags
        self.arguments = arguments
    }
}

/// A binding from an exchange to a queue (queue.bind) or to an exchange (exchange.bind).
/// Two bindings are the same binding when every field is equal, as in RabbitMQ.
public struct BindingDefinition: Sendable, Hashable {
    public enum DestinationKind: UInt8, Sendable, Hashable {
        case queue = 0
        case exchange = 1
    }

    public var vhost: String
    public var source: String
    public var destination: String
    public var destinationKind: DestinationKind
    public var routingKey: String
    public var arguments: [UInt8]

    public init(vhost: String, source: String, destination: String, destinationKind: DestinationKind = .queue,
                routingKey: String, arguments: [UInt8] = []) {
        self.vhost = vhost
        self.source = source
        self.destination = destination
        self.destinationKind = destinationKind
        self.routingKey = routingKey
        self.arguments = arguments
    }
}

/// One change to the durable definitions, as appended to the definitions log.
///
/// Deleting an exchange also drops every binding from or to it, and deleting a queue
/// every binding to it, when the log is replayed; the server need not log those
/// unbinds itself (logging them anyway is harmless).
public enum DefinitionChange: Sendable, Hashable {
    case declareExchange(ExchangeDefinition)
    case deleteExchange(vhost: String, name: String)
    case declareQueue(QueueDefinition)
    case deleteQueue(vhost: String, name: String)
    case bind(BindingDefinition)
    case unbind(BindingDefinition)
}

/// The live durable definitions, each kind in first-declaration order.
public struct Definitions: Sendable, Equatable {
    public var exchanges: [ExchangeDefinition] = []
    public var queues: [QueueDefinition] = []
    public var bindings: [BindingDefinition] = []

    public init(exchanges: [ExchangeDefinition] = [], queues: [QueueDefinition] = [], bindings: [BindingDefinition] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }
}

/// Replays changes into the live set. Redeclaring keeps an entity's original position.
struct DefinitionSet {
    private struct Name: Hashable {
        var vhost: String
        var name: String
    }

    private var exchanges: [Name: (order: Int, value: ExchangeDefinition)] = [:]
    private var queues: [Name: (order: Int, value: QueueDefinition)] = [:]
    private var bindings: [BindingDefinition: Int] = [:]
    private var nextOrder = 0

    mutating func apply(_ change: DefinitionChange) {
        nextOrder += 1
        switch change {
        case .declareExchange(let exchange):
            let name = Name(vhost: exchange.vhost, name: exchange.name)
            exchanges[name] = (exchanges[name]?.order ?? nextOrder, exchange)
        case .deleteExchange(let vhost, let name):
            exchanges[Name(vhost: vhost, name: name)] = nil
            bindings = bindings.filter { binding, _ in
                binding.vhost != vhost || (binding.source != name
                    && !(binding.destinationKind == .exchange && binding.destination == name))
            }
        case .declareQueue(let queue):
            let name = Name(vhost: queue.vhost, name: queue.name)
            queues[name] = (queues[name]?.order ?? nextOrder, queue)
        case .deleteQueue(let vhost, let name):
            queues[Name(vhost: vhost, name: name)] = nil
            bindings = bindings.filter { binding, _ in
                binding.vhost != vhost || !(binding.destinationKind == .queue && binding.destination == name)
            }
        case .bind(let binding):
            if bindings[binding] == nil { bindings[binding] = nextOrder }
        case .unbind(let binding):
            bindings[binding] = nil
        }
    }

    var definitions: Definitions {
        Definitions(
            exchanges: exchanges.values.sorted { $0.order < $1.order }.map(\.value),
            queues: queues.values.sorted { $0.order < $1.order }.map(\.value),
            bindings: bindings.sorted { $0.value < $1.value }.map(\.key))
    }

    /// The changes that rebuild this set from nothing: what a compacted log holds.
    var declarations: [DefinitionChange] {
        let live = definitions
        return live.exchanges.map { .declareExchange($0) } + live.queues.map { .declareQueue($0) }
            + live.bindings.map { .bind($0) }
    }
}
