// GENERATED FILE: DO NOT EDIT BY HAND. Change Protocol/amqp-0-9-1.json or Sources/AMQPCodegen instead.
//
// Regenerate from the package root with:
//
//     swift run amqp-codegen
//
// which reads Protocol/amqp-0-9-1.json and writes this file (both paths can be
// given as arguments). MethodTableTests fails while this file is stale.
//
// One struct per method of AMQP 0-9-1 as RabbitMQ speaks it, and `Method`, which
// holds any of them. A struct reads and writes only its arguments; `Method` adds
// the class and method ids. Consecutive bit fields share one octet, the first in
// the least significant bit. Reserved fields are kept, as `reserved1`,
// `reserved2`, ..., so that decoded bytes encode back to the same bytes.

// MARK: - connection (class 10)

/// `connection.start` (10, 10): a synchronous request, answered by `connection.start-ok`.
public struct ConnectionStart: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 10

    public var versionMajor: UInt8
    public var versionMinor: UInt8
    public var serverProperties: FieldTable
    public var mechanisms: [UInt8]
    public var locales: [UInt8]

    public init(
        versionMajor: UInt8 = 0,
        versionMinor: UInt8 = 0,
        serverProperties: FieldTable = FieldTable(),
        mechanisms: [UInt8] = [],
        locales: [UInt8] = []
    ) {
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.serverProperties = serverProperties
        self.mechanisms = mechanisms
        self.locales = locales
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        versionMajor = try reader.readUInt8()
        versionMinor = try reader.readUInt8()
        serverProperties = try reader.readFieldTable()
        mechanisms = try reader.readLongString()
        locales = try reader.readLongString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt8(versionMajor)
        writer.writeUInt8(versionMinor)
        writer.writeFieldTable(serverProperties)
        writer.writeLongString(mechanisms)
        writer.writeLongString(locales)
    }
}

/// `connection.start-ok` (10, 11): the reply to `connection.start`.
public struct ConnectionStartOk: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 11

    public var clientProperties: FieldTable
    public var mechanism: String
    public var response: [UInt8]
    public var locale: String

    public init(
        clientProperties: FieldTable = FieldTable(),
        mechanism: String = "",
        response: [UInt8] = [],
        locale: String = ""
    ) {
        self.clientProperties = clientProperties
        self.mechanism = mechanism
        self.response = response
        self.locale = locale
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        clientProperties = try reader.readFieldTable()
        mechanism = try reader.readShortString()
        response = try reader.readLongString()
        locale = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeFieldTable(clientProperties)
        writer.writeShortString(mechanism)
        writer.writeLongString(response)
        writer.writeShortString(locale)
    }
}

/// `connection.secure` (10, 20): a synchronous request, answered by `connection.secure-ok`.
public struct ConnectionSecure: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 20

    public var challenge: [UInt8]

    public init(challenge: [UInt8] = []) {
        self.challenge = challenge
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        challenge = try reader.readLongString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeLongString(challenge)
    }
}

/// `connection.secure-ok` (10, 21): the reply to `connection.secure`.
public struct ConnectionSecureOk: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 21

    public var response: [UInt8]

    public init(response: [UInt8] = []) {
        self.response = response
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        response = try reader.readLongString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeLongString(response)
    }
}

/// `connection.tune` (10, 30): a synchronous request, answered by `connection.tune-ok`.
public struct ConnectionTune: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 30

    public var channelMax: UInt16
    public var frameMax: UInt32
    public var heartbeat: UInt16

    public init(channelMax: UInt16 = 0, frameMax: UInt32 = 0, heartbeat: UInt16 = 0) {
        self.channelMax = channelMax
        self.frameMax = frameMax
        self.heartbeat = heartbeat
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        channelMax = try reader.readUInt16()
        frameMax = try reader.readUInt32()
        heartbeat = try reader.readUInt16()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(channelMax)
        writer.writeUInt32(frameMax)
        writer.writeUInt16(heartbeat)
    }
}

/// `connection.tune-ok` (10, 31): the reply to `connection.tune`.
public struct ConnectionTuneOk: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 31

    public var channelMax: UInt16
    public var frameMax: UInt32
    public var heartbeat: UInt16

    public init(channelMax: UInt16 = 0, frameMax: UInt32 = 0, heartbeat: UInt16 = 0) {
        self.channelMax = channelMax
        self.frameMax = frameMax
        self.heartbeat = heartbeat
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        channelMax = try reader.readUInt16()
        frameMax = try reader.readUInt32()
        heartbeat = try reader.readUInt16()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(channelMax)
        writer.writeUInt32(frameMax)
        writer.writeUInt16(heartbeat)
    }
}

/// `connection.open` (10, 40): a synchronous request, answered by `connection.open-ok`.
public struct ConnectionOpen: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 40

    public var virtualHost: String
    public var reserved1: String
    public var reserved2: Bool

    public init(virtualHost: String = "", reserved1: String = "", reserved2: Bool = false) {
        self.virtualHost = virtualHost
        self.reserved1 = reserved1
        self.reserved2 = reserved2
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        virtualHost = try reader.readShortString()
        reserved1 = try reader.readShortString()
        let flags = try reader.readUInt8()
        reserved2 = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(virtualHost)
        writer.writeShortString(reserved1)
        var flags: UInt8 = 0
        if reserved2 { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `connection.open-ok` (10, 41): the reply to `connection.open`.
public struct ConnectionOpenOk: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 41

    public var reserved1: String

    public init(reserved1: String = "") {
        self.reserved1 = reserved1
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(reserved1)
    }
}

/// `connection.close` (10, 50): a synchronous request, answered by `connection.close-ok`.
public struct ConnectionClose: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 50

    public var replyCode: UInt16
    public var replyText: String
    public var classId: UInt16
    public var methodId: UInt16

    public init(replyCode: UInt16 = 0, replyText: String = "", classId: UInt16 = 0, methodId: UInt16 = 0) {
        self.replyCode = replyCode
        self.replyText = replyText
        self.classId = classId
        self.methodId = methodId
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        replyCode = try reader.readUInt16()
        replyText = try reader.readShortString()
        classId = try reader.readUInt16()
        methodId = try reader.readUInt16()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(replyCode)
        writer.writeShortString(replyText)
        writer.writeUInt16(classId)
        writer.writeUInt16(methodId)
    }
}

/// `connection.close-ok` (10, 51): the reply to `connection.close`.
public struct ConnectionCloseOk: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 51

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `connection.blocked` (10, 60).
public struct ConnectionBlocked: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 60

    public var reason: String

    public init(reason: String = "") {
        self.reason = reason
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reason = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(reason)
    }
}

/// `connection.unblocked` (10, 61).
public struct ConnectionUnblocked: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 61

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `connection.update-secret` (10, 70): a synchronous request, answered by `connection.update-secret-ok`.
public struct ConnectionUpdateSecret: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 70

    public var newSecret: [UInt8]
    public var reason: String

    public init(newSecret: [UInt8] = [], reason: String = "") {
        self.newSecret = newSecret
        self.reason = reason
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        newSecret = try reader.readLongString()
        reason = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeLongString(newSecret)
        writer.writeShortString(reason)
    }
}

/// `connection.update-secret-ok` (10, 71): the reply to `connection.update-secret`.
public struct ConnectionUpdateSecretOk: Hashable, Sendable {
    public static let classID: UInt16 = 10
    public static let methodID: UInt16 = 71

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

// MARK: - channel (class 20)

/// `channel.open` (20, 10): a synchronous request, answered by `channel.open-ok`.
public struct ChannelOpen: Hashable, Sendable {
    public static let classID: UInt16 = 20
    public static let methodID: UInt16 = 10

    public var reserved1: String

    public init(reserved1: String = "") {
        self.reserved1 = reserved1
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(reserved1)
    }
}

/// `channel.open-ok` (20, 11): the reply to `channel.open`.
public struct ChannelOpenOk: Hashable, Sendable {
    public static let classID: UInt16 = 20
    public static let methodID: UInt16 = 11

    public var reserved1: [UInt8]

    public init(reserved1: [UInt8] = []) {
        self.reserved1 = reserved1
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readLongString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeLongString(reserved1)
    }
}

/// `channel.flow` (20, 20): a synchronous request, answered by `channel.flow-ok`.
public struct ChannelFlow: Hashable, Sendable {
    public static let classID: UInt16 = 20
    public static let methodID: UInt16 = 20

    public var active: Bool

