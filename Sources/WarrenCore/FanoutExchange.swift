import AMQPProtocol

/// Routes to every binding, whatever the routing key.
public final class FanoutExchange: Exchange {
    private var destinations: [Destination] = []

    init(name: String, durable: Bool = true, autoDelete: Bool = false, internal isInternal: Bool = false,
         arguments: FieldTable = FieldTable()) {
        super.init(name: name, type: .fanout, durable: durable, autoDelete: autoDelete,
                   internal: isInternal, arguments: arguments)
    }

    override func route(_ input: inout RoutingInput, into collector: inout RouteCollector) -> Int {
        for destination in destinations { collector.add(destination) }
        return destinations.count
    }

    override func index(_ binding: Binding, to destination: Destination) {
        destinations.append(destination)
    }

    override func unindex(_ binding: Binding, from destination: Destination) {
        if let position = destinations.firstIndex(where: { $0.isSame(as: destination) }) {
            destinations.remove(at: position)
        }
    }
}
