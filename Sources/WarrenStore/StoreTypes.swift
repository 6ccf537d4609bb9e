/// A position in the store's stream of appends. Every append returns a ticket greater
/// than all before it; when the syncer reports a ticket durable, every append up to it
/// is on disk. 0 (`.none`) precedes every append.
public struct SyncTicket: RawRepresentable, Comparable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let none = SyncTicket(rawValue: 0)
    public static func < (lhs: SyncTicket, rhs: SyncTicket) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "#\(rawValue)" }
}

/// What the syncer has settled since the last `drainCompletions()`.
///
/// Every ticket up to `resolvedThrough` is settled: durable, unless it lies in one of
/// `failed` (its write or its fdatasync failed; the server nacks instead of acking).
/// Failed ranges reported by one drain are never repeated by the next.
public struct SyncResult: Sendable, Equatable {
    public var resolvedThrough: SyncTicket
    public var failed: [ClosedRange<SyncTicket>]

    public init(resolvedThrough: SyncTicket = .none, failed: [ClosedRange<SyncTicket>] = []) {
        self.resolvedThrough = resolvedThrough
        self.failed = failed
    }

    /// True when `ticket` is settled and not failed.
    public func isDurable(_ ticket: SyncTicket) -> Bool {
        ticket <= resolvedThrough && !failed.contains { $0.contains(ticket) }
    }
}

/// When appends are handed to the syncer.
public enum SyncPolicy: Sendable, Equatable {
    /// Every append writes its record and asks for a sync before it returns. Simple, and
    /// still group commit: appends made while an fdatasync runs share the next one.
    case afterEveryAppend
    /// Appends are buffered and written only when `requestSync()` is called (or a buffer
    /// fills). The event loop calls `requestSync()` once per turn: one write(2) per file
    /// per turn. A failed write is then reported through `SyncResult.failed`.
    case onRequest
}

public struct StoreOptions: Sendable {
    /// Size at which the head segment is closed and a new one started. A message larger
    /// than this gets a segment of its own.
    public var segmentTargetSize = 8 << 20
    /// Journal bytes after which the index journal is rewritten as a fresh checkpoint
    /// (also whenever it grows past twice the size of a checkpoint of the live state).
    public var journalTargetSize = 32 << 20
    /// Buffered bytes per file that force a write(2) under `.onRequest`.
    public var writeBufferSize = 256 << 10
    public var syncPolicy = SyncPolicy.afterEveryAppend
    /// Test hook: fail chosen writes and syncs. Nil in production.
    public var faultInjector: FaultInjector?

    public init() {}
}

/// One persistent message as stored: written once however many queues hold it.
public struct StoredMessage: Sendable, Equatable {
    /// Store-wide, strictly increasing across appends (the broker's publish sequence).
    public var id: UInt64
    public var exchange: String
    public var routingKey: String
    /// The content header's property flags and list, as on the wire (opaque here).
    public var properties: [UInt8]
    public var body: [UInt8]

    public init(id: UInt64, exchange: String, routingKey: String, properties: [UInt8], body: [UInt8]) {
        self.id = id
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

/// A live message of one queue after recovery. The same message recovered into several
/// queues shares its byte buffers.
public struct RecoveredMessage: Sendable, Equatable {
    public var message: StoredMessage
    /// True when the message may have been delivered before the store closed or crashed.
    public var redelivered: Bool
}

/// What `MessageStore.open` recovered.
public struct RecoveredState: Sendable {
    public var definitions: Definitions
    /// Per queue key, the queue's live messages in id (publish) order. A key may have no
    /// durable queue definition (its deletion was never logged, or the queue was declared
    /// by a server that did not log it); the server decides, and calls `deleteQueue` for
    /// keys it drops so their segments can be reclaimed.
    public var queues: [String: [RecoveredMessage]]
    /// The highest message id the store has seen; new ids must be above it.
    public var highestMessageID: UInt64
    public var notes: [RecoveryNote]
}

/// Something recovery found and repaired or gave up on. Recovery never fails because of
/// damaged data; it says what it did here.
public struct RecoveryNote: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Incomplete bytes at the end of a file (a write cut by a crash), truncated.
        case tornTail
        /// Records in the middle of a file that failed their checks and were skipped.
        case damagedRecords
        /// A file with no usable header, or too short to have one; removed or skipped.
        case damagedFile
        /// The index journal was missing or unusable: messages fell back to the queues
        /// their segment records name, all marked redelivered.
        case indexFallback
        /// The index lists messages whose segment records are gone.
        case missingMessages
        /// A leftover of an interrupted compaction or rotation, removed.
        case leftoverFile
    }

    public var kind: Kind
    public var path: String
    public var detail: String

    public var description: String { "\(path): \(detail)" }
}

/// Counters for tests and metrics. Read on the loop.
public struct StoreStatistics: Sendable, Equatable {
    public var messagesAppended = 0
    public var syncRounds = 0
    public var fdatasyncCalls = 0
    public var directorySyncs = 0
    public var segmentFiles = 0
    public var segmentsDeleted = 0
    public var journalRotations = 0
}
