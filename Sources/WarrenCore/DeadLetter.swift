import AMQPProtocol

/// A message leaving a queue that has `x-dead-letter-exchange`, waiting to
/// be republished there.
///
/// Dead letters are made wherever a message dies (a reject, an expiry, an
/// overflow), often in the middle of a routing pass or a dispatch round, so
/// they are queued on the vhost's `DispatchScheduler` and routed between its
/// rounds: routing never nests inside routing, and the stack stays flat
/// however long a chain of dead-letter queues is.
struct DeadLetter {
    /// Why it died; the `reason` of its `x-death` entry.
    enum Reason: String {
        case rejected, expired, maxlen
    }

    let message: Message
    let reason: Reason
    /// The queue it died in.
    let queue: String
    /// Where it goes: the queue's `x-dead-letter-exchange`, and its
    /// `x-dead-letter-routing-key` (nil: the message's own routing key).
    let exchange: String
    let routingKey: String?
    let time: BrokerTime

    /// The copy to republish, as RabbitMQ's rabbit_dead_letter makes it
    /// (3.x, the version the interop suite runs against): the `x-death`
    /// header recorded (`XDeath`), the headers sorted by name as
    /// `rabbit_misc:set_table_value` leaves them, `CC` dropped when a
    /// dead-letter routing key replaces the routing keys, and `expiration`
    /// removed (kept as `original-expiration`) so that it cannot expire again.
    /// Returns the new `x-death` array too, for cycle detection.
    func republished(sequence: UInt64, scratch: inout ByteWriter) -> (message: Message, deaths: [FieldValue]) {
        var properties = message.properties
        var headers = properties.headers ?? FieldTable()
        var routingKeys: [FieldValue] = [.string(message.routingKey)]
        if case .array(let carbonCopies)? = headers["CC"] {
            routingKeys += carbonCopies.filter { if case .longString = $0 { true } else { false } }
        }
        var info: [FieldTable.Entry] = [
            FieldTable.Entry("reason", .string(reason.rawValue)),
            FieldTable.Entry("queue", .string(queue)),
            FieldTable.Entry("time", .timestamp(UInt64(clamping: time.unixSeconds))),
            FieldTable.Entry("exchange", .string(message.exchange)),
            FieldTable.Entry("routing-keys", .array(routingKeys)),
        ]
        if let expiration = properties.expiration {
            info.append(FieldTable.Entry("original-expiration", .string(expiration)))
        }
        let deaths = XDeath.record(info, queue: queue, reason: reason.rawValue, exchange: message.exchange,
                                   in: &headers)
        headers = XDeath.sortedByName(headers)
        if routingKey != nil, let index = headers.entries.firstIndex(where: { $0.name == "CC" }) {
            headers.entries.remove(at: index)
        }
        properties.headers = headers
        properties.expiration = nil
        let copy = message.withBody { body in
            Message.make(exchange: exchange, routingKey: routingKey ?? message.routingKey, properties: properties,
                         body: body, sequence: sequence, scratch: &scratch)
        }
        return (copy, deaths)
    }
}

/// The `x-death` header: one table per (queue, reason) a message died in,
/// the latest first, each with `count`, `reason`, `queue`, `time`,
/// `exchange`, `routing-keys` and, for messages that had one,
/// `original-expiration`.
enum XDeath {
    /// Records a death in `headers`, as rabbit_dead_letter's
    /// update_x_death_header does. The first death also sets
    /// `x-first-death-reason`, `-queue` and `-exchange`. A later death in the
    /// same queue for the same reason only raises that entry's `count` (its
    /// time, exchange and routing keys stay those of the first) and moves it
    /// to the front; a new pair gets a new entry in front. Entries written
    /// after the first come with their fields sorted by name, as RabbitMQ
    /// sorts them. An `x-death` that is not an array is replaced.
    /// Returns the new array.
    static func record(_ info: [FieldTable.Entry], queue: String, reason: String, exchange: String,
                       in headers: inout FieldTable) -> [FieldValue] {
        let first = FieldTable([FieldTable.Entry("count", .int64(1))] + info)
        let deaths: [FieldValue]
        switch headers["x-death"] {
        case nil:
            headers["x-first-death-reason"] = .string(reason)
            headers["x-first-death-queue"] = .string(queue)
            headers["x-first-death-exchange"] = .string(exchange)
            deaths = [.table(first)]
        case .array(let existing)?:
            let grouped = groupedByQueueAndReason(existing)
            let key = (queue: FieldValue.string(queue), reason: FieldValue.string(reason))
            let match = grouped.firstIndex { matches($0, queue: key.queue, reason: key.reason) }
            var entry = first
            var others = grouped
            if let match, case .table(let found) = grouped[match] {
                entry = incremented(found)
                others.remove(at: match)
            }
            deaths = [.table(sortedByName(entry))] + others
        case _?:
            deaths = [.table(first)]
        }
        headers["x-death"] = .array(deaths)
        return deaths
    }

