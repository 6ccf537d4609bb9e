import AMQPProtocol

/// Routes to the bindings whose key equals the routing key, byte for byte:
/// one hash lookup per publish.
public final class DirectExchange: Exchange {
    private var table: [ExactKey: [Destination]] = [:]

    init(name: String, durable: Bool = true, autoDelete: Bool = false, internal isInternal: Bool = false,
         arguments: FieldTable = FieldTable()) {
        super.init(name: name, type: .direct, durable: durable, autoDelete: autoDelete,
                   internal: isInternal, arguments: arguments)
    }

    override func route(_ input: inout RoutingInput, into collector: inout RouteCollector) -> Int {
        guard let destinations = table[ExactKey(input.routingKey)] else { return 0 }
        for destination in destinations { collector.add(destination) }
        return destinations.count
    }

    override func index(_ binding: Binding, to destination: Destination) {
        table[ExactKey(binding.routingKey), default: []].append(destination)
    }

    override func unindex(_ binding: Binding, from destination: Destination) {
        let key = ExactKey(binding.routingKey)
        guard var destinations = table[key],
              let position = destinations.firstIndex(where: { $0.isSame(as: destination) }) else { return }
        destinations.remove(at: position)
        table[key] = destinations.isEmpty ? nil : destinations
    }
}

/// The nameless default exchange: every queue is implicitly bound to it by
/// its own name, and nothing else can be bound to it.
public final class DefaultExchange: Exchange {
    private let queues: QueueRegistry

    init(queues: QueueRegistry) {
        self.queues = queues
        super.init(name: "", type: .direct)
    }

    override func route(_ input: inout RoutingInput, into collector: inout RouteCollector) -> Int {
        guard let queue = queues[input.routingKey] else { return 0 }
        collector.add(queue)
        return 1
    }
}