    public init(active: Bool = false) {
        self.active = active
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        let flags = try reader.readUInt8()
        active = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        var flags: UInt8 = 0
        if active { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `channel.flow-ok` (20, 21): the reply to `channel.flow`.
public struct ChannelFlowOk: Hashable, Sendable {
    public static let classID: UInt16 = 20
    public static let methodID: UInt16 = 21

    public var active: Bool

    public init(active: Bool = false) {
        self.active = active
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        let flags = try reader.readUInt8()
        active = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        var flags: UInt8 = 0
        if active { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `channel.close` (20, 40): a synchronous request, answered by `channel.close-ok`.
public struct ChannelClose: Hashable, Sendable {
    public static let classID: UInt16 = 20
    public static let methodID: UInt16 = 40

    public var replyCode: UInt16
    public var replyText: String
    public var classId: UInt16
    public var methodId: UInt16

    public init(replyCode: UInt16 = 0, replyText: String = "", classId: UInt16 = 0, methodId: UInt16 = 0) {
        self.replyCode = replyCode
        self.replyText = replyText
        self.classId = classId
        self.methodId = methodId
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        replyCode = try reader.readUInt16()
        replyText = try reader.readShortString()
        classId = try reader.readUInt16()
        methodId = try reader.readUInt16()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(replyCode)
        writer.writeShortString(replyText)
        writer.writeUInt16(classId)
        writer.writeUInt16(methodId)
    }
}

/// `channel.close-ok` (20, 41): the reply to `channel.close`.
public struct ChannelCloseOk: Hashable, Sendable {
    public static let classID: UInt16 = 20
    public static let methodID: UInt16 = 41

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

// MARK: - exchange (class 40)

/// `exchange.declare` (40, 10): a synchronous request, answered by `exchange.declare-ok`.
public struct ExchangeDeclare: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 10

    public var reserved1: UInt16
    public var exchange: String
    public var type: String
    public var passive: Bool
    public var durable: Bool
    public var autoDelete: Bool
    public var `internal`: Bool
    public var noWait: Bool
    public var arguments: FieldTable

    public init(
        reserved1: UInt16 = 0,
        exchange: String = "",
        type: String = "",
        passive: Bool = false,
        durable: Bool = false,
        autoDelete: Bool = false,
        `internal`: Bool = false,
        noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) {
        self.reserved1 = reserved1
        self.exchange = exchange
        self.type = type
        self.passive = passive
        self.durable = durable
        self.autoDelete = autoDelete
        self.`internal` = `internal`
        self.noWait = noWait
        self.arguments = arguments
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        exchange = try reader.readShortString()
        type = try reader.readShortString()
        let flags = try reader.readUInt8()
        passive = flags & 0x01 != 0
        durable = flags & 0x02 != 0
        autoDelete = flags & 0x04 != 0
        `internal` = flags & 0x08 != 0
        noWait = flags & 0x10 != 0
        arguments = try reader.readFieldTable()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(exchange)
        writer.writeShortString(type)
        var flags: UInt8 = 0
        if passive { flags |= 0x01 }
        if durable { flags |= 0x02 }
        if autoDelete { flags |= 0x04 }
        if `internal` { flags |= 0x08 }
        if noWait { flags |= 0x10 }
        writer.writeUInt8(flags)
        writer.writeFieldTable(arguments)
    }
}

/// `exchange.declare-ok` (40, 11): the reply to `exchange.declare`.
public struct ExchangeDeclareOk: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 11

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `exchange.delete` (40, 20): a synchronous request, answered by `exchange.delete-ok`.
public struct ExchangeDelete: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 20

    public var reserved1: UInt16
    public var exchange: String
    public var ifUnused: Bool
    public var noWait: Bool

    public init(reserved1: UInt16 = 0, exchange: String = "", ifUnused: Bool = false, noWait: Bool = false) {
        self.reserved1 = reserved1
        self.exchange = exchange
        self.ifUnused = ifUnused
        self.noWait = noWait
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        exchange = try reader.readShortString()
        let flags = try reader.readUInt8()
        ifUnused = flags & 0x01 != 0
        noWait = flags & 0x02 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(exchange)
        var flags: UInt8 = 0
        if ifUnused { flags |= 0x01 }
        if noWait { flags |= 0x02 }
        writer.writeUInt8(flags)
    }
}

/// `exchange.delete-ok` (40, 21): the reply to `exchange.delete`.
public struct ExchangeDeleteOk: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 21

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `exchange.bind` (40, 30): a synchronous request, answered by `exchange.bind-ok`.
public struct ExchangeBind: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 30

    public var reserved1: UInt16
    public var destination: String
    public var source: String
    public var routingKey: String
    public var noWait: Bool
    public var arguments: FieldTable

    public init(
        reserved1: UInt16 = 0,
        destination: String = "",
        source: String = "",
        routingKey: String = "",
        noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) {
        self.reserved1 = reserved1
        self.destination = destination
        self.source = source
        self.routingKey = routingKey
        self.noWait = noWait
        self.arguments = arguments
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        destination = try reader.readShortString()
        source = try reader.readShortString()
        routingKey = try reader.readShortString()
        let flags = try reader.readUInt8()
        noWait = flags & 0x01 != 0
        arguments = try reader.readFieldTable()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(destination)
        writer.writeShortString(source)
        writer.writeShortString(routingKey)
        var flags: UInt8 = 0
        if noWait { flags |= 0x01 }
        writer.writeUInt8(flags)
        writer.writeFieldTable(arguments)
    }
}

/// `exchange.bind-ok` (40, 31): the reply to `exchange.bind`.
public struct ExchangeBindOk: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 31

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `exchange.unbind` (40, 40): a synchronous request, answered by `exchange.unbind-ok`.
public struct ExchangeUnbind: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 40

    public var reserved1: UInt16
    public var destination: String
    public var source: String
    public var routingKey: String
    public var noWait: Bool
    public var arguments: FieldTable

    public init(
        reserved1: UInt16 = 0,
        destination: String = "",
        source: String = "",
        routingKey: String = "",
        noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) {
        self.reserved1 = reserved1
        self.destination = destination
        self.source = source
        self.routingKey = routingKey
        self.noWait = noWait
        self.arguments = arguments
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        destination = try reader.readShortString()
        source = try reader.readShortString()
        routingKey = try reader.readShortString()
        let flags = try reader.readUInt8()
        noWait = flags & 0x01 != 0
        arguments = try reader.readFieldTable()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(destination)
        writer.writeShortString(source)
        writer.writeShortString(routingKey)
        var flags: UInt8 = 0
        if noWait { flags |= 0x01 }
        writer.writeUInt8(flags)
        writer.writeFieldTable(arguments)
    }
}

/// `exchange.unbind-ok` (40, 51): the reply to `exchange.unbind`.
public struct ExchangeUnbindOk: Hashable, Sendable {
    public static let classID: UInt16 = 40
    public static let methodID: UInt16 = 51

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

// MARK: - queue (class 50)

/// `queue.declare` (50, 10): a synchronous request, answered by `queue.declare-ok`.
public struct QueueDeclare: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 10

    public var reserved1: UInt16
    public var queue: String
    public var passive: Bool
    public var durable: Bool
    public var exclusive: Bool
    public var autoDelete: Bool
    public var noWait: Bool
    public var arguments: FieldTable

    public init(
        reserved1: UInt16 = 0,
        queue: String = "",
        passive: Bool = false,
        durable: Bool = false,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) {
        self.reserved1 = reserved1
        self.queue = queue
        self.passive = passive
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.noWait = noWait
        self.arguments = arguments
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        queue = try reader.readShortString()
        let flags = try reader.readUInt8()
        passive = flags & 0x01 != 0
        durable = flags & 0x02 != 0
        exclusive = flags & 0x04 != 0
        autoDelete = flags & 0x08 != 0
        noWait = flags & 0x10 != 0
        arguments = try reader.readFieldTable()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(queue)
        var flags: UInt8 = 0
        if passive { flags |= 0x01 }
        if durable { flags |= 0x02 }
        if exclusive { flags |= 0x04 }
        if autoDelete { flags |= 0x08 }
        if noWait { flags |= 0x10 }
        writer.writeUInt8(flags)
        writer.writeFieldTable(arguments)
    }
}

/// `queue.declare-ok` (50, 11): the reply to `queue.declare`.
public struct QueueDeclareOk: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 11

    public var queue: String
    public var messageCount: UInt32
    public var consumerCount: UInt32

    public init(queue: String = "", messageCount: UInt32 = 0, consumerCount: UInt32 = 0) {
        self.queue = queue
        self.messageCount = messageCount
        self.consumerCount = consumerCount
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        queue = try reader.readShortString()
        messageCount = try reader.readUInt32()
        consumerCount = try reader.readUInt32()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(queue)
        writer.writeUInt32(messageCount)
        writer.writeUInt32(consumerCount)
    }
}

/// `queue.bind` (50, 20): a synchronous request, answered by `queue.bind-ok`.
public struct QueueBind: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 20

    public var reserved1: UInt16
    public var queue: String
    public var exchange: String
    public var routingKey: String
    public var noWait: Bool
    public var arguments: FieldTable

    public init(
        reserved1: UInt16 = 0,
        queue: String = "",
        exchange: String = "",
        routingKey: String = "",
        noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) {
        self.reserved1 = reserved1
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.noWait = noWait
        self.arguments = arguments
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        queue = try reader.readShortString()
        exchange = try reader.readShortString()
        routingKey = try reader.readShortString()
        let flags = try reader.readUInt8()
        noWait = flags & 0x01 != 0
        arguments = try reader.readFieldTable()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(queue)
        writer.writeShortString(exchange)
        writer.writeShortString(routingKey)
        var flags: UInt8 = 0
        if noWait { flags |= 0x01 }
        writer.writeUInt8(flags)
        writer.writeFieldTable(arguments)
    }
}

/// `queue.bind-ok` (50, 21): the reply to `queue.bind`.
public struct QueueBindOk: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 21

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `queue.purge` (50, 30): a synchronous request, answered by `queue.purge-ok`.
public struct QueuePurge: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 30

