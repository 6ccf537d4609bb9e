import AMQPProtocol
import Testing
@testable import WarrenCore

/// Random sequences of publish, consume, cancel, get, ack, nack, reject,
/// recover, qos, purge and channel close, checked step by step against a
/// plain reference model. Every copy of every published message (one per
/// queue it was routed to) is at every moment in exactly one state: ready
/// in its queue (in original order), unacked on one session, acked, purged
/// or discarded; and no queue holds ready messages while one of its
/// consumers has credit.
struct ModelBasedTests {
    @Test(arguments: 0..<60)
    func randomOperationsConserveMessages(seed: UInt64) throws {
        var harness = try Harness(seed: seed)
        for _ in 0..<400 { try harness.step() }
        try harness.settleEverything()
        #expect(harness.model.issues.isEmpty, "seed \(seed): \(harness.model.issues.prefix(3))")
    }
}

private struct CopyID: Hashable {
    let message: Int
    let queue: String
}

private enum CopyState: Equatable {
    case ready, unacked(session: Int, tag: UInt64), acked, purged, discarded
}

private struct ConsumerModel {
    let queue: String
    let noAck: Bool
    let prefetch: Int
}

private final class Model {
    var states: [CopyID: CopyState] = [:]
    var order: [CopyID: Int] = [:]
    var deliveries: [CopyID: Int] = [:]
    var nextOrder = 0
    var unacked: [[UInt64: (copy: CopyID, consumer: String?)]] = []
    var consumers: [[String: ConsumerModel]] = []
    var consumerPrefetch: [Int] = []
    var globalPrefetch: [Int] = []
    var issues: [String] = []

    func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { issues.append(message()) }
    }

    func consumerUnacked(_ session: Int, tag: String) -> Int {
        unacked[session].values.filter { $0.consumer == tag }.count
    }

    func globalUnacked(_ session: Int) -> Int { unacked[session].values.filter { $0.consumer != nil }.count }

    func hasCredit(_ session: Int, tag: String, _ consumer: ConsumerModel) -> Bool {
        if consumer.noAck { return true }
        if consumer.prefetch > 0, consumerUnacked(session, tag: tag) >= consumer.prefetch { return false }
        return globalPrefetch[session] == 0 || globalUnacked(session) < globalPrefetch[session]
    }

    /// A delivery seen by session `session`'s sink.
    func observe(_ delivery: Delivery, session: Int) {
        guard let consumer = consumers[session][delivery.consumerTag] else {
            let owners = consumers.indices.filter { consumers[$0][delivery.consumerTag] != nil }
            return check(false, "delivery to unknown consumer \(delivery.consumerTag) on \(session), known on \(owners) \(delivery.deliveryTag) \(delivery.text)")
        }
        let copy = CopyID(message: Int(delivery.text) ?? -1, queue: consumer.queue)
        check(states[copy] == .ready, "delivered \(copy) in state \(String(describing: states[copy]))")
        check(hasCredit(session, tag: delivery.consumerTag, consumer), "delivered beyond prefetch to \(delivery.consumerTag)")
        check(delivery.redelivered == ((deliveries[copy] ?? 0) > 0), "redelivered flag wrong for \(copy)")
        deliveries[copy, default: 0] += 1
        if consumer.noAck {
            states[copy] = .acked
        } else {
            states[copy] = .unacked(session: session, tag: delivery.deliveryTag)
            unacked[session][delivery.deliveryTag] = (copy, delivery.consumerTag)
        }
    }

    /// Applies a settlement the model expects to succeed.
    func settle(_ session: Int, tags: [UInt64], requeue: Bool?) {
        for tag in tags {
            guard let (copy, _) = unacked[session].removeValue(forKey: tag) else { continue }
            switch requeue {
            case nil: states[copy] = .acked
            case true?: states[copy] = .ready
            case false?: states[copy] = .discarded
            }
        }
    }
}

private struct Harness {
    let vhost = makeVirtualHost()
    let model = Model()
    var random: SeededGenerator
    var sessions: [Session] = []
    var nextMessage = 0
    var nextTag = 0
    let queues = ["q0", "q1", "q2"]
    /// Which queues each route reaches.
    let routes: [(exchange: String, key: String, queues: [String])] = [
        ("fan", "", ["q0", "q1"]), ("amq.direct", "k", ["q1", "q2"]), ("", "q2", ["q2"]), ("amq.direct", "none", []),
    ]

