import AMQPProtocol
import WarrenCore
import WarrenStore

/// The glue between the event loop, the broker and the store (see docs/storage.md,
/// "How the broker uses the store").
///
/// - At start, `open` takes the data directory (its lock) and recovers the store, on
///   the thread that starts the server; `attach` then rebuilds the durable definitions
///   and messages in the broker on the loop thread, and becomes the broker's
///   `DurabilityLog`.
/// - While running, every durable change and persistent message is appended to the
///   store's buffers on the loop thread (never a disk wait there). At the end of each
///   turn, before any connection writes its output, `requestSync()` writes the buffers
///   to the page cache and hands them to the store's syncer thread, which fdatasyncs.
///   So a delivery never reaches a socket before its delivered mark reaches the kernel:
///   a killed broker cannot forget that it handed a message out.
/// - When the syncer reports, the loop drains the results and settles what waited for
///   the disk: publisher confirms (`basic.ack`, or `basic.nack` for failed writes) and
///   `tx.commit-ok`.
///
/// Confined to the loop thread once attached (`open` runs before the loop touches it).
final class Persistence {
    let directory: String
    private let store: MessageStore
    private var recovered: RecoveredState?
    private let log: @Sendable (String) -> Void
    private weak var broker: Broker?
    private weak var loop: EventLoop?
    /// Store keys of the durable queues seen, by queue object.
    private var keys: [ObjectIdentifier: QueueKey] = [:]
    private var scratchKeys: [String] = []
    /// Channels with confirms or a commit waiting for the disk.
    private var waiters: [WeakWaiter] = []
    /// Every ticket up to here is settled (durable or failed).
    private(set) var resolvedThrough: UInt64 = 0
    /// Set while writes fail (a full disk): logged once when it starts and once when it ends.
    private var isFailing = false
    private var isClosed = false

    private struct QueueKey {
        weak var queue: Queue?
        let key: String
    }

    private struct WeakWaiter {
        weak var channel: ServerChannel?
    }

    private init(directory: String, store: MessageStore, recovered: RecoveredState, log: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.store = store
        self.recovered = recovered
        self.log = log
    }

    /// Takes the data directory and recovers the store: the I/O of a start, done before
    /// the broker accepts anyone. Fails when another broker holds the directory, or when
    /// it cannot be read or written; damaged files never make it fail (they are
    /// repaired, and logged by `attach`).
    static func open(directory: String, faults: FaultInjector? = nil,
                     log: @escaping @Sendable (String) -> Void) throws(DataDirectoryError) -> Persistence {
        var options = StoreOptions()
        options.syncPolicy = .onRequest
        options.faultInjector = faults
        do throws(StoreError) {
            let (store, recovered) = try MessageStore.open(directory: directory, options: options)
            return Persistence(directory: directory, store: store, recovered: recovered, log: log)
        } catch {
            if case .directoryLocked = error {
                let holder = MessageStore.lockHolder(directory: directory).map { " (pid \($0))" } ?? ""
                throw DataDirectoryError(description:
                    "data directory \(directory) is in use by another Warren broker\(holder); stop it or choose another --data-dir")
            }
            throw DataDirectoryError(description: "cannot open data directory \(directory): \(error)")
        }
    }

    // MARK: Start and stop

    /// On the loop thread, before any connection: logs what recovery repaired, rebuilds
    /// the definitions and messages, seeds the message sequence, and starts listening
    /// to the syncer. Registers its turn-end hook, which must run before the one that
    /// flushes connections (so call this before `ServerContext` is made).
    func attach(to broker: Broker, loop: EventLoop) throws(SystemError) {
        self.broker = broker
        self.loop = loop
        if let state = recovered {
            recovered = nil
            RecoveryReplay(persistence: self, broker: broker, state: state, log: log).run()
        }
        broker.durability = self
        try loop.register(store.notificationFD, for: .readable) { [unowned self] _ in self.completionsReady() }
        loop.onTurnEnd { [unowned self] in self.store.requestSync() }
    }

    /// Writes and syncs what is left, then releases the directory. On the loop thread,
    /// after the connections are closed.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        broker?.durability = nil
        loop?.unregister(store.notificationFD)
        let result = store.close()
        if !result.failed.isEmpty { log("data directory \(directory): the last writes failed to reach the disk") }
        waiters.removeAll()
    }

    /// Writes the store's buffers to the kernel and hands them to the syncer now, ahead
    /// of the turn end: called before a socket write that happens mid-turn, so that no
    /// delivery reaches a client before its delivered mark reaches the page cache.
    /// Cheap when nothing was appended since the last hand-off.
    func writeBuffered() {
        store.requestSync()
    }

    /// Store keys of recovered queues (for the replay, which runs before the broker
    /// reports anything).
    func remember(_ queue: Queue, key: String) {
        keys[ObjectIdentifier(queue)] = QueueKey(queue: queue, key: key)
    }

    /// Messages of a store key no queue claims: reclaimed.
    func forget(storeKey key: String) {
        _ = try? store.deleteQueue(key)
    }

    // MARK: Waiting for the disk

    /// `channel` has confirms or a commit waiting; it is asked to settle them whenever
    /// the syncer reports, until it says it waits for nothing more.
    func addWaiter(_ channel: ServerChannel) {
        waiters.append(WeakWaiter(channel: channel))
    }

    private func completionsReady() {
        let result = store.drainCompletions()
        resolvedThrough = max(resolvedThrough, result.resolvedThrough.rawValue)
        if !result.failed.isEmpty {
            let count = result.failed.reduce(0) { $0 + Int($1.upperBound.rawValue - $1.lowerBound.rawValue) + 1 }
            log("data directory \(directory): \(count) appends did not reach the disk; their publishers get basic.nack")
        }
        var kept = 0
        for index in waiters.indices {
            guard let channel = waiters[index].channel,
                  channel.diskSettled(through: resolvedThrough, failed: result.failed) else { continue }
            waiters[kept] = waiters[index]
            kept += 1
        }
        waiters.removeLast(waiters.count - kept)
    }

    // MARK: Keys and errors

    private func key(for queue: Queue, in virtualHost: VirtualHost) -> String {
        let id = ObjectIdentifier(queue)
        if let known = keys[id], known.queue === queue { return known.key }
        let key = MessageStore.queueKey(vhost: virtualHost.name, queue: queue.name)
        keys[id] = QueueKey(queue: queue, key: key)
        return key
    }

    /// Logs the first failure of a run of them, and the first success after.
    private func noteWrite(_ error: StoreError?) {
        if let error {
            guard !isFailing else { return }
            isFailing = true
            log("data directory \(directory): \(error); persistent publishes are nacked until writes succeed")
        } else if isFailing {
            isFailing = false
            log("data directory \(directory): writes succeed again")
        }
    }

    private func append(_ change: DefinitionChange) {
        do throws(StoreError) {
            _ = try store.appendDefinition(change)
            noteWrite(nil)
        } catch {
            noteWrite(error)
        }
    }
}

