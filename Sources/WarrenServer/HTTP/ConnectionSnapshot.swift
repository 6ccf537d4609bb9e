import AMQPProtocol
import WarrenCore

/// A read-only view of one AMQP connection for the management API: who, from
/// where, and its channels. Made on the loop thread at request time.
struct ConnectionSnapshot {
    let connection: ClientConnection
    let channels: [ChannelSnapshot]

    var name: String { connection.name }
    var user: String { connection.user?.name ?? "" }
    var vhost: String { connection.virtualHost?.name ?? "" }
    var peer: SocketAddress { connection.socket.peer }
    var clientProperties: FieldTable { connection.clientProperties }
    var isOpen: Bool { connection.phase == .open }
}

/// One open channel: its number and its broker session.
struct ChannelSnapshot {
    let connectionName: String
    let number: UInt16
    let session: Session

    /// RabbitMQ names a channel after its connection: `peer -> local (N)`.
    var name: String { "\(connectionName) (\(number))" }
}

extension ServerContext {
    /// Every AMQP connection, by name, with its channels by number.
    var connectionSnapshots: [ConnectionSnapshot] {
        connections.values
            .sorted { $0.id.value < $1.id.value }
            .map { connection in
                ConnectionSnapshot(connection: connection, channels: Self.channels(of: connection))
            }
    }

    /// The connection called `name` (as `/api/connections` lists it).
    func connection(named name: String) -> ClientConnection? {
        connections.values.first { $0.name == name }
    }

    /// `ClientConnection` keeps its channel table private to itself; this
    /// reads it without widening that class's interface. It is only reached
    /// from the management API, never from the AMQP path. If the table is ever
    /// renamed, channel listings come back empty (the counts stay right).
    private static func channels(of connection: ClientConnection) -> [ChannelSnapshot] {
        let table = Mirror(reflecting: connection).children.first { $0.label == "channels" }?.value
        guard let channels = table as? [UInt16: ServerChannel] else { return [] }
        return channels.keys.sorted().compactMap { number in
            channels[number].map { ChannelSnapshot(connectionName: connection.name, number: number, session: $0.session) }
        }
    }
}