    init(seed: UInt64) throws {
        random = SeededGenerator(seed: seed)
        try vhost.declareExchange(name: "fan", type: "fanout")
        for name in queues { try vhost.makeQueue(name) }
        try vhost.bind("q0", to: "fan")
        try vhost.bind("q1", to: "fan")
        try vhost.bind("q1", to: "amq.direct", "k")
        try vhost.bind("q2", to: "amq.direct", "k")
        for index in 0..<3 { openSession(index) }
    }

    mutating func openSession(_ index: Int) {
        let sink = RecordingSink()
        let model = self.model
        sink.onDeliver = { model.observe($0, session: index) }
        let session = Session(connection: ConnectionID(UInt64(index % 2)), virtualHost: vhost, sink: sink)
        if index < sessions.count {
            sessions[index] = session
            model.unacked[index] = [:]
            model.consumers[index] = [:]
            model.consumerPrefetch[index] = 0
            model.globalPrefetch[index] = 0
        } else {
            sessions.append(session)
            model.unacked.append([:])
            model.consumers.append([:])
            model.consumerPrefetch.append(0)
            model.globalPrefetch.append(0)
        }
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(random.next() % UInt64(items.count))]
    }

    mutating func step() throws {
        let session = Int(random.next() % 3)
        switch random.next() % 100 {
        case 0..<30: try publish()
        case 30..<38: try consume(session)
        case 38..<42: cancel(session)
        case 42..<50: try get(session)
        case 50..<68: try settle(session, requeue: nil)
        case 68..<76: try settle(session, requeue: true)
        case 76..<80: try settle(session, requeue: false)
        case 80..<85: try qos(session)
        case 85..<88: try purge()
        case 88..<90: try recover(session)
        case 90..<92: close(session)
        default: try unknownTag(session)
        }
        verify()
    }

    mutating func publish() throws {
        guard let route = pick(routes) else { return }
        let id = nextMessage
        nextMessage += 1
        for queue in route.queues {
            let copy = CopyID(message: id, queue: queue)
            model.states[copy] = .ready
            model.order[copy] = model.nextOrder
            model.nextOrder += 1
        }
        let result = try vhost.send(route.exchange, route.key, "\(id)")
        model.check(result.queueCount == route.queues.count, "routed \(id) to \(result.queueCount) queues")
    }

    mutating func consume(_ session: Int) throws {
        guard let queue = pick(queues) else { return }
        let tag = "c\(nextTag)"
        nextTag += 1
        let noAck = random.next() % 4 == 0
        model.consumers[session][tag] = ConsumerModel(queue: queue, noAck: noAck,
                                                      prefetch: noAck ? 0 : model.consumerPrefetch[session])
        try vhost.consume(queue: queue, tag: tag, noAck: noAck, session: sessions[session])
    }

    mutating func cancel(_ session: Int) {
        guard let tag = pick(Array(model.consumers[session].keys).sorted()) else { return }
        model.consumers[session][tag] = nil
        vhost.cancel(tag: tag, session: sessions[session])
    }

    mutating func get(_ session: Int) throws {
        guard let queue = pick(queues) else { return }
        let noAck = random.next() % 3 == 0
        let ready = model.states.filter { $0.key.queue == queue && $0.value == .ready }
        let first = ready.keys.min { model.order[$0, default: 0] < model.order[$1, default: 0] }
        let result = try vhost.get(queue: queue, noAck: noAck, session: sessions[session])
        guard let first else { return model.check(result == nil, "get on empty \(queue) returned a message") }
        guard let result else { return model.check(false, "get on \(queue) returned nothing") }
        model.check(result.delivery.text == "\(first.message)", "get returned \(result.delivery.text), not \(first)")
        model.check(result.delivery.redelivered == ((model.deliveries[first] ?? 0) > 0), "get redelivered flag")
        model.deliveries[first, default: 0] += 1
        if noAck {
            model.states[first] = .acked
        } else {
            model.states[first] = .unacked(session: session, tag: result.delivery.deliveryTag)
            model.unacked[session][result.delivery.deliveryTag] = (first, nil)
        }
    }

    mutating func settle(_ session: Int, requeue: Bool?) throws {
        let outstanding = model.unacked[session].keys.sorted()
        guard let tag = pick(outstanding) else { return }
        let multiple = random.next() % 4 == 0
        let everything = multiple && random.next() % 4 == 0
        let tags = everything ? outstanding : multiple ? outstanding.filter { $0 <= tag } : [tag]
        model.settle(session, tags: tags, requeue: requeue)
        let sent = everything ? 0 : tag
        switch requeue {
        case nil: try sessions[session].ack(deliveryTag: sent, multiple: multiple)
        case let requeue?:
            if multiple || random.next() % 2 == 0 {
                try sessions[session].nack(deliveryTag: sent, multiple: multiple, requeue: requeue)
            } else {
                try sessions[session].reject(deliveryTag: sent, requeue: requeue)
            }
        }
    }

    mutating func qos(_ session: Int) throws {
        let count = Int(random.next() % 4)
        let global = random.next() % 2 == 0
        if global {
            model.globalPrefetch[session] = count
        } else {
            model.consumerPrefetch[session] = count
            model.globalPrefetch[session] = 0
        }
        try sessions[session].qos(prefetchCount: UInt16(count), global: global)
    }

    mutating func purge() throws {
        guard let queue = pick(queues) else { return }
        var expected = 0
        for (copy, state) in model.states where copy.queue == queue && state == .ready {
            model.states[copy] = .purged
            expected += 1
        }
        let purged = try vhost.purgeQueue(name: queue, connection: connectionA)
        model.check(Int(purged) == expected, "purged \(purged) from \(queue), expected \(expected)")
    }

    mutating func recover(_ session: Int) throws {
        model.settle(session, tags: Array(model.unacked[session].keys), requeue: true)
        try sessions[session].recover(requeue: true)
    }

    mutating func close(_ session: Int) {
        model.consumers[session] = [:]
        model.settle(session, tags: Array(model.unacked[session].keys), requeue: true)
        sessions[session].close()
        openSession(session)
    }

    mutating func unknownTag(_ session: Int) throws {
        let bogus = UInt64(1_000_000 + random.next() % 1000)
        do {
            try sessions[session].ack(deliveryTag: bogus)
            model.check(false, "ack of unknown tag \(bogus) succeeded")
        } catch {
            model.check(error == AMQPError(.preconditionFailed, "unknown delivery tag \(bogus)"), "wrong error \(error)")
        }
    }

    /// Acks whatever is left, closes everything, and checks the books balance.
    mutating func settleEverything() throws {
        for index in sessions.indices {
            for tag in model.consumers[index].keys.sorted() { vhost.cancel(tag: tag, session: sessions[index]) }
            model.consumers[index] = [:]
        }
        for index in sessions.indices {
            model.settle(index, tags: Array(model.unacked[index].keys), requeue: nil)
            try sessions[index].ack(deliveryTag: 0, multiple: true)
            sessions[index].close()
        }
        verify()
        let ready = model.states.values.filter { $0 == .ready }.count
        let actualReady = queues.compactMap { vhost.queue(named: $0)?.messageCount }.reduce(0, +)
        model.check(ready == actualReady, "ready \(actualReady), model \(ready)")
        model.check(!model.states.values.contains { if case .unacked = $0 { true } else { false } }, "unacked left")
    }

    func verify() {
        for name in queues {
            guard let queue = vhost.queue(named: name) else { return model.check(false, "queue \(name) vanished") }
            let expected = model.states.filter { $0.key.queue == name && $0.value == .ready }.keys
                .sorted { model.order[$0, default: 0] < model.order[$1, default: 0] }.map(\.message)
            let actual = queue.readyMessages.map { Int($0.text) ?? -1 }
            model.check(actual == expected, "\(name) ready \(actual), model \(expected)")
            let unacked = model.states.filter { if case .unacked = $0.value { $0.key.queue == name } else { false } }
            model.check(queue.unackedCount == unacked.count, "\(name) unacked \(queue.unackedCount), model \(unacked.count)")
            if !expected.isEmpty {
                for (index, consumers) in model.consumers.enumerated() {
                    for (tag, consumer) in consumers where consumer.queue == name {
                        model.check(!model.hasCredit(index, tag: tag, consumer), "\(name) idle while \(tag) has credit")
                    }
                }
            }
        }
        for (index, session) in sessions.enumerated() {
            model.check(session.unackedCount == model.unacked[index].count, "session \(index) unacked count")
        }
    }
}
