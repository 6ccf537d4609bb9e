import AMQPProtocol

/// One published message: immutable, and shared by reference by every queue
/// it is routed to, so a fanout to N queues holds one body and N entries.
///
/// One allocation holds everything: the fields below, then the properties in
/// their wire encoding (flags and property list), then the body bytes. With
/// arrays instead, the properties and the body would each cost a second and
/// third allocation with a 32-byte header; as it is, a queued message costs
/// its 40-byte object header and fields, its properties and names, and the
/// malloc overhead, plus its 24-byte queue entry: under the 150-byte budget.
///
/// Keeping the properties encoded (not as the ~190-byte `BasicProperties`)
/// also means the server copies them straight into every content header:
/// a message is encoded once, at publish, however many times it is delivered.
/// On the delivery path use `withEncodedProperties` and `withBody`, which
/// copy nothing; `properties`, `encodedProperties` and `body` make copies.
public final class Message: ManagedBuffer<MessageHeader, UInt8> {
    /// Makes a message; the broker assigns `sequence` (see `VirtualHost.publish`).
    public static func make(exchange: String, routingKey: String, properties: BasicProperties = .none,
                            body: UnsafeRawBufferPointer, sequence: UInt64) -> Message {
        var scratch = ByteWriter(capacity: 0)
        return make(exchange: exchange, routingKey: routingKey, properties: properties, body: body,
                    sequence: sequence, scratch: &scratch)
    }

    public static func make(exchange: String, routingKey: String, properties: BasicProperties = .none,
                            body: [UInt8], sequence: UInt64) -> Message {
        body.withUnsafeBytes { bytes in
            make(exchange: exchange, routingKey: routingKey, properties: properties, body: bytes, sequence: sequence)
        }
    }

    /// Encodes the properties through `scratch`, a writer the caller reuses,
    /// so that making a message allocates only the message.
    static func make(exchange: String, routingKey: String, properties: BasicProperties,
                     body: UnsafeRawBufferPointer, sequence: UInt64, scratch: inout ByteWriter) -> Message {
        scratch.bytes.removeAll(keepingCapacity: true)
        if properties == .none {
            scratch.writeUInt16(0)
        } else {
            scratch.writeBasicProperties(properties)
        }
        return scratch.bytes.withUnsafeBytes { encoded in
            make(exchange: exchange, routingKey: routingKey, encodedProperties: encoded,
                 isPersistent: properties.isPersistent, priority: properties.priority ?? 0, body: body, sequence: sequence)
        }
    }

