import AMQPProtocol

/// One published message: immutable, and shared by reference by every queue
/// it is routed to, so a fanout to N queues holds one body and N entries.
///
/// The properties are kept as their wire encoding (flags and property list),
/// not as a decoded `BasicProperties`: the decoded struct is about 190 bytes
/// of optionals, where a typical encoding is a handful of bytes. The server
/// writes `encodedProperties` straight into each content header, so a message
/// is encoded once at publish however many times it is delivered.
///
/// Overhead per queued message, beyond the body bytes: this object (80 bytes
/// as allocated), the body and properties array headers (32 bytes each) and
/// one 24-byte queue entry.
public final class Message {
    /// The exchange it was published to, as the publisher named it.
    public let exchange: String
    public let routingKey: String
    public let body: [UInt8]
    /// Broker-assigned, increasing in publish order across all vhosts.
    public let sequence: UInt64
    /// Property flags then the property list, exactly as on the wire.
    public let encodedProperties: [UInt8]
    /// Delivery mode 2, cached from the properties for the store.
    public let isPersistent: Bool
    /// The priority property, or 0 when absent.
    public let priority: UInt8

    public init(exchange: String, routingKey: String, properties: BasicProperties = .none,
                body: [UInt8], sequence: UInt64) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.sequence = sequence
        self.isPersistent = properties.isPersistent
        self.priority = properties.priority ?? 0
        if properties == .none {
            self.encodedProperties = Message.noProperties
        } else {
            var writer = ByteWriter(capacity: 16)
            writer.writeBasicProperties(properties)
            self.encodedProperties = writer.bytes
        }
    }

    /// The encoding of an empty property set: flags 0, shared by every message without properties.
    static let noProperties: [UInt8] = [0, 0]

    /// The decoded properties. This decodes on every call and allocates the
    /// strings it finds; the delivery path should use `encodedProperties`.
    public var properties: BasicProperties {
        var reader = ByteReader(encodedProperties)
        return (try? reader.readBasicProperties()) ?? .none
    }

    /// The headers table, decoded for headers-exchange routing.
    var headers: FieldTable? { properties.headers }

    public var bodySize: Int { body.count }
}

/// Hands out broker-wide message sequence numbers.
final class MessageSequencer {
    @exclusivity(unchecked) private var next: UInt64 = 1

    func take() -> UInt64 {
        defer { next &+= 1 }
        return next
    }
}
