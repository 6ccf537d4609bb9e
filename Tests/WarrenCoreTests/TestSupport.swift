import Testing
import AMQPProtocol
@testable import WarrenCore

/// A sink that records what it is given and can react to each delivery.
final class RecordingSink: DeliverySink {
    var deliveries: [Delivery] = []
    var cancelledTags: [String] = []
    var onDeliver: ((Delivery) -> Void)?

    func deliver(_ delivery: Delivery) {
        deliveries.append(delivery)
        onDeliver?(delivery)
    }

    func consumerCancelled(tag: String) { cancelledTags.append(tag) }

    var bodies: [String] { deliveries.map(\.text) }
    var tags: [UInt64] { deliveries.map(\.deliveryTag) }
}

/// SplitMix64: a small deterministic generator for names and random tests.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Delivery {
    var text: String { String(decoding: message.body, as: UTF8.self) }
}

extension Message {
    var text: String { String(decoding: body, as: UTF8.self) }
}

let connectionA = ConnectionID(1)
let connectionB = ConnectionID(2)

func makeVirtualHost(seed: UInt64 = 7) -> VirtualHost {
    VirtualHost(name: "/", random: SeededGenerator(seed: seed))
}

/// A session on `vhost` with a recording sink.
func makeSession(_ vhost: VirtualHost, connection: ConnectionID = connectionA) -> (Session, RecordingSink) {
    let sink = RecordingSink()
    return (Session(connection: connection, virtualHost: vhost, sink: sink), sink)
}

extension VirtualHost {
    /// Publishes a text body; traps in tests only.
    @discardableResult
    func send(_ exchange: String, _ routingKey: String, _ text: String, headers: FieldTable? = nil,
              mandatory: Bool = false) throws -> PublishResult {
        try publish(exchange: exchange, routingKey: routingKey, properties: BasicProperties(headers: headers),
                    body: Array(text.utf8), mandatory: mandatory)
    }

    /// Declares a non-exclusive queue owned by connection A.
    @discardableResult
    func makeQueue(_ name: String, autoDelete: Bool = false, durable: Bool = false) throws -> Queue {
        try declareQueue(name: name, durable: durable, autoDelete: autoDelete, owner: connectionA)
        return try #require(queue(named: name))
    }

    func bind(_ queue: String, to exchange: String, _ key: String = "", arguments: FieldTable = FieldTable()) throws {
        try bindQueue(queue: queue, exchange: exchange, routingKey: key, arguments: arguments, connection: connectionA)
    }

    /// The ready message bodies of a queue, front first.
    func readyTexts(_ queue: String) -> [String] {
        self.queue(named: queue)?.readyMessages.map(\.text) ?? []
    }
}

func error(_ code: ReplyCode, _ detail: String) -> AMQPError { AMQPError(code, detail) }