    /// Makes a message from properties already in wire form. Names longer than a short
    /// string (255 bytes) cannot come from AMQP; from elsewhere they are cut there.
    static func make(exchange: String, routingKey: String, encodedProperties encoded: UnsafeRawBufferPointer,
                     isPersistent: Bool, priority: UInt8, body: UnsafeRawBufferPointer, sequence: UInt64) -> Message {
        var exchange = exchange, routingKey = routingKey
        return exchange.withUTF8 { exchangeBytes in
            routingKey.withUTF8 { routingKeyBytes in
                let names = (UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(exchangeBytes).prefix(255)),
                             UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(routingKeyBytes).prefix(255)))
                let header = MessageHeader(sequence: sequence, bodyCount: UInt32(truncatingIfNeeded: body.count),
                                           propertiesCount: UInt32(truncatingIfNeeded: encoded.count),
                                           exchangeCount: UInt8(names.0.count), routingKeyCount: UInt8(names.1.count),
                                           isPersistent: isPersistent, priority: priority)
                let parts = [encoded, names.0, names.1, body]
                let buffer = Message.create(minimumCapacity: header.elementCount) { _ in header }
                let message = unsafeDowncast(buffer, to: Message.self)
                message.withUnsafeMutablePointerToElements { start in
                    var cursor = UnsafeMutableRawPointer(start)
                    for part in parts {
                        guard let base = part.baseAddress else { continue }
                        cursor.copyMemory(from: base, byteCount: part.count)
                        cursor += part.count
                    }
                }
                return message
            }
        }
    }

    /// The exchange it was published to, as the publisher named it.
    public var exchange: String { withNames { exchange, _ in String(decoding: exchange, as: UTF8.self) } }
    public var routingKey: String { withNames { _, routingKey in String(decoding: routingKey, as: UTF8.self) } }

    /// Calls `body` with the exchange name and routing key as bytes. No copy.
    public func withNames<R>(_ body: (_ exchange: UnsafeRawBufferPointer, _ routingKey: UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let header = withUnsafeMutablePointerToHeader { $0.pointee }
        return try withUnsafeMutablePointerToElements { start in
            let exchangeStart = UnsafeRawPointer(start) + Int(header.propertiesCount)
            let exchangeCount = Int(header.exchangeCount)
            return try body(UnsafeRawBufferPointer(start: exchangeStart, count: exchangeCount),
                            UnsafeRawBufferPointer(start: exchangeStart + exchangeCount, count: Int(header.routingKeyCount)))
        }
    }

    /// Broker-assigned, increasing in publish order across all vhosts.
    public var sequence: UInt64 { withUnsafeMutablePointerToHeader { $0.pointee.sequence } }
    /// Delivery mode 2, kept apart for the store.
    public var isPersistent: Bool { withUnsafeMutablePointerToHeader { $0.pointee.isPersistent } }
    /// The priority property, or 0 when absent.
    public var priority: UInt8 { withUnsafeMutablePointerToHeader { $0.pointee.priority } }
    public var bodySize: Int { withUnsafeMutablePointerToHeader { Int($0.pointee.bodyCount) } }

    /// Calls `body` with the property flags and list exactly as on the wire. No copy.
    public func withEncodedProperties<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let count = withUnsafeMutablePointerToHeader { Int($0.pointee.propertiesCount) }
        return try withUnsafeMutablePointerToElements { start in
            try body(UnsafeRawBufferPointer(start: start, count: count))
        }
    }

    /// Calls `body` with the message body. No copy.
    public func withBody<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let header = withUnsafeMutablePointerToHeader { $0.pointee }
        return try withUnsafeMutablePointerToElements { start in
            try body(UnsafeRawBufferPointer(start: start + header.bodyOffset, count: Int(header.bodyCount)))
        }
    }

    /// A copy of the body.
    public var body: [UInt8] { withBody { Array($0) } }

    /// A copy of the encoded properties.
    public var encodedProperties: [UInt8] { withEncodedProperties { Array($0) } }

    /// The decoded properties. This decodes on every call and allocates the
    /// strings it finds; the delivery path should use `withEncodedProperties`.
    public var properties: BasicProperties {
        var reader = ByteReader(encodedProperties)
        return (try? reader.readBasicProperties()) ?? .none
    }

    /// The headers table, decoded for headers-exchange routing.
    var headers: FieldTable? { properties.headers }
}

/// The fixed part of a `Message`, stored in front of its bytes: the encoded
/// properties, the exchange name, the routing key, then the body. Opaque: read it
/// through `Message`'s properties. 24 bytes, where two `String`s alone took 32 (and a
/// routing key over 15 bytes a heap object of its own per message).
public struct MessageHeader {
    let sequence: UInt64
    /// Bodies are capped at 512 MiB (`ContentAssembler.hardMaximumBodySize`).
    let bodyCount: UInt32
    /// A property list fits in one content-header frame, far below 4 GiB.
    let propertiesCount: UInt32
    /// Short strings: at most 255 bytes each.
    let exchangeCount: UInt8
    let routingKeyCount: UInt8
    let isPersistent: Bool
    let priority: UInt8

    var bodyOffset: Int { Int(propertiesCount) + Int(exchangeCount) + Int(routingKeyCount) }
    var elementCount: Int { bodyOffset + Int(bodyCount) }
}

/// Hands out broker-wide message sequence numbers.
final class MessageSequencer {
    @exclusivity(unchecked) private var next: UInt64 = 1
    /// Wall-clock milliseconds for the ids of messages that arrive without one
    /// (see `MessageID`); the server injects it, tests may leave it at 0.
    @exclusivity(unchecked) var millisecondClock: () -> UInt64 = { 0 }

    func take() -> UInt64 {
        defer { next &+= 1 }
        return next
    }

    /// Recovery: the next sequence will be above `id`.
    func seed(above id: UInt64) {
        if next <= id { next = id &+ 1 }
    }
}
