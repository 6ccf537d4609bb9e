/// The scratch state of one routing pass: the queues reached so far and the
/// exchanges still to visit, reused from publish to publish.
///
/// Deduplication costs no set: each queue and exchange carries the epoch of
/// the last pass that reached it, so a message reaches a queue at most once
/// however many bindings match, and an exchange cycle is walked once.
struct RouteCollector {
    private(set) var queues: [Queue] = []
    private var exchanges: [Exchange] = []
    private var nextExchangeIndex = 0
    private var epoch: UInt64 = 0

    /// Starts a pass at `source`.
    mutating func begin(at source: Exchange) {
        queues.removeAll(keepingCapacity: true)
        exchanges.removeAll(keepingCapacity: true)
        nextExchangeIndex = 0
        epoch &+= 1
        source.routeEpoch = epoch
        exchanges.append(source)
    }

    mutating func add(_ destination: Destination) {
        switch destination {
        case .queue(let queue): add(queue)
        case .exchange(let exchange): add(exchange)
        }
    }

    mutating func add(_ queue: Queue) {
        guard queue.routeEpoch != epoch else { return }
        queue.routeEpoch = epoch
        queues.append(queue)
    }

    mutating func add(_ exchange: Exchange) {
        guard exchange.routeEpoch != epoch else { return }
        exchange.routeEpoch = epoch
        exchanges.append(exchange)
    }

    /// The next exchange reached but not yet routed through.
    mutating func nextExchange() -> Exchange? {
        guard nextExchangeIndex < exchanges.count else { return nil }
        defer { nextExchangeIndex += 1 }
        return exchanges[nextExchangeIndex]
    }
}
