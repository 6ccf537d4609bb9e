/// The broker model's settings, passed in by whoever makes the `Broker`.
public struct Configuration: Sendable {
    /// The vhost that exists from the start.
    public var defaultVirtualHost = "/"
    /// The user that exists from the start, as in RabbitMQ.
    public var defaultUser = "guest"
    public var defaultPassword = "guest"
    /// RabbitMQ's `loopback_users` default: guest may log in only over loopback.
    public var defaultUserLoopbackOnly = true
    /// How many routing keys each topic exchange remembers results for; 0 turns the memo off.
    public var topicRouteCacheCapacity = 1024

    public init() {}
}
