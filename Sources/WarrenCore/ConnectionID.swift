/// An opaque identity for one client connection, as the server assigns it.
///
/// The core uses it only to say who owns an exclusive queue and which
/// queues to delete when that connection closes.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public var description: String { "connection \(value)" }
}
