/// The whole broker model: virtual hosts and users, under one configuration.
///
/// No singletons: the server makes one `Broker` and drives it from its event
/// loop thread. Message sequence numbers and server-made names come from
/// state shared by all its vhosts.
///
/// Threading, stated once for the whole module: every class here (broker,
/// vhosts, exchanges, queues, sessions, consumers) is owned by that one
/// thread and is deliberately not `Sendable`. Because nothing else touches
/// them, and no method holds an `inout` access to a property while calling
/// out to a sink, the properties on the publish → deliver → ack path are
/// marked `@exclusivity(unchecked)`: Swift's run-time exclusivity checks cost
/// about a fifth of that path's time (measured with perf, release build).
public final class Broker {
    public let configuration: Configuration
    private var virtualHostsByName: [String: VirtualHost] = [:]
    private var usersByName: [String: User] = [:]
    private let names: NameGenerator
    private let sequencer = MessageSequencer()
    public let defaultVirtualHost: VirtualHost

    public init(configuration: Configuration = Configuration(),
                random: some RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.configuration = configuration
        let names = NameGenerator(random: random)
        self.names = names
        defaultVirtualHost = VirtualHost(name: configuration.defaultVirtualHost, configuration: configuration,
                                         names: names, sequencer: sequencer)
        virtualHostsByName[configuration.defaultVirtualHost] = defaultVirtualHost
        addUser(User(name: configuration.defaultUser, password: configuration.defaultPassword,
                     tags: ["administrator"], loopbackOnly: configuration.defaultUserLoopbackOnly))
    }

    public func virtualHost(named name: String) -> VirtualHost? { virtualHostsByName[name] }

    /// Wall-clock milliseconds for the ids Warren gives messages (`MessageID`).
    /// The server sets it once; it is called once per message without an id.
    public var messageIDClock: () -> UInt64 {
        get { sequencer.millisecondClock }
        set { sequencer.millisecondClock = newValue }
    }

    public var virtualHostNames: [String] { virtualHostsByName.keys.sorted { $0.bytesPrecede($1) } }

    /// Where TTLs, queue expiry and `x-death` times come from, in every vhost
    /// (see `BrokerClock`). The server installs its event loop's clock.
    public var clock = BrokerClock.stopped {
        didSet { for host in virtualHostsByName.values { host.clock = clock } }
    }

    /// The earliest TTL or queue-expiry deadline in any vhost (monotonic ms).
    /// Cheap enough to ask after every event-loop turn.
    public var nextExpiryDeadline: UInt64? {
        var earliest: UInt64?
        for host in virtualHostsByName.values {
            if let deadline = host.nextExpiryDeadline, deadline < earliest ?? .max { earliest = deadline }
        }
        return earliest
    }

    /// `VirtualHost.expire(now:)` in every vhost; returns the next deadline.
    @discardableResult
    public func expire(now: BrokerTime) -> UInt64? {
        for name in virtualHostNames { virtualHostsByName[name]?.expire(now: now) }
        return nextExpiryDeadline
    }

    /// Where durable changes and persistent messages are recorded, in every vhost
    /// (see `DurabilityLog`). Nil, the default, means no persistence.
    public var durability: DurabilityLog? {
        didSet { for host in virtualHostsByName.values { host.durability = durability } }
    }

    /// The vhost called `name`, made if it does not exist yet.
    @discardableResult
    public func addVirtualHost(named name: String) -> VirtualHost {
        if let existing = virtualHostsByName[name] { return existing }
        let created = VirtualHost(name: name, configuration: configuration, names: names, sequencer: sequencer)
        created.clock = clock
        created.durability = durability
        virtualHostsByName[name] = created
        return created
    }

    public func user(named name: String) -> User? { usersByName[name] }

    /// Every user's name, sorted.
    public var userNames: [String] { usersByName.keys.sorted() }

    /// Adds or replaces a user.
    public func addUser(_ user: User) { usersByName[user.name] = user }

    /// The user if the name and password match; nil otherwise. The server
    /// still has to check `loopbackOnly` against the peer address.
    public func authenticate(username: String, password: String) -> User? {
        guard let user = usersByName[username], user.checkPassword(password) else { return nil }
        return user
    }

    /// A connection closed: every vhost drops the queues it held exclusively.
    public func connectionClosed(_ connection: ConnectionID) {
        for name in virtualHostNames { virtualHostsByName[name]?.connectionClosed(connection) }
    }
}
