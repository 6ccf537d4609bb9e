import AMQPProtocol

/// A queue: ready messages in order, the consumers taking from it, and the
/// count of messages out with consumers awaiting acknowledgement.
///
/// Unacknowledged messages live in the sessions that hold them, not here, so
/// purging (which empties only the ready list) cannot touch them, and a
/// requeued message goes back to its original place, found by its
/// queue-local sequence number.
public final class Queue {
    public let name: String
    public let isDurable: Bool
    /// The connection that declared it exclusive, if it is exclusive.
    public let exclusiveOwner: ConnectionID?
    public let isAutoDelete: Bool
    public let arguments: FieldTable
    /// The arguments it acts on (TTL, expiry, dead-lettering, limits, priorities).
    public let settings: QueueSettings

    /// Ready messages in order; with priorities, those of priority 0 (see `Queue+Features`).
    @exclusivity(unchecked) var ready = RingBuffer<QueueEntry>()
    @exclusivity(unchecked) public private(set) var consumers: [Consumer] = []
    /// Where the round-robin resumes: the consumer after the last one served.
    @exclusivity(unchecked) private var cursor = 0
    @exclusivity(unchecked) var nextSequence: UInt64 = 0
    @exclusivity(unchecked) public internal(set) var unackedCount = 0
    /// Enqueues, deliveries and acks of this queue.
    @exclusivity(unchecked) public internal(set) var counters = MessageCounters()
    /// Auto-delete applies only to a queue that once had a consumer.
    public private(set) var hasHadConsumers = false
    public internal(set) var isDeleted = false

    /// Bindings that lead here (the default exchange's implicit one aside).
    var incomingBindings = BindingList()
    /// Routing's visited mark (see `RouteCollector`).
    @exclusivity(unchecked) var routeEpoch: UInt64 = 0
    /// Set while waiting in the dispatch scheduler.
    @exclusivity(unchecked) var isScheduled = false

    /// Set while anything beyond a plain FIFO applies: priorities, a length
    /// limit, or ready messages that can expire. The paths of a queue without
    /// it test this flag and nothing else (see `Queue+Features`).
    @exclusivity(unchecked) var usesFeaturePath: Bool
    /// Some ready message may carry a TTL deadline: always under
    /// `x-message-ttl`, otherwise from when a message with `expiration`
    /// arrives until the queue runs empty.
    @exclusivity(unchecked) var mayHoldExpiringMessages: Bool
    /// Priority levels 1 through `x-max-priority` (`ready` holds level 0).
    @exclusivity(unchecked) var upperLevels: [RingBuffer<QueueEntry>]
    @exclusivity(unchecked) var upperCount = 0
    /// No level above this one holds messages.
    @exclusivity(unchecked) var topLevel = 0
    /// Body bytes of the ready messages, kept under `x-max-length-bytes` only.
    @exclusivity(unchecked) var readyBytes = 0
    /// `x-expires` counts from here: declared, redeclared, read by
    /// `basic.get`, or left by its last consumer (monotonic ms).
    var lastUsed: UInt64 = 0
    /// The deadline `DeadlineIndex` holds for it; `.max` for none.
    var indexedDeadline = UInt64.max
    /// The vhost it lives in: its clock, and where its dead letters go.
    weak var virtualHost: VirtualHost?

    init(name: String, durable: Bool = false, exclusiveOwner: ConnectionID? = nil, autoDelete: Bool = false,
         arguments: FieldTable = FieldTable(), settings: QueueSettings = QueueSettings()) {
        self.name = name
        self.isDurable = durable
        self.exclusiveOwner = exclusiveOwner
        self.isAutoDelete = autoDelete
        self.arguments = arguments
        self.settings = settings
        upperLevels = Array(repeating: RingBuffer(), count: Int(settings.maxPriority))
        mayHoldExpiringMessages = settings.messageTTL != nil
        usesFeaturePath = settings.maxPriority > 0 || settings.hasLengthLimit || settings.messageTTL != nil
    }

    /// Ready messages (what `queue.declare-ok` and `basic.get-ok` report).
    public var messageCount: Int { ready.count + upperCount }
    public var consumerCount: Int { consumers.count }