// MARK: - What the broker reports

extension Persistence: DurabilityLog {
    func definitionChanged(_ change: DurableDefinitionChange, in virtualHost: VirtualHost) {
        let vhost = virtualHost.name
        switch change {
        case .exchangeDeclared(let exchange):
            append(.declareExchange(ExchangeDefinition(vhost: vhost, name: exchange.name, type: exchange.type.rawValue,
                                                       flags: Self.flags(of: exchange),
                                                       arguments: Self.encode(exchange.arguments))))
        case .exchangeDeleted(let exchange):
            append(.deleteExchange(vhost: vhost, name: exchange.name))
        case .queueDeclared(let queue):
            append(.declareQueue(QueueDefinition(vhost: vhost, name: queue.name, flags: Self.flags(of: queue),
                                                 arguments: Self.encode(queue.arguments))))
            _ = key(for: queue, in: virtualHost)
        case .queueDeleted(let queue):
            append(.deleteQueue(vhost: vhost, name: queue.name))
            let key = key(for: queue, in: virtualHost)
            keys[ObjectIdentifier(queue)] = nil
            do throws(StoreError) { _ = try store.deleteQueue(key) } catch { noteWrite(error) }
        case .bound(let binding):
            append(.bind(Self.definition(of: binding, in: vhost)))
        case .unbound(let binding):
            append(.unbind(Self.definition(of: binding, in: vhost)))
        }
    }

    func persist(_ message: Message, on queues: [Queue], in virtualHost: VirtualHost) -> DurabilityTicket {
        scratchKeys.removeAll(keepingCapacity: true)
        for queue in queues { scratchKeys.append(key(for: queue, in: virtualHost)) }
        let stored = StoredMessage(id: message.sequence, exchange: message.exchange, routingKey: message.routingKey,
                                   properties: message.encodedProperties, body: message.body)
        do throws(StoreError) {
            let ticket = try store.appendMessage(stored, queues: scratchKeys)
            noteWrite(nil)
            return .position(ticket.rawValue)
        } catch {
            noteWrite(error)
            return .failed
        }
    }

    func removed(_ message: Message, from queue: Queue, in virtualHost: VirtualHost) {
        do throws(StoreError) {
            _ = try store.remove(queue: key(for: queue, in: virtualHost), messageID: message.sequence)
        } catch {
            noteWrite(error)
        }
    }

    func delivered(_ message: Message, from queue: Queue, in virtualHost: VirtualHost) {
        do throws(StoreError) {
            _ = try store.markDelivered(queue: key(for: queue, in: virtualHost), messageID: message.sequence)
        } catch {
            noteWrite(error)
        }
    }

    func purged(_ queue: Queue, in virtualHost: VirtualHost) {
        do throws(StoreError) {
            _ = try store.purge(queue: key(for: queue, in: virtualHost))
        } catch {
            noteWrite(error)
        }
    }

    // MARK: Definitions in the store's terms

    static func flags(of exchange: Exchange) -> ExchangeFlags {
        var flags: ExchangeFlags = .durable
        if exchange.isAutoDelete { flags.insert(.autoDelete) }
        if exchange.isInternal { flags.insert(.internal) }
        return flags
    }

    static func flags(of queue: Queue) -> QueueFlags {
        queue.isAutoDelete ? [.durable, .autoDelete] : .durable
    }

    static func definition(of binding: Binding, in vhost: String) -> BindingDefinition {
        let kind: BindingDefinition.DestinationKind = switch binding.destination {
        case .queue: .queue
        case .exchange: .exchange
        }
        return BindingDefinition(vhost: vhost, source: binding.source, destination: binding.destination.name,
                                 destinationKind: kind, routingKey: binding.routingKey,
                                 arguments: encode(binding.arguments))
    }

    /// Argument tables as the wire encodes them (the store keeps them opaque).
    static func encode(_ table: FieldTable) -> [UInt8] {
        guard !table.entries.isEmpty else { return [] }
        var writer = ByteWriter(capacity: 64)
        writer.writeFieldTable(table)
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(AMQPError) -> FieldTable {
        guard !bytes.isEmpty else { return FieldTable() }
        var reader = ByteReader(bytes)
        return try reader.readFieldTable()
    }
}

/// The data directory cannot be used; `warren serve` prints this and exits 1.
public struct DataDirectoryError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
