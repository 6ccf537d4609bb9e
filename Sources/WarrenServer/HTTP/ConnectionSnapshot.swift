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

    private static func channels(of connection: ClientConnection) -> [ChannelSnapshot] {
        let channels = connection.channels
        return channels.keys.sorted().compactMap { number in
            channels[number].map { ChannelSnapshot(connectionName: connection.name, number: number, session: $0.session) }
        }
    }
}
