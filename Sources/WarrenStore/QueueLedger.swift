/// The live messages of one durable queue as the store sees them: ids in increasing
/// order, each with a delivered flag. The store keeps it to count references per
/// segment (for garbage collection), to ignore removals of messages it no longer holds,
/// and to write journal checkpoints. 9 bytes per queued message.
///
/// Removals leave tombstones that are swept when they outnumber live entries, so acks
/// in any order cost O(log n) each, amortised.
final class QueueLedger {
    let key: String
    let keyBytes: [UInt8]
    private var ids: [UInt64] = []
    /// `delivered` and `removed` bits, parallel to `ids`.
    private var flags: [UInt8] = []
    /// Everything before `head` is removed.
    private var head = 0
    private var tombstones = 0
    private(set) var liveCount = 0

    private static let delivered: UInt8 = 1
    private static let removed: UInt8 = 2

    init(key: String) {
        self.key = key
        self.keyBytes = Array(key.utf8)
    }

    /// Adds a message; ids arrive in increasing order (the store checks).
    func append(_ id: UInt64, delivered: Bool = false) {
        ids.append(id)
        flags.append(delivered ? Self.delivered : 0)
        liveCount += 1
    }

    /// Sets the delivered flag. True when the message is live and was not yet delivered.
    func markDelivered(_ id: UInt64) -> Bool {
        guard let index = index(of: id), flags[index] & Self.delivered == 0 else { return false }
        flags[index] |= Self.delivered
        return true
    }

    /// True when the message was live here (and now is not).
    func remove(_ id: UInt64) -> Bool {
        guard let index = index(of: id) else { return false }
        flags[index] |= Self.removed
        liveCount -= 1
        tombstones += 1
        while head < ids.count, flags[head] & Self.removed != 0 { head += 1 }
        if tombstones > 1024 && tombstones > liveCount { sweep() }
        return true
    }

    /// Empties the ledger, returning the ids that were live.
    func removeAll() -> [UInt64] {
        var live: [UInt64] = []
        live.reserveCapacity(liveCount)
        forEachLive { id, _ in live.append(id) }
        ids.removeAll()
        flags.removeAll()
        head = 0
        tombstones = 0
        liveCount = 0
        return live
    }

    func forEachLive(_ body: (UInt64, Bool) -> Void) {
        for index in head..<ids.count where flags[index] & Self.removed == 0 {
            body(ids[index], flags[index] & Self.delivered != 0)
        }
    }

    func contains(_ id: UInt64) -> Bool { index(of: id) != nil }

    private func index(of id: UInt64) -> Int? {
        var low = head
        var high = ids.count
        while low < high {
            let middle = low + (high - low) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        guard low < ids.count, ids[low] == id, flags[low] & Self.removed == 0 else { return nil }
        return low
    }

    private func sweep() {
        var keptIDs: [UInt64] = []
        var keptFlags: [UInt8] = []
        keptIDs.reserveCapacity(liveCount)
        keptFlags.reserveCapacity(liveCount)
        for index in head..<ids.count where flags[index] & Self.removed == 0 {
            keptIDs.append(ids[index])
            keptFlags.append(flags[index])
        }
        ids = keptIDs
        flags = keptFlags
        head = 0
        tombstones = 0
    }
}
