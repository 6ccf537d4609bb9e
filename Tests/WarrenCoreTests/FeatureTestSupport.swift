import AMQPProtocol
import Testing
@testable import WarrenCore

/// A clock the test moves by hand.
final class ManualClock {
    var milliseconds: UInt64 = 1_000
    var unixSeconds: Int64 = 1_700_000_000

    var now: BrokerTime { BrokerTime(milliseconds: milliseconds, unixSeconds: unixSeconds) }
    var source: BrokerClock { BrokerClock { self.now } }
}

/// A vhost on a manual clock.
func makeTimedVirtualHost() -> (VirtualHost, ManualClock) {
    let vhost = makeVirtualHost()
    let clock = ManualClock()
    vhost.clock = clock.source
    return (vhost, clock)
}

extension VirtualHost {
    /// Declares a queue with arguments, owned by connection A.
    @discardableResult
    func makeQueue(_ name: String, _ arguments: FieldTable) throws -> Queue {
        try declareQueue(name: name, arguments: arguments, owner: connectionA)
        return try #require(queue(named: name))
    }

    /// Publishes a text body with properties through the default exchange.
    @discardableResult
    func send(to queue: String, _ text: String, _ properties: BasicProperties = .none) throws -> PublishResult {
        try publish(exchange: "", routingKey: queue, properties: properties, body: Array(text.utf8))
    }

    /// Takes every ready message with `basic.get` (no ack), front first.
    func drain(_ queue: String, session: Session) throws -> [String] {
        var texts: [String] = []
        while let result = try get(queue: queue, noAck: true, session: session) { texts.append(result.delivery.text) }
        return texts
    }

    /// A time `milliseconds` later on `clock`, with the timer's work done.
    func advance(_ clock: ManualClock, by milliseconds: UInt64) {
        clock.milliseconds += milliseconds
        expire(now: clock.now)
    }
}

/// Shorthands for field values.
extension FieldValue {
    static func int(_ value: Int32) -> FieldValue { .int32(value) }
}

extension Message {
    /// The decoded headers, or an empty table.
    var headerTable: FieldTable { properties.headers ?? FieldTable() }
}