    /// Ready messages pile up while a consumer that acks is attached: it waits for
    /// its acks to be read before it can take more. Publishing faster only lengthens
    /// the backlog, so the server serves acks first. (Consumers that need no acks
    /// fall behind only when their connection stops reading; acks cannot help then.)
    var isBehindConsumers: Bool {
        ready.count >= Self.backlogThreshold && consumers.contains { !$0.noAck && !$0.session.isDeliveryPaused }
    }
    static let backlogThreshold = 1000
    public var isExclusive: Bool { exclusiveOwner != nil }
    var hasExclusiveConsumer: Bool { consumers.contains { $0.isExclusive } }

    /// The ready messages, front first (for inspection; O(n)).
    var readyMessages: [Message] {
        upperLevels.reversed().flatMap { $0.map(\.message) } + ready.map(\.message)
    }

    // MARK: Messages

    /// Enqueues on a queue off the feature path; the others go through `accept`.
    func enqueue(_ message: Message) {
        assert(!usesFeaturePath, "\(name) needs Queue.accept")
        ready.append(QueueEntry(message: message, sequence: nextSequence))
        nextSequence &+= 1
        counters.published &+= 1
    }

    /// Takes the message at the front, for `basic.get` or dispatch.
    func takeFirst() -> QueueEntry? { usesFeaturePath ? takeHead() : ready.popFirst() }

    /// Puts a message back where it was: before every ready message enqueued
    /// after it (of its priority). O(1) when it belongs at the front, as
    /// requeues usually do.
    func requeue(_ entry: QueueEntry) {
        guard !isDeleted else { return }
        if usesFeaturePath || entry.hasDeadline { return requeueWithFeatures(entry) }
        ready.insertInSequence(entry)
    }

    /// Drops every ready message; unacknowledged ones are untouched.
    func purge() -> Int {
        let count = messageCount
        ready.removeAll()
        if upperCount > 0 {
            for level in upperLevels.indices { upperLevels[level].removeAll() }
            upperCount = 0
        }
        readyBytes = 0
        return count
    }

    // MARK: Consumers

    func add(_ consumer: Consumer) {
        consumers.append(consumer)
        hasHadConsumers = true
    }

    func remove(_ consumer: Consumer) {
        guard let index = consumers.firstIndex(where: { $0 === consumer }) else { return }
        consumers.remove(at: index)
        if index < cursor { cursor -= 1 }
        if cursor >= consumers.count { cursor = 0 }
    }

    /// True when an auto-delete queue has just lost its last consumer.
    var shouldAutoDelete: Bool { isAutoDelete && hasHadConsumers && consumers.isEmpty && !isDeleted }

    /// Hands ready messages to consumers with credit, round-robin, until one
    /// side runs out. A loop, never recursion: a sink that acks or publishes
    /// from inside `deliver` only schedules more dispatch.
    func dispatch() {
        if usesFeaturePath { return dispatchWithFeatures() }
        while !isDeleted, !ready.isEmpty, let consumer = nextConsumerWithCredit(), let entry = ready.popFirst() {
            consumer.session.deliver(entry, from: self, to: consumer)
        }
    }

    func nextConsumerWithCredit() -> Consumer? {
        let count = consumers.count
        guard count > 0 else { return nil }
        if cursor >= count { cursor = 0 }
        for offset in 0..<count {
            let index = (cursor + offset) % count
            let consumer = consumers[index]
            if consumer.hasCredit {
                cursor = (index + 1) % count
                return consumer
            }
        }
        return nil
    }
}

extension RingBuffer<QueueEntry> {
    /// Inserts `entry` before every entry with a later sequence number, by
    /// binary search; O(1) at either end.
    mutating func insertInSequence(_ entry: QueueEntry) {
        guard let first, let last, entry.sequence > first.sequence else { return prepend(entry) }
        if entry.sequence > last.sequence { return append(entry) }
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            if let probe = element(at: middle), probe.sequence < entry.sequence {
                low = middle + 1
            } else {
                high = middle
            }
        }
        insert(entry, at: low)
    }
}

/// The queues of one vhost by exact name; shared with the default exchange,
/// which routes by queue name.
final class QueueRegistry {
    private var byName: [ExactKey: Queue] = [:]

    subscript(name: String) -> Queue? {
        get { byName[ExactKey(name)] }
        set { byName[ExactKey(name)] = newValue }
    }

    var all: Dictionary<ExactKey, Queue>.Values { byName.values }
    var count: Int { byName.count }
}
