/// The message record of a segment file, record type 1. Payload:
///
///     id            u64
///     queue count   u16
///     queue keys    count × (u16 length, UTF-8 bytes)
///     exchange      u16 length, UTF-8 bytes
///     routing key   u16 length, UTF-8 bytes
///     properties    u32 length, bytes (content-header flags and list, opaque)
///     body          u32 length, bytes
///
/// The queue keys make the record self-describing: enqueueing is implied by the record
/// itself, so a publish is exactly one write however many queues it reaches, and if the
/// index journal is lost every message can still be put back where it was routed.
enum MessageRecord {
    static let type: UInt8 = 1

    /// The payload size, or nil when a field is too long for its length prefix.
    static func payloadSize(_ message: StoredMessage, queueKeys: [QueueLedger]) -> Int? {
        let exchange = message.exchange.utf8.count
        let routingKey = message.routingKey.utf8.count
        guard queueKeys.count <= Int(UInt16.max), exchange <= Int(UInt16.max), routingKey <= Int(UInt16.max)
        else { return nil }
        var size = 8 + 2 + 2 + exchange + 2 + routingKey + 4 + message.properties.count + 4 + message.body.count
        for ledger in queueKeys {
            guard ledger.keyBytes.count <= Int(UInt16.max) else { return nil }
            size += 2 + ledger.keyBytes.count
        }
        return size <= Int(UInt32.max) - 64 ? size : nil
    }

    /// Appends the whole record (header included) to `buffer`. `payloadSize` comes from
    /// `payloadSize(_:queueKeys:)`, which checked every length.
    static func encode(_ message: StoredMessage, queues: [QueueLedger], payloadSize: Int, into buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.appendRaw(count: RecordFormat.headerSize + payloadSize) { writer in
            writer.put(UInt64(0))  // length and CRC, filled in by `finish`
            writer.put(type)
            writer.put(message.id)
            writer.put(UInt16(truncatingIfNeeded: queues.count))
            for ledger in queues {
                writer.put(UInt16(truncatingIfNeeded: ledger.keyBytes.count))
                writer.put(ledger.keyBytes)
            }
            writer.put(UInt16(truncatingIfNeeded: message.exchange.utf8.count))
            writer.put(message.exchange)
            writer.put(UInt16(truncatingIfNeeded: message.routingKey.utf8.count))
            writer.put(message.routingKey)
            writer.put(UInt32(truncatingIfNeeded: message.properties.count))
            writer.put(message.properties)
            writer.put(UInt32(truncatingIfNeeded: message.body.count))
            writer.put(message.body)
        }
        RecordFormat.finish(at: start, in: &buffer)
    }

    /// The fields of a parsed record, as ranges into the file's bytes.
    struct Fields {
        var id: UInt64
        var queueCount: Int
        /// Where the queue keys start; walk them with `forEachQueueKey`.
        var queueKeysStart: Int
        var exchange: Range<Int>
        var routingKey: Range<Int>
        var properties: Range<Int>
        var body: Range<Int>
    }

    /// Parses a payload whose CRC matched; nil when its structure is wrong.
    static func parse(_ bytes: UnsafeRawBufferPointer, payload: Range<Int>) -> Fields? {
        var cursor = ByteCursor(bytes, range: payload)
        guard let id = cursor.read(UInt64.self), let count = cursor.read(UInt16.self) else { return nil }
        let keysStart = cursor.position
        for _ in 0..<count {
            guard cursor.shortField() != nil else { return nil }
        }
        guard let exchange = cursor.shortField(), let routingKey = cursor.shortField(),
              let properties = cursor.longField(), let body = cursor.longField(), cursor.isAtEnd
        else { return nil }
        return Fields(id: id, queueCount: Int(count), queueKeysStart: keysStart, exchange: exchange,
                      routingKey: routingKey, properties: properties, body: body)
    }

    /// Calls `body` with each queue key's bytes. The fields were validated by `parse`.
    static func forEachQueueKey(_ bytes: UnsafeRawBufferPointer, _ fields: Fields,
                                _ body: (UnsafeRawBufferPointer) -> Void) {
        var cursor = ByteCursor(bytes, range: fields.queueKeysStart..<fields.exchange.lowerBound)
        for _ in 0..<fields.queueCount {
            guard let key = cursor.shortField() else { return }
            body(UnsafeRawBufferPointer(rebasing: bytes[key]))
        }
    }

    static func message(_ bytes: UnsafeRawBufferPointer, _ fields: Fields) -> StoredMessage {
        let cursor = ByteCursor(bytes, range: 0..<bytes.count)
        return StoredMessage(id: fields.id, exchange: cursor.string(fields.exchange),
                             routingKey: cursor.string(fields.routingKey),
                             properties: cursor.array(fields.properties), body: cursor.array(fields.body))
    }

    /// The cheap screen used to resynchronise a scan in a segment whose ids lie in `ids`.
    static func isCandidate(type: UInt8, payload: UnsafeRawBufferPointer, ids: Range<UInt64>) -> Bool {
        guard type == Self.type, payload.count >= 8 + 2 + 2 + 2 + 4 + 4 else { return false }
        return ids.contains(UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self)))
    }
}
