import AMQPProtocol

/// Routes by topic pattern (`*` one word, `#` zero or more) through a trie,
/// remembering the result for recently used routing keys.
///
/// The memo is cleared whenever a binding is added or removed, and wholesale
/// when it reaches its capacity: hot keys refill it at once, and a stream of
/// distinct keys costs one clear per `cacheCapacity` publishes.
public final class TopicExchange: Exchange {
    private let trie = TopicTrie()
    @exclusivity(unchecked) private var cache: [ExactKey: [Destination]] = [:]
    private let cacheCapacity: Int

    init(name: String, durable: Bool = true, autoDelete: Bool = false, internal isInternal: Bool = false,
         arguments: FieldTable = FieldTable(), cacheCapacity: Int = 1024) {
        self.cacheCapacity = cacheCapacity
        super.init(name: name, type: .topic, durable: durable, autoDelete: autoDelete,
                   internal: isInternal, arguments: arguments)
    }

    /// How many routing keys have a remembered result (for tests and metrics).
    var cachedKeyCount: Int { cache.count }

    override func route(_ input: inout RoutingInput, into collector: inout RouteCollector) -> Int {
        let key = ExactKey(input.routingKey)
        if let destinations = cache[key] {
            for destination in destinations { collector.add(destination) }
            return destinations.count
        }
        var destinations: [Destination] = []
        let matched = trie.match(input.routingKey) { destinations.append($0) }
        for destination in destinations { collector.add(destination) }
        remember(destinations, for: key)
        return matched
    }

    override func index(_ binding: Binding, to destination: Destination) {
        trie.insert(binding.routingKey, destination)
        cache.removeAll(keepingCapacity: true)
    }

    override func unindex(_ binding: Binding, from destination: Destination) {
        trie.remove(binding.routingKey, destination)
        cache.removeAll(keepingCapacity: true)
    }

    private func remember(_ destinations: [Destination], for key: ExactKey) {
        guard cacheCapacity > 0 else { return }
        if cache.count >= cacheCapacity { cache.removeAll(keepingCapacity: true) }
        cache[key] = destinations
    }
}