    public var reserved1: UInt16
    public var queue: String
    public var noWait: Bool

    public init(reserved1: UInt16 = 0, queue: String = "", noWait: Bool = false) {
        self.reserved1 = reserved1
        self.queue = queue
        self.noWait = noWait
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        queue = try reader.readShortString()
        let flags = try reader.readUInt8()
        noWait = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(queue)
        var flags: UInt8 = 0
        if noWait { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `queue.purge-ok` (50, 31): the reply to `queue.purge`.
public struct QueuePurgeOk: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 31

    public var messageCount: UInt32

    public init(messageCount: UInt32 = 0) {
        self.messageCount = messageCount
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        messageCount = try reader.readUInt32()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt32(messageCount)
    }
}

/// `queue.delete` (50, 40): a synchronous request, answered by `queue.delete-ok`.
public struct QueueDelete: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 40

    public var reserved1: UInt16
    public var queue: String
    public var ifUnused: Bool
    public var ifEmpty: Bool
    public var noWait: Bool

    public init(
        reserved1: UInt16 = 0,
        queue: String = "",
        ifUnused: Bool = false,
        ifEmpty: Bool = false,
        noWait: Bool = false
    ) {
        self.reserved1 = reserved1
        self.queue = queue
        self.ifUnused = ifUnused
        self.ifEmpty = ifEmpty
        self.noWait = noWait
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        queue = try reader.readShortString()
        let flags = try reader.readUInt8()
        ifUnused = flags & 0x01 != 0
        ifEmpty = flags & 0x02 != 0
        noWait = flags & 0x04 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(queue)
        var flags: UInt8 = 0
        if ifUnused { flags |= 0x01 }
        if ifEmpty { flags |= 0x02 }
        if noWait { flags |= 0x04 }
        writer.writeUInt8(flags)
    }
}

/// `queue.delete-ok` (50, 41): the reply to `queue.delete`.
public struct QueueDeleteOk: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 41

    public var messageCount: UInt32

    public init(messageCount: UInt32 = 0) {
        self.messageCount = messageCount
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        messageCount = try reader.readUInt32()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt32(messageCount)
    }
}

/// `queue.unbind` (50, 50): a synchronous request, answered by `queue.unbind-ok`.
public struct QueueUnbind: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 50

    public var reserved1: UInt16
    public var queue: String
    public var exchange: String
    public var routingKey: String
    public var arguments: FieldTable

    public init(
        reserved1: UInt16 = 0,
        queue: String = "",
        exchange: String = "",
        routingKey: String = "",
        arguments: FieldTable = FieldTable()
    ) {
        self.reserved1 = reserved1
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.arguments = arguments
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        queue = try reader.readShortString()
        exchange = try reader.readShortString()
        routingKey = try reader.readShortString()
        arguments = try reader.readFieldTable()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(queue)
        writer.writeShortString(exchange)
        writer.writeShortString(routingKey)
        writer.writeFieldTable(arguments)
    }
}

/// `queue.unbind-ok` (50, 51): the reply to `queue.unbind`.
public struct QueueUnbindOk: Hashable, Sendable {
    public static let classID: UInt16 = 50
    public static let methodID: UInt16 = 51

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

// MARK: - basic (class 60)

/// `basic.qos` (60, 10): a synchronous request, answered by `basic.qos-ok`.
public struct BasicQos: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 10

    public var prefetchSize: UInt32
    public var prefetchCount: UInt16
    public var global: Bool

    public init(prefetchSize: UInt32 = 0, prefetchCount: UInt16 = 0, global: Bool = false) {
        self.prefetchSize = prefetchSize
        self.prefetchCount = prefetchCount
        self.global = global
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        prefetchSize = try reader.readUInt32()
        prefetchCount = try reader.readUInt16()
        let flags = try reader.readUInt8()
        global = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt32(prefetchSize)
        writer.writeUInt16(prefetchCount)
        var flags: UInt8 = 0
        if global { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `basic.qos-ok` (60, 11): the reply to `basic.qos`.
public struct BasicQosOk: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 11

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `basic.consume` (60, 20): a synchronous request, answered by `basic.consume-ok`.
public struct BasicConsume: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 20

    public var reserved1: UInt16
    public var queue: String
    public var consumerTag: String
    public var noLocal: Bool
    public var noAck: Bool
    public var exclusive: Bool
    public var noWait: Bool
    public var arguments: FieldTable

    public init(
        reserved1: UInt16 = 0,
        queue: String = "",
        consumerTag: String = "",
        noLocal: Bool = false,
        noAck: Bool = false,
        exclusive: Bool = false,
        noWait: Bool = false,
        arguments: FieldTable = FieldTable()
    ) {
        self.reserved1 = reserved1
        self.queue = queue
        self.consumerTag = consumerTag
        self.noLocal = noLocal
        self.noAck = noAck
        self.exclusive = exclusive
        self.noWait = noWait
        self.arguments = arguments
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        queue = try reader.readShortString()
        consumerTag = try reader.readShortString()
        let flags = try reader.readUInt8()
        noLocal = flags & 0x01 != 0
        noAck = flags & 0x02 != 0
        exclusive = flags & 0x04 != 0
        noWait = flags & 0x08 != 0
        arguments = try reader.readFieldTable()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(queue)
        writer.writeShortString(consumerTag)
        var flags: UInt8 = 0
        if noLocal { flags |= 0x01 }
        if noAck { flags |= 0x02 }
        if exclusive { flags |= 0x04 }
        if noWait { flags |= 0x08 }
        writer.writeUInt8(flags)
        writer.writeFieldTable(arguments)
    }
}

/// `basic.consume-ok` (60, 21): the reply to `basic.consume`.
public struct BasicConsumeOk: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 21

    public var consumerTag: String

    public init(consumerTag: String = "") {
        self.consumerTag = consumerTag
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        consumerTag = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(consumerTag)
    }
}

/// `basic.cancel` (60, 30): a synchronous request, answered by `basic.cancel-ok`.
public struct BasicCancel: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 30

    public var consumerTag: String
    public var noWait: Bool

    public init(consumerTag: String = "", noWait: Bool = false) {
        self.consumerTag = consumerTag
        self.noWait = noWait
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        consumerTag = try reader.readShortString()
        let flags = try reader.readUInt8()
        noWait = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(consumerTag)
        var flags: UInt8 = 0
        if noWait { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `basic.cancel-ok` (60, 31): the reply to `basic.cancel`.
public struct BasicCancelOk: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 31

    public var consumerTag: String

    public init(consumerTag: String = "") {
        self.consumerTag = consumerTag
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        consumerTag = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(consumerTag)
    }
}

/// `basic.publish` (60, 40): followed by a content header and body.
public struct BasicPublish: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 40

    public var reserved1: UInt16
    public var exchange: String
    public var routingKey: String
    public var mandatory: Bool
    public var immediate: Bool

    public init(
        reserved1: UInt16 = 0,
        exchange: String = "",
        routingKey: String = "",
        mandatory: Bool = false,
        immediate: Bool = false
    ) {
        self.reserved1 = reserved1
        self.exchange = exchange
        self.routingKey = routingKey
        self.mandatory = mandatory
        self.immediate = immediate
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        exchange = try reader.readShortString()
        routingKey = try reader.readShortString()
        let flags = try reader.readUInt8()
        mandatory = flags & 0x01 != 0
        immediate = flags & 0x02 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(exchange)
        writer.writeShortString(routingKey)
        var flags: UInt8 = 0
        if mandatory { flags |= 0x01 }
        if immediate { flags |= 0x02 }
        writer.writeUInt8(flags)
    }
}

/// `basic.return` (60, 50): followed by a content header and body.
public struct BasicReturn: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 50

    public var replyCode: UInt16
    public var replyText: String
    public var exchange: String
    public var routingKey: String

