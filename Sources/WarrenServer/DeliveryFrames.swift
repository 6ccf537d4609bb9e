import AMQPProtocol
import WarrenCore

extension ByteWriter {
    /// Writes `basic.deliver` and the message's content. The exchange name and routing
    /// key are copied from the message as bytes, like its properties and body, so a
    /// delivery builds no `String` and makes no `Method` value.
    mutating func writeDelivery(channel: UInt16, consumerTag: String, deliveryTag: UInt64, redelivered: Bool,
                                message: Message, frameMax: Int) {
        writeFrame(.method, channel: channel) { writer in
            writer.writeUInt16(BasicDeliver.classID)
            writer.writeUInt16(BasicDeliver.methodID)
            writer.writeShortString(consumerTag)
            writer.writeUInt64(deliveryTag)
            writer.writeUInt8(redelivered ? 1 : 0)
            message.withNames { exchange, routingKey in
                writer.writeUInt8(UInt8(exchange.count))
                writer.writeBytes(exchange)
                writer.writeUInt8(UInt8(routingKey.count))
                writer.writeBytes(routingKey)
            }
        }
        message.withEncodedProperties { properties in
            writeFrame(.header, channel: channel) { writer in
                writer.writeUInt16(BasicDeliver.classID)
                writer.writeUInt16(0)
                writer.writeUInt64(UInt64(message.bodySize))
                writer.writeBytes(properties)
            }
        }
        message.withBody { writeBodyFrames(channel: channel, body: $0, frameMax: frameMax) }
    }
}