    /// rabbit_dead_letter's is_cycle: walking back from the latest death, did
    /// the message die in `queue` before, with no rejection on the way (a
    /// fully automatic cycle)? Such a message is not delivered to `queue`
    /// again. Deaths by rejection never count as cycles.
    static func isCycle(_ queue: String, deaths: [FieldValue]) -> Bool {
        var isAutomatic = true
        for death in deaths {
            guard case .table(let info) = death else {
                isAutomatic = false  // not written by a broker: a client touched the header
                continue
            }
            let rejected = info["reason"] == .string("rejected")
            if info["queue"] == .string(queue) { return isAutomatic && !rejected }
            if rejected { isAutomatic = false }
        }
        return false
    }

    /// Headers sorted by name bytewise, equal names kept in order (Erlang's lists:keysort).
    static func sortedByName(_ table: FieldTable) -> FieldTable {
        let order = table.entries.indices.sorted { left, right in
            let (a, b) = (table.entries[left].name, table.entries[right].name)
            if a.hasSameBytes(as: b) { return left < right }
            return a.bytesPrecede(b)
        }
        return FieldTable(order.map { table.entries[$0] })
    }

    /// Merges duplicate (queue, reason) entries (headers written before
    /// RabbitMQ grouped them): the first of each pair stays, with a count of
    /// how many there were if it had none.
    private static func groupedByQueueAndReason(_ deaths: [FieldValue]) -> [FieldValue] {
        guard deaths.count > 1 else { return deaths }
        var seen: [(FieldValue?, FieldValue?)] = []
        var grouped: [FieldValue] = []
        for death in deaths {
            guard case .table(let info) = death else {
                grouped.append(death)
                continue
            }
            let (queue, reason) = (info["queue"], info["reason"])
            if seen.contains(where: { sameTerm($0.0, queue) && sameTerm($0.1, reason) }) { continue }
            seen.append((queue, reason))
            let copies = deaths.filter { matches($0, queue: queue, reason: reason) }.count
            var first = info
            if first["count"] == nil { first.entries.insert(FieldTable.Entry("count", .int64(Int64(copies))), at: 0) }
            grouped.append(.table(first))
        }
        return grouped
    }

    private static func matches(_ death: FieldValue, queue: FieldValue?, reason: FieldValue?) -> Bool {
        guard case .table(let info) = death else { return false }
        return sameTerm(info["queue"], queue) && sameTerm(info["reason"], reason)
    }

    /// Erlang's `=:=` on the decoded values: a long string and a byte array
    /// with the same bytes are the same binary.
    private static func sameTerm(_ left: FieldValue?, _ right: FieldValue?) -> Bool {
        switch (left, right) {
        case (nil, nil): true
        case (.longString(let a)?, .longString(let b)?), (.longString(let a)?, .byteArray(let b)?),
             (.byteArray(let a)?, .longString(let b)?), (.byteArray(let a)?, .byteArray(let b)?): a == b
        default: left == right
        }
    }

    /// The entry with its count raised by one (a `long`), or a count of 1 put in front if it had none.
    private static func incremented(_ info: FieldTable) -> FieldTable {
        var next = info
        guard let index = info.entries.firstIndex(where: { $0.name == "count" }) else {
            next.entries.insert(FieldTable.Entry("count", .int64(1)), at: 0)
            return next
        }
        let count = info.entries[index].value.intValue ?? 0
        next.entries[index].value = .int64(count == .max ? count : count + 1)
        return next
    }
}

extension VirtualHost {
    /// Queues a dead letter from `queue` (which has a dead-letter exchange);
    /// the scheduler routes it after the current dispatch round.
    func deadLetter(_ message: Message, _ reason: DeadLetter.Reason, from queue: Queue, exchange: String,
                    at time: BrokerTime) {
        scheduler.deadLetters.append(DeadLetter(message: message, reason: reason, queue: queue.name, exchange: exchange,
                                                routingKey: queue.settings.deadLetterRoutingKey, time: time))
    }

    /// Republishes dead letters through their exchanges, as rabbit_dead_letter
    /// does: a missing exchange drops the message; routing (alternate
    /// exchanges included) finds the queues, less those that would close an
    /// automatic cycle; each queue takes it as a publish (its TTL, limits and
    /// priorities apply; a refusal just drops it, there being no publisher to tell).
    func route(_ letters: [DeadLetter]) {
        for letter in letters {
            guard let exchange = exchange(named: letter.exchange) else { continue }
            let (message, deaths) = letter.republished(sequence: sequencer.take(), scratch: &propertyScratch)
            collect(message, through: exchange)
            var targets = collector.queues
            if letter.reason != .rejected { targets.removeAll { XDeath.isCycle($0.name, deaths: deaths) } }
            persist(message, on: targets)
            var time: BrokerTime? = letter.time
            for queue in targets {
                if !enqueue(message, on: queue, time: &time) { recordRemoval(message, from: queue) }
                if !queue.consumers.isEmpty { scheduler.schedule(queue) }
            }
        }
    }
}