    public init(replyCode: UInt16 = 0, replyText: String = "", exchange: String = "", routingKey: String = "") {
        self.replyCode = replyCode
        self.replyText = replyText
        self.exchange = exchange
        self.routingKey = routingKey
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        replyCode = try reader.readUInt16()
        replyText = try reader.readShortString()
        exchange = try reader.readShortString()
        routingKey = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(replyCode)
        writer.writeShortString(replyText)
        writer.writeShortString(exchange)
        writer.writeShortString(routingKey)
    }
}

/// `basic.deliver` (60, 60): followed by a content header and body.
public struct BasicDeliver: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 60

    public var consumerTag: String
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String

    public init(
        consumerTag: String = "",
        deliveryTag: UInt64 = 0,
        redelivered: Bool = false,
        exchange: String = "",
        routingKey: String = ""
    ) {
        self.consumerTag = consumerTag
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        consumerTag = try reader.readShortString()
        deliveryTag = try reader.readUInt64()
        let flags = try reader.readUInt8()
        redelivered = flags & 0x01 != 0
        exchange = try reader.readShortString()
        routingKey = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(consumerTag)
        writer.writeUInt64(deliveryTag)
        var flags: UInt8 = 0
        if redelivered { flags |= 0x01 }
        writer.writeUInt8(flags)
        writer.writeShortString(exchange)
        writer.writeShortString(routingKey)
    }
}

/// `basic.get` (60, 70): a synchronous request, answered by `basic.get-ok` or `basic.get-empty`.
public struct BasicGet: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 70

    public var reserved1: UInt16
    public var queue: String
    public var noAck: Bool

    public init(reserved1: UInt16 = 0, queue: String = "", noAck: Bool = false) {
        self.reserved1 = reserved1
        self.queue = queue
        self.noAck = noAck
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readUInt16()
        queue = try reader.readShortString()
        let flags = try reader.readUInt8()
        noAck = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt16(reserved1)
        writer.writeShortString(queue)
        var flags: UInt8 = 0
        if noAck { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `basic.get-ok` (60, 71): the reply to `basic.get`; followed by a content header and body.
public struct BasicGetOk: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 71

    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var messageCount: UInt32

    public init(
        deliveryTag: UInt64 = 0,
        redelivered: Bool = false,
        exchange: String = "",
        routingKey: String = "",
        messageCount: UInt32 = 0
    ) {
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.messageCount = messageCount
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        deliveryTag = try reader.readUInt64()
        let flags = try reader.readUInt8()
        redelivered = flags & 0x01 != 0
        exchange = try reader.readShortString()
        routingKey = try reader.readShortString()
        messageCount = try reader.readUInt32()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt64(deliveryTag)
        var flags: UInt8 = 0
        if redelivered { flags |= 0x01 }
        writer.writeUInt8(flags)
        writer.writeShortString(exchange)
        writer.writeShortString(routingKey)
        writer.writeUInt32(messageCount)
    }
}

/// `basic.get-empty` (60, 72): the reply to `basic.get`.
public struct BasicGetEmpty: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 72

    public var reserved1: String

    public init(reserved1: String = "") {
        self.reserved1 = reserved1
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        reserved1 = try reader.readShortString()
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeShortString(reserved1)
    }
}

/// `basic.ack` (60, 80).
public struct BasicAck: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 80

    public var deliveryTag: UInt64
    public var multiple: Bool

    public init(deliveryTag: UInt64 = 0, multiple: Bool = false) {
        self.deliveryTag = deliveryTag
        self.multiple = multiple
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        deliveryTag = try reader.readUInt64()
        let flags = try reader.readUInt8()
        multiple = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt64(deliveryTag)
        var flags: UInt8 = 0
        if multiple { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `basic.reject` (60, 90).
public struct BasicReject: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 90

    public var deliveryTag: UInt64
    public var requeue: Bool

    public init(deliveryTag: UInt64 = 0, requeue: Bool = false) {
        self.deliveryTag = deliveryTag
        self.requeue = requeue
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        deliveryTag = try reader.readUInt64()
        let flags = try reader.readUInt8()
        requeue = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt64(deliveryTag)
        var flags: UInt8 = 0
        if requeue { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `basic.recover-async` (60, 100).
public struct BasicRecoverAsync: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 100

    public var requeue: Bool

    public init(requeue: Bool = false) {
        self.requeue = requeue
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        let flags = try reader.readUInt8()
        requeue = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        var flags: UInt8 = 0
        if requeue { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `basic.recover` (60, 110): a synchronous request, answered by `basic.recover-ok`.
public struct BasicRecover: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 110

    public var requeue: Bool

    public init(requeue: Bool = false) {
        self.requeue = requeue
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        let flags = try reader.readUInt8()
        requeue = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        var flags: UInt8 = 0
        if requeue { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `basic.recover-ok` (60, 111): the reply to `basic.recover`.
public struct BasicRecoverOk: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 111

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `basic.nack` (60, 120).
public struct BasicNack: Hashable, Sendable {
    public static let classID: UInt16 = 60
    public static let methodID: UInt16 = 120

    public var deliveryTag: UInt64
    public var multiple: Bool
    public var requeue: Bool

    public init(deliveryTag: UInt64 = 0, multiple: Bool = false, requeue: Bool = false) {
        self.deliveryTag = deliveryTag
        self.multiple = multiple
        self.requeue = requeue
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        deliveryTag = try reader.readUInt64()
        let flags = try reader.readUInt8()
        multiple = flags & 0x01 != 0
        requeue = flags & 0x02 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        writer.writeUInt64(deliveryTag)
        var flags: UInt8 = 0
        if multiple { flags |= 0x01 }
        if requeue { flags |= 0x02 }
        writer.writeUInt8(flags)
    }
}

// MARK: - confirm (class 85)

/// `confirm.select` (85, 10): a synchronous request, answered by `confirm.select-ok`.
public struct ConfirmSelect: Hashable, Sendable {
    public static let classID: UInt16 = 85
    public static let methodID: UInt16 = 10

    public var noWait: Bool

    public init(noWait: Bool = false) {
        self.noWait = noWait
    }

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {
        let flags = try reader.readUInt8()
        noWait = flags & 0x01 != 0
    }

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {
        var flags: UInt8 = 0
        if noWait { flags |= 0x01 }
        writer.writeUInt8(flags)
    }
}

/// `confirm.select-ok` (85, 11): the reply to `confirm.select`.
public struct ConfirmSelectOk: Hashable, Sendable {
    public static let classID: UInt16 = 85
    public static let methodID: UInt16 = 11

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

// MARK: - tx (class 90)

/// `tx.select` (90, 10): a synchronous request, answered by `tx.select-ok`.
public struct TxSelect: Hashable, Sendable {
    public static let classID: UInt16 = 90
    public static let methodID: UInt16 = 10

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `tx.select-ok` (90, 11): the reply to `tx.select`.
public struct TxSelectOk: Hashable, Sendable {
    public static let classID: UInt16 = 90
    public static let methodID: UInt16 = 11

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `tx.commit` (90, 20): a synchronous request, answered by `tx.commit-ok`.
public struct TxCommit: Hashable, Sendable {
    public static let classID: UInt16 = 90
    public static let methodID: UInt16 = 20

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `tx.commit-ok` (90, 21): the reply to `tx.commit`.
public struct TxCommitOk: Hashable, Sendable {
    public static let classID: UInt16 = 90
    public static let methodID: UInt16 = 21

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `tx.rollback` (90, 30): a synchronous request, answered by `tx.rollback-ok`.
public struct TxRollback: Hashable, Sendable {
    public static let classID: UInt16 = 90
    public static let methodID: UInt16 = 30

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// `tx.rollback-ok` (90, 31): the reply to `tx.rollback`.
public struct TxRollbackOk: Hashable, Sendable {
    public static let classID: UInt16 = 90
    public static let methodID: UInt16 = 31

    public init() {}

    /// Reads the arguments, which follow the class and method ids.
    public init(from reader: inout ByteReader) throws(AMQPError) {}

    /// Writes the arguments, without the class and method ids.
    public func encode(to writer: inout ByteWriter) {}
}

/// Any AMQP 0-9-1 method with its arguments: what a method frame carries.
public enum Method: Hashable, Sendable {
    case connectionStart(ConnectionStart)
    case connectionStartOk(ConnectionStartOk)
    case connectionSecure(ConnectionSecure)
    case connectionSecureOk(ConnectionSecureOk)
    case connectionTune(ConnectionTune)
    case connectionTuneOk(ConnectionTuneOk)
    case connectionOpen(ConnectionOpen)
    case connectionOpenOk(ConnectionOpenOk)
    case connectionClose(ConnectionClose)
    case connectionCloseOk(ConnectionCloseOk)
    case connectionBlocked(ConnectionBlocked)
    case connectionUnblocked(ConnectionUnblocked)
    case connectionUpdateSecret(ConnectionUpdateSecret)
    case connectionUpdateSecretOk(ConnectionUpdateSecretOk)
    case channelOpen(ChannelOpen)
    case channelOpenOk(ChannelOpenOk)
    case channelFlow(ChannelFlow)
    case channelFlowOk(ChannelFlowOk)
    case channelClose(ChannelClose)
    case channelCloseOk(ChannelCloseOk)
    case exchangeDeclare(ExchangeDeclare)
    case exchangeDeclareOk(ExchangeDeclareOk)
    case exchangeDelete(ExchangeDelete)
    case exchangeDeleteOk(ExchangeDeleteOk)
    case exchangeBind(ExchangeBind)
    case exchangeBindOk(ExchangeBindOk)
    case exchangeUnbind(ExchangeUnbind)
    case exchangeUnbindOk(ExchangeUnbindOk)
    case queueDeclare(QueueDeclare)
    case queueDeclareOk(QueueDeclareOk)
    case queueBind(QueueBind)
    case queueBindOk(QueueBindOk)
    case queuePurge(QueuePurge)
    case queuePurgeOk(QueuePurgeOk)
    case queueDelete(QueueDelete)
    case queueDeleteOk(QueueDeleteOk)
    case queueUnbind(QueueUnbind)
    case queueUnbindOk(QueueUnbindOk)
    case basicQos(BasicQos)
    case basicQosOk(BasicQosOk)
    case basicConsume(BasicConsume)
    case basicConsumeOk(BasicConsumeOk)
    case basicCancel(BasicCancel)
    case basicCancelOk(BasicCancelOk)
    case basicPublish(BasicPublish)
    case basicReturn(BasicReturn)
    case basicDeliver(BasicDeliver)
    case basicGet(BasicGet)
    case basicGetOk(BasicGetOk)
    case basicGetEmpty(BasicGetEmpty)
    case basicAck(BasicAck)
    case basicReject(BasicReject)
    case basicRecoverAsync(BasicRecoverAsync)
    case basicRecover(BasicRecover)
    case basicRecoverOk(BasicRecoverOk)
    case basicNack(BasicNack)
    case confirmSelect(ConfirmSelect)
    case confirmSelectOk(ConfirmSelectOk)
    case txSelect(TxSelect)
    case txSelectOk(TxSelectOk)
    case txCommit(TxCommit)
    case txCommitOk(TxCommitOk)
    case txRollback(TxRollback)
    case txRollbackOk(TxRollbackOk)

    /// Decodes a whole method frame payload: class id, method id, then the
    /// arguments, which must use up the payload exactly.
    ///
    /// An unknown class or method id is a 503 command-invalid error; arguments
    /// cut short or followed by stray bytes are a 501 frame error. Either way
    /// the error names the class and method ids that were read.
    public static func decode(from reader: inout ByteReader) throws(AMQPError) -> Method {
        let classID = try reader.readUInt16()
        let methodID = try reader.readUInt16()
        do throws(AMQPError) {
            let method = try decodeArguments(classID: classID, methodID: methodID, from: &reader)
            guard reader.isAtEnd else {
                throw AMQPError(.frameError, "\(method.name) has \(reader.remaining) bytes after its arguments")
            }
            return method
        } catch {
            var error = error
            error.classID = classID
            error.methodID = methodID
            throw error
        }
    }

    @inline(__always)
    private static func decodeArguments(
        classID: UInt16, methodID: UInt16, from reader: inout ByteReader
    ) throws(AMQPError) -> Method {
        switch classID {
        case 10: // connection
            switch methodID {
            case 10: return .connectionStart(try ConnectionStart(from: &reader))
            case 11: return .connectionStartOk(try ConnectionStartOk(from: &reader))
            case 20: return .connectionSecure(try ConnectionSecure(from: &reader))
            case 21: return .connectionSecureOk(try ConnectionSecureOk(from: &reader))
            case 30: return .connectionTune(try ConnectionTune(from: &reader))
            case 31: return .connectionTuneOk(try ConnectionTuneOk(from: &reader))
            case 40: return .connectionOpen(try ConnectionOpen(from: &reader))
            case 41: return .connectionOpenOk(try ConnectionOpenOk(from: &reader))
            case 50: return .connectionClose(try ConnectionClose(from: &reader))
            case 51: return .connectionCloseOk(try ConnectionCloseOk(from: &reader))
            case 60: return .connectionBlocked(try ConnectionBlocked(from: &reader))
            case 61: return .connectionUnblocked(try ConnectionUnblocked(from: &reader))
            case 70: return .connectionUpdateSecret(try ConnectionUpdateSecret(from: &reader))
            case 71: return .connectionUpdateSecretOk(try ConnectionUpdateSecretOk(from: &reader))
            default: throw unknownMethod(classID, methodID, inClass: "connection")
            }
        case 20: // channel
            switch methodID {
            case 10: return .channelOpen(try ChannelOpen(from: &reader))
            case 11: return .channelOpenOk(try ChannelOpenOk(from: &reader))
            case 20: return .channelFlow(try ChannelFlow(from: &reader))
            case 21: return .channelFlowOk(try ChannelFlowOk(from: &reader))
            case 40: return .channelClose(try ChannelClose(from: &reader))
            case 41: return .channelCloseOk(try ChannelCloseOk(from: &reader))
            default: throw unknownMethod(classID, methodID, inClass: "channel")
            }
        case 40: // exchange
            switch methodID {
            case 10: return .exchangeDeclare(try ExchangeDeclare(from: &reader))
            case 11: return .exchangeDeclareOk(try ExchangeDeclareOk(from: &reader))
            case 20: return .exchangeDelete(try ExchangeDelete(from: &reader))
            case 21: return .exchangeDeleteOk(try ExchangeDeleteOk(from: &reader))
            case 30: return .exchangeBind(try ExchangeBind(from: &reader))
            case 31: return .exchangeBindOk(try ExchangeBindOk(from: &reader))
            case 40: return .exchangeUnbind(try ExchangeUnbind(from: &reader))
            case 51: return .exchangeUnbindOk(try ExchangeUnbindOk(from: &reader))
            default: throw unknownMethod(classID, methodID, inClass: "exchange")
            }
        case 50: // queue
            switch methodID {
            case 10: return .queueDeclare(try QueueDeclare(from: &reader))
            case 11: return .queueDeclareOk(try QueueDeclareOk(from: &reader))
            case 20: return .queueBind(try QueueBind(from: &reader))
            case 21: return .queueBindOk(try QueueBindOk(from: &reader))
            case 30: return .queuePurge(try QueuePurge(from: &reader))
            case 31: return .queuePurgeOk(try QueuePurgeOk(from: &reader))
            case 40: return .queueDelete(try QueueDelete(from: &reader))
            case 41: return .queueDeleteOk(try QueueDeleteOk(from: &reader))
            case 50: return .queueUnbind(try QueueUnbind(from: &reader))
            case 51: return .queueUnbindOk(try QueueUnbindOk(from: &reader))
            default: throw unknownMethod(classID, methodID, inClass: "queue")
            }
        case 60: // basic
            switch methodID {
            case 10: return .basicQos(try BasicQos(from: &reader))
            case 11: return .basicQosOk(try BasicQosOk(from: &reader))
            case 20: return .basicConsume(try BasicConsume(from: &reader))
            case 21: return .basicConsumeOk(try BasicConsumeOk(from: &reader))
            case 30: return .basicCancel(try BasicCancel(from: &reader))
            case 31: return .basicCancelOk(try BasicCancelOk(from: &reader))
            case 40: return .basicPublish(try BasicPublish(from: &reader))
            case 50: return .basicReturn(try BasicReturn(from: &reader))
            case 60: return .basicDeliver(try BasicDeliver(from: &reader))
            case 70: return .basicGet(try BasicGet(from: &reader))
            case 71: return .basicGetOk(try BasicGetOk(from: &reader))
            case 72: return .basicGetEmpty(try BasicGetEmpty(from: &reader))
            case 80: return .basicAck(try BasicAck(from: &reader))
            case 90: return .basicReject(try BasicReject(from: &reader))
            case 100: return .basicRecoverAsync(try BasicRecoverAsync(from: &reader))
            case 110: return .basicRecover(try BasicRecover(from: &reader))
            case 111: return .basicRecoverOk(try BasicRecoverOk(from: &reader))
            case 120: return .basicNack(try BasicNack(from: &reader))
            default: throw unknownMethod(classID, methodID, inClass: "basic")
            }
        case 85: // confirm
            switch methodID {
            case 10: return .confirmSelect(try ConfirmSelect(from: &reader))
            case 11: return .confirmSelectOk(try ConfirmSelectOk(from: &reader))
            default: throw unknownMethod(classID, methodID, inClass: "confirm")
            }
        case 90: // tx
            switch methodID {
            case 10: return .txSelect(try TxSelect(from: &reader))
            case 11: return .txSelectOk(try TxSelectOk(from: &reader))
            case 20: return .txCommit(try TxCommit(from: &reader))
            case 21: return .txCommitOk(try TxCommitOk(from: &reader))
            case 30: return .txRollback(try TxRollback(from: &reader))
            case 31: return .txRollbackOk(try TxRollbackOk(from: &reader))
            default: throw unknownMethod(classID, methodID, inClass: "tx")
            }
        default: throw unknownMethod(classID, methodID, inClass: nil)
        }
    }

    /// RabbitMQ's reader has no reply for unknown ids (it exits); Warren answers
    /// 503 command-invalid, as RabbitMQ's channel does for methods it does not handle.
    private static func unknownMethod(_ classID: UInt16, _ methodID: UInt16, inClass name: String?) -> AMQPError {
        guard let name else {
            return AMQPError(.commandInvalid, "unknown method \(classID).\(methodID): no class \(classID)")
        }
        return AMQPError(.commandInvalid, "unknown method \(classID).\(methodID): class \(name) has no method \(methodID)")
    }

    /// Writes a whole method frame payload: class id, method id, arguments.
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .connectionStart(let arguments):
            writer.writeUInt16(ConnectionStart.classID)
            writer.writeUInt16(ConnectionStart.methodID)
            arguments.encode(to: &writer)
        case .connectionStartOk(let arguments):
            writer.writeUInt16(ConnectionStartOk.classID)
            writer.writeUInt16(ConnectionStartOk.methodID)
            arguments.encode(to: &writer)
        case .connectionSecure(let arguments):
            writer.writeUInt16(ConnectionSecure.classID)
            writer.writeUInt16(ConnectionSecure.methodID)
            arguments.encode(to: &writer)
        case .connectionSecureOk(let arguments):
            writer.writeUInt16(ConnectionSecureOk.classID)
            writer.writeUInt16(ConnectionSecureOk.methodID)
            arguments.encode(to: &writer)
        case .connectionTune(let arguments):
            writer.writeUInt16(ConnectionTune.classID)
            writer.writeUInt16(ConnectionTune.methodID)
            arguments.encode(to: &writer)
        case .connectionTuneOk(let arguments):
            writer.writeUInt16(ConnectionTuneOk.classID)
            writer.writeUInt16(ConnectionTuneOk.methodID)
            arguments.encode(to: &writer)
        case .connectionOpen(let arguments):
            writer.writeUInt16(ConnectionOpen.classID)
            writer.writeUInt16(ConnectionOpen.methodID)
            arguments.encode(to: &writer)
        case .connectionOpenOk(let arguments):
            writer.writeUInt16(ConnectionOpenOk.classID)
            writer.writeUInt16(ConnectionOpenOk.methodID)
            arguments.encode(to: &writer)
        case .connectionClose(let arguments):
            writer.writeUInt16(ConnectionClose.classID)
            writer.writeUInt16(ConnectionClose.methodID)
            arguments.encode(to: &writer)
        case .connectionCloseOk(let arguments):
            writer.writeUInt16(ConnectionCloseOk.classID)
            writer.writeUInt16(ConnectionCloseOk.methodID)
            arguments.encode(to: &writer)
        case .connectionBlocked(let arguments):
            writer.writeUInt16(ConnectionBlocked.classID)
            writer.writeUInt16(ConnectionBlocked.methodID)
            arguments.encode(to: &writer)
        case .connectionUnblocked(let arguments):
            writer.writeUInt16(ConnectionUnblocked.classID)
            writer.writeUInt16(ConnectionUnblocked.methodID)
            arguments.encode(to: &writer)
        case .connectionUpdateSecret(let arguments):
            writer.writeUInt16(ConnectionUpdateSecret.classID)
            writer.writeUInt16(ConnectionUpdateSecret.methodID)
            arguments.encode(to: &writer)
        case .connectionUpdateSecretOk(let arguments):
            writer.writeUInt16(ConnectionUpdateSecretOk.classID)
            writer.writeUInt16(ConnectionUpdateSecretOk.methodID)
            arguments.encode(to: &writer)
        case .channelOpen(let arguments):
            writer.writeUInt16(ChannelOpen.classID)
            writer.writeUInt16(ChannelOpen.methodID)
            arguments.encode(to: &writer)
        case .channelOpenOk(let arguments):
            writer.writeUInt16(ChannelOpenOk.classID)
            writer.writeUInt16(ChannelOpenOk.methodID)
            arguments.encode(to: &writer)
        case .channelFlow(let arguments):
            writer.writeUInt16(ChannelFlow.classID)
            writer.writeUInt16(ChannelFlow.methodID)
            arguments.encode(to: &writer)
        case .channelFlowOk(let arguments):
            writer.writeUInt16(ChannelFlowOk.classID)
            writer.writeUInt16(ChannelFlowOk.methodID)
            arguments.encode(to: &writer)
        case .channelClose(let arguments):
            writer.writeUInt16(ChannelClose.classID)
            writer.writeUInt16(ChannelClose.methodID)
            arguments.encode(to: &writer)
        case .channelCloseOk(let arguments):
            writer.writeUInt16(ChannelCloseOk.classID)
            writer.writeUInt16(ChannelCloseOk.methodID)
            arguments.encode(to: &writer)
        case .exchangeDeclare(let arguments):
            writer.writeUInt16(ExchangeDeclare.classID)
            writer.writeUInt16(ExchangeDeclare.methodID)
            arguments.encode(to: &writer)
        case .exchangeDeclareOk(let arguments):
            writer.writeUInt16(ExchangeDeclareOk.classID)
            writer.writeUInt16(ExchangeDeclareOk.methodID)
            arguments.encode(to: &writer)
        case .exchangeDelete(let arguments):
            writer.writeUInt16(ExchangeDelete.classID)
            writer.writeUInt16(ExchangeDelete.methodID)
            arguments.encode(to: &writer)
        case .exchangeDeleteOk(let arguments):
            writer.writeUInt16(ExchangeDeleteOk.classID)
            writer.writeUInt16(ExchangeDeleteOk.methodID)
            arguments.encode(to: &writer)
        case .exchangeBind(let arguments):
            writer.writeUInt16(ExchangeBind.classID)
            writer.writeUInt16(ExchangeBind.methodID)
            arguments.encode(to: &writer)
        case .exchangeBindOk(let arguments):
            writer.writeUInt16(ExchangeBindOk.classID)
            writer.writeUInt16(ExchangeBindOk.methodID)
            arguments.encode(to: &writer)
        case .exchangeUnbind(let arguments):
            writer.writeUInt16(ExchangeUnbind.classID)
            writer.writeUInt16(ExchangeUnbind.methodID)
            arguments.encode(to: &writer)
        case .exchangeUnbindOk(let arguments):
            writer.writeUInt16(ExchangeUnbindOk.classID)
            writer.writeUInt16(ExchangeUnbindOk.methodID)
            arguments.encode(to: &writer)
        case .queueDeclare(let arguments):
            writer.writeUInt16(QueueDeclare.classID)
            writer.writeUInt16(QueueDeclare.methodID)
            arguments.encode(to: &writer)
        case .queueDeclareOk(let arguments):
            writer.writeUInt16(QueueDeclareOk.classID)
            writer.writeUInt16(QueueDeclareOk.methodID)
            arguments.encode(to: &writer)
        case .queueBind(let arguments):
            writer.writeUInt16(QueueBind.classID)
            writer.writeUInt16(QueueBind.methodID)
            arguments.encode(to: &writer)
        case .queueBindOk(let arguments):
            writer.writeUInt16(QueueBindOk.classID)
            writer.writeUInt16(QueueBindOk.methodID)
            arguments.encode(to: &writer)
        case .queuePurge(let arguments):
            writer.writeUInt16(QueuePurge.classID)
            writer.writeUInt16(QueuePurge.methodID)
            arguments.encode(to: &writer)
        case .queuePurgeOk(let arguments):
            writer.writeUInt16(QueuePurgeOk.classID)
            writer.writeUInt16(QueuePurgeOk.methodID)
            arguments.encode(to: &writer)
        case .queueDelete(let arguments):
            writer.writeUInt16(QueueDelete.classID)
            writer.writeUInt16(QueueDelete.methodID)
            arguments.encode(to: &writer)
        case .queueDeleteOk(let arguments):
            writer.writeUInt16(QueueDeleteOk.classID)
            writer.writeUInt16(QueueDeleteOk.methodID)
            arguments.encode(to: &writer)
        case .queueUnbind(let arguments):
            writer.writeUInt16(QueueUnbind.classID)
            writer.writeUInt16(QueueUnbind.methodID)
            arguments.encode(to: &writer)
        case .queueUnbindOk(let arguments):
            writer.writeUInt16(QueueUnbindOk.classID)
            writer.writeUInt16(QueueUnbindOk.methodID)
            arguments.encode(to: &writer)
        case .basicQos(let arguments):
            writer.writeUInt16(BasicQos.classID)
            writer.writeUInt16(BasicQos.methodID)
            arguments.encode(to: &writer)
        case .basicQosOk(let arguments):
            writer.writeUInt16(BasicQosOk.classID)
            writer.writeUInt16(BasicQosOk.methodID)
            arguments.encode(to: &writer)
        case .basicConsume(let arguments):
            writer.writeUInt16(BasicConsume.classID)
            writer.writeUInt16(BasicConsume.methodID)
            arguments.encode(to: &writer)
        case .basicConsumeOk(let arguments):
            writer.writeUInt16(BasicConsumeOk.classID)
            writer.writeUInt16(BasicConsumeOk.methodID)
            arguments.encode(to: &writer)
        case .basicCancel(let arguments):
            writer.writeUInt16(BasicCancel.classID)
            writer.writeUInt16(BasicCancel.methodID)
            arguments.encode(to: &writer)
        case .basicCancelOk(let arguments):
            writer.writeUInt16(BasicCancelOk.classID)
            writer.writeUInt16(BasicCancelOk.methodID)
            arguments.encode(to: &writer)
        case .basicPublish(let arguments):
            writer.writeUInt16(BasicPublish.classID)
            writer.writeUInt16(BasicPublish.methodID)
            arguments.encode(to: &writer)
        case .basicReturn(let arguments):
            writer.writeUInt16(BasicReturn.classID)
            writer.writeUInt16(BasicReturn.methodID)
            arguments.encode(to: &writer)
        case .basicDeliver(let arguments):
            writer.writeUInt16(BasicDeliver.classID)
            writer.writeUInt16(BasicDeliver.methodID)
            arguments.encode(to: &writer)
        case .basicGet(let arguments):
            writer.writeUInt16(BasicGet.classID)
            writer.writeUInt16(BasicGet.methodID)
            arguments.encode(to: &writer)
        case .basicGetOk(let arguments):
            writer.writeUInt16(BasicGetOk.classID)
            writer.writeUInt16(BasicGetOk.methodID)
            arguments.encode(to: &writer)
        case .basicGetEmpty(let arguments):
            writer.writeUInt16(BasicGetEmpty.classID)
            writer.writeUInt16(BasicGetEmpty.methodID)
            arguments.encode(to: &writer)
        case .basicAck(let arguments):
            writer.writeUInt16(BasicAck.classID)
            writer.writeUInt16(BasicAck.methodID)
            arguments.encode(to: &writer)
        case .basicReject(let arguments):
            writer.writeUInt16(BasicReject.classID)
            writer.writeUInt16(BasicReject.methodID)
            arguments.encode(to: &writer)
        case .basicRecoverAsync(let arguments):
            writer.writeUInt16(BasicRecoverAsync.classID)
            writer.writeUInt16(BasicRecoverAsync.methodID)
            arguments.encode(to: &writer)
        case .basicRecover(let arguments):
            writer.writeUInt16(BasicRecover.classID)
            writer.writeUInt16(BasicRecover.methodID)
            arguments.encode(to: &writer)
        case .basicRecoverOk(let arguments):
            writer.writeUInt16(BasicRecoverOk.classID)
            writer.writeUInt16(BasicRecoverOk.methodID)
            arguments.encode(to: &writer)
        case .basicNack(let arguments):
            writer.writeUInt16(BasicNack.classID)
            writer.writeUInt16(BasicNack.methodID)
            arguments.encode(to: &writer)
        case .confirmSelect(let arguments):
            writer.writeUInt16(ConfirmSelect.classID)
            writer.writeUInt16(ConfirmSelect.methodID)
            arguments.encode(to: &writer)
        case .confirmSelectOk(let arguments):
            writer.writeUInt16(ConfirmSelectOk.classID)
            writer.writeUInt16(ConfirmSelectOk.methodID)
            arguments.encode(to: &writer)
        case .txSelect(let arguments):
            writer.writeUInt16(TxSelect.classID)
            writer.writeUInt16(TxSelect.methodID)
            arguments.encode(to: &writer)
        case .txSelectOk(let arguments):
            writer.writeUInt16(TxSelectOk.classID)
            writer.writeUInt16(TxSelectOk.methodID)
            arguments.encode(to: &writer)
        case .txCommit(let arguments):
            writer.writeUInt16(TxCommit.classID)
            writer.writeUInt16(TxCommit.methodID)
            arguments.encode(to: &writer)
        case .txCommitOk(let arguments):
            writer.writeUInt16(TxCommitOk.classID)
            writer.writeUInt16(TxCommitOk.methodID)
            arguments.encode(to: &writer)
        case .txRollback(let arguments):
            writer.writeUInt16(TxRollback.classID)
            writer.writeUInt16(TxRollback.methodID)
            arguments.encode(to: &writer)
        case .txRollbackOk(let arguments):
            writer.writeUInt16(TxRollbackOk.classID)
            writer.writeUInt16(TxRollbackOk.methodID)
            arguments.encode(to: &writer)
        }
    }

    /// The class id, the payload's first short.
    public var classID: UInt16 {
        switch self {
        case .connectionStart,
             .connectionStartOk,
             .connectionSecure,
             .connectionSecureOk,
             .connectionTune,
             .connectionTuneOk,
             .connectionOpen,
             .connectionOpenOk,
             .connectionClose,
             .connectionCloseOk,
             .connectionBlocked,
             .connectionUnblocked,
             .connectionUpdateSecret,
             .connectionUpdateSecretOk:
            10
        case .channelOpen, .channelOpenOk, .channelFlow, .channelFlowOk, .channelClose, .channelCloseOk: 20
        case .exchangeDeclare,
             .exchangeDeclareOk,
             .exchangeDelete,
             .exchangeDeleteOk,
             .exchangeBind,
             .exchangeBindOk,
             .exchangeUnbind,
             .exchangeUnbindOk:
            40
        case .queueDeclare,
             .queueDeclareOk,
             .queueBind,
             .queueBindOk,
             .queuePurge,
             .queuePurgeOk,
             .queueDelete,
             .queueDeleteOk,
             .queueUnbind,
             .queueUnbindOk:
            50
        case .basicQos,
             .basicQosOk,
             .basicConsume,
             .basicConsumeOk,
             .basicCancel,
             .basicCancelOk,
             .basicPublish,
             .basicReturn,
             .basicDeliver,
             .basicGet,
             .basicGetOk,
             .basicGetEmpty,
             .basicAck,
             .basicReject,
             .basicRecoverAsync,
             .basicRecover,
             .basicRecoverOk,
             .basicNack:
            60
        case .confirmSelect, .confirmSelectOk: 85
        case .txSelect, .txSelectOk, .txCommit, .txCommitOk, .txRollback, .txRollbackOk: 90
        }
    }

    /// The method id within its class, the payload's second short.
    public var methodID: UInt16 {
        switch self {
        case .connectionStart: ConnectionStart.methodID
        case .connectionStartOk: ConnectionStartOk.methodID
        case .connectionSecure: ConnectionSecure.methodID
        case .connectionSecureOk: ConnectionSecureOk.methodID
        case .connectionTune: ConnectionTune.methodID
        case .connectionTuneOk: ConnectionTuneOk.methodID
        case .connectionOpen: ConnectionOpen.methodID
        case .connectionOpenOk: ConnectionOpenOk.methodID
        case .connectionClose: ConnectionClose.methodID
        case .connectionCloseOk: ConnectionCloseOk.methodID
        case .connectionBlocked: ConnectionBlocked.methodID
        case .connectionUnblocked: ConnectionUnblocked.methodID
        case .connectionUpdateSecret: ConnectionUpdateSecret.methodID
        case .connectionUpdateSecretOk: ConnectionUpdateSecretOk.methodID
        case .channelOpen: ChannelOpen.methodID
        case .channelOpenOk: ChannelOpenOk.methodID
        case .channelFlow: ChannelFlow.methodID
        case .channelFlowOk: ChannelFlowOk.methodID
        case .channelClose: ChannelClose.methodID
        case .channelCloseOk: ChannelCloseOk.methodID
        case .exchangeDeclare: ExchangeDeclare.methodID
        case .exchangeDeclareOk: ExchangeDeclareOk.methodID
        case .exchangeDelete: ExchangeDelete.methodID
        case .exchangeDeleteOk: ExchangeDeleteOk.methodID
        case .exchangeBind: ExchangeBind.methodID
        case .exchangeBindOk: ExchangeBindOk.methodID
        case .exchangeUnbind: ExchangeUnbind.methodID
        case .exchangeUnbindOk: ExchangeUnbindOk.methodID
        case .queueDeclare: QueueDeclare.methodID
        case .queueDeclareOk: QueueDeclareOk.methodID
        case .queueBind: QueueBind.methodID
        case .queueBindOk: QueueBindOk.methodID
        case .queuePurge: QueuePurge.methodID
        case .queuePurgeOk: QueuePurgeOk.methodID
        case .queueDelete: QueueDelete.methodID
        case .queueDeleteOk: QueueDeleteOk.methodID
        case .queueUnbind: QueueUnbind.methodID
        case .queueUnbindOk: QueueUnbindOk.methodID
        case .basicQos: BasicQos.methodID
        case .basicQosOk: BasicQosOk.methodID
        case .basicConsume: BasicConsume.methodID
        case .basicConsumeOk: BasicConsumeOk.methodID
        case .basicCancel: BasicCancel.methodID
        case .basicCancelOk: BasicCancelOk.methodID
        case .basicPublish: BasicPublish.methodID
        case .basicReturn: BasicReturn.methodID
        case .basicDeliver: BasicDeliver.methodID
        case .basicGet: BasicGet.methodID
        case .basicGetOk: BasicGetOk.methodID
        case .basicGetEmpty: BasicGetEmpty.methodID
        case .basicAck: BasicAck.methodID
        case .basicReject: BasicReject.methodID
        case .basicRecoverAsync: BasicRecoverAsync.methodID
        case .basicRecover: BasicRecover.methodID
        case .basicRecoverOk: BasicRecoverOk.methodID
        case .basicNack: BasicNack.methodID
        case .confirmSelect: ConfirmSelect.methodID
        case .confirmSelectOk: ConfirmSelectOk.methodID
        case .txSelect: TxSelect.methodID
        case .txSelectOk: TxSelectOk.methodID
        case .txCommit: TxCommit.methodID
        case .txCommitOk: TxCommitOk.methodID
        case .txRollback: TxRollback.methodID
        case .txRollbackOk: TxRollbackOk.methodID
        }
    }

    /// The spec's name, e.g. `basic.publish`.
    public var name: String {
        switch self {
        case .connectionStart: "connection.start"
        case .connectionStartOk: "connection.start-ok"
        case .connectionSecure: "connection.secure"
        case .connectionSecureOk: "connection.secure-ok"
        case .connectionTune: "connection.tune"
        case .connectionTuneOk: "connection.tune-ok"
        case .connectionOpen: "connection.open"
        case .connectionOpenOk: "connection.open-ok"
        case .connectionClose: "connection.close"
        case .connectionCloseOk: "connection.close-ok"
        case .connectionBlocked: "connection.blocked"
        case .connectionUnblocked: "connection.unblocked"
        case .connectionUpdateSecret: "connection.update-secret"
        case .connectionUpdateSecretOk: "connection.update-secret-ok"
        case .channelOpen: "channel.open"
        case .channelOpenOk: "channel.open-ok"
        case .channelFlow: "channel.flow"
        case .channelFlowOk: "channel.flow-ok"
        case .channelClose: "channel.close"
        case .channelCloseOk: "channel.close-ok"
        case .exchangeDeclare: "exchange.declare"
        case .exchangeDeclareOk: "exchange.declare-ok"
        case .exchangeDelete: "exchange.delete"
        case .exchangeDeleteOk: "exchange.delete-ok"
        case .exchangeBind: "exchange.bind"
        case .exchangeBindOk: "exchange.bind-ok"
        case .exchangeUnbind: "exchange.unbind"
        case .exchangeUnbindOk: "exchange.unbind-ok"
        case .queueDeclare: "queue.declare"
        case .queueDeclareOk: "queue.declare-ok"
        case .queueBind: "queue.bind"
        case .queueBindOk: "queue.bind-ok"
        case .queuePurge: "queue.purge"
        case .queuePurgeOk: "queue.purge-ok"
        case .queueDelete: "queue.delete"
        case .queueDeleteOk: "queue.delete-ok"
        case .queueUnbind: "queue.unbind"
        case .queueUnbindOk: "queue.unbind-ok"
        case .basicQos: "basic.qos"
        case .basicQosOk: "basic.qos-ok"
        case .basicConsume: "basic.consume"
        case .basicConsumeOk: "basic.consume-ok"
        case .basicCancel: "basic.cancel"
        case .basicCancelOk: "basic.cancel-ok"
        case .basicPublish: "basic.publish"
        case .basicReturn: "basic.return"
        case .basicDeliver: "basic.deliver"
        case .basicGet: "basic.get"
        case .basicGetOk: "basic.get-ok"
        case .basicGetEmpty: "basic.get-empty"
        case .basicAck: "basic.ack"
        case .basicReject: "basic.reject"
        case .basicRecoverAsync: "basic.recover-async"
        case .basicRecover: "basic.recover"
        case .basicRecoverOk: "basic.recover-ok"
        case .basicNack: "basic.nack"
        case .confirmSelect: "confirm.select"
        case .confirmSelectOk: "confirm.select-ok"
        case .txSelect: "tx.select"
        case .txSelectOk: "tx.select-ok"
        case .txCommit: "tx.commit"
        case .txCommitOk: "tx.commit-ok"
        case .txRollback: "tx.rollback"
        case .txRollbackOk: "tx.rollback-ok"
        }
    }

    /// True when a content header and body frames follow the method.
    public var hasContent: Bool {
        switch self {
        case .basicPublish, .basicReturn, .basicDeliver, .basicGetOk: true
        default: false
        }
    }

    /// True for a request that the spec answers with a reply (see `isReply(to:)`),
    /// whether or not this instance asked for no reply with its no-wait bit.
    public var isSynchronousRequest: Bool {
        switch self {
        case .connectionStart,
             .connectionSecure,
             .connectionTune,
             .connectionOpen,
             .connectionClose,
             .connectionUpdateSecret,
             .channelOpen,
             .channelFlow,
             .channelClose,
             .exchangeDeclare,
             .exchangeDelete,
             .exchangeBind,
             .exchangeUnbind,
             .queueDeclare,
             .queueBind,
             .queuePurge,
             .queueDelete,
             .queueUnbind,
             .basicQos,
             .basicConsume,
             .basicCancel,
             .basicGet,
             .basicRecover,
             .confirmSelect,
             .txSelect,
             .txCommit,
             .txRollback:
            true
        default: false
        }
    }

    /// True when the peer must answer this method: a synchronous request
    /// whose no-wait bit, if it has one, is clear.
    public var expectsReply: Bool {
        switch self {
        case .exchangeDeclare(let arguments): !arguments.noWait
        case .exchangeDelete(let arguments): !arguments.noWait
        case .exchangeBind(let arguments): !arguments.noWait
        case .exchangeUnbind(let arguments): !arguments.noWait
        case .queueDeclare(let arguments): !arguments.noWait
        case .queueBind(let arguments): !arguments.noWait
        case .queuePurge(let arguments): !arguments.noWait
        case .queueDelete(let arguments): !arguments.noWait
        case .basicConsume(let arguments): !arguments.noWait
        case .basicCancel(let arguments): !arguments.noWait
        case .confirmSelect(let arguments): !arguments.noWait
        case .connectionStart,
             .connectionSecure,
             .connectionTune,
             .connectionOpen,
             .connectionClose,
             .connectionUpdateSecret,
             .channelOpen,
             .channelFlow,
             .channelClose,
             .queueUnbind,
             .basicQos,
             .basicGet,
             .basicRecover,
             .txSelect,
             .txCommit,
             .txRollback:
            true
        default: false
        }
    }

    /// True when this method is one of the spec's replies to `request`,
    /// e.g. `queue.declare-ok` to `queue.declare`, or `basic.get-empty` to `basic.get`.
    public func isReply(to request: Method) -> Bool {
        switch (request, self) {
        case (.connectionStart, .connectionStartOk),
             (.connectionSecure, .connectionSecureOk),
             (.connectionTune, .connectionTuneOk),
             (.connectionOpen, .connectionOpenOk),
             (.connectionClose, .connectionCloseOk),
             (.connectionUpdateSecret, .connectionUpdateSecretOk),
             (.channelOpen, .channelOpenOk),
             (.channelFlow, .channelFlowOk),
             (.channelClose, .channelCloseOk),
             (.exchangeDeclare, .exchangeDeclareOk),
             (.exchangeDelete, .exchangeDeleteOk),
             (.exchangeBind, .exchangeBindOk),
             (.exchangeUnbind, .exchangeUnbindOk),
             (.queueDeclare, .queueDeclareOk),
             (.queueBind, .queueBindOk),
             (.queuePurge, .queuePurgeOk),
             (.queueDelete, .queueDeleteOk),
             (.queueUnbind, .queueUnbindOk),
             (.basicQos, .basicQosOk),
             (.basicConsume, .basicConsumeOk),
             (.basicCancel, .basicCancelOk),
             (.basicGet, .basicGetOk),
             (.basicGet, .basicGetEmpty),
             (.basicRecover, .basicRecoverOk),
             (.confirmSelect, .confirmSelectOk),
             (.txSelect, .txSelectOk),
             (.txCommit, .txCommitOk),
             (.txRollback, .txRollbackOk):
            true
        default: false
        }
    }
}
