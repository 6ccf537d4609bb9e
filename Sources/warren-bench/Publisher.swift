import AMQPProtocol

/// What a publisher sends, how fast, and with which guarantees.
struct PublishPlan: Sendable {
    var exchange = ""
    /// Used in turn, one per message.
    var routingKeys: [String] = [""]
    var bodySize = 16
    /// delivery-mode 2.
    var persistent = false
    /// Publisher confirms with at most this many messages unconfirmed.
    var confirmWindow: Int?
    /// A fixed rate in messages per second; nil publishes as fast as the socket takes them.
    var ratePerSecond: Int?
    /// Writes CLOCK_MONOTONIC nanoseconds into the first 8 body bytes of each message.
    var stampTimestamps = false
    /// Stops after this many messages.
    var messageLimit: Int?
    /// Messages per write; nil fills about 64 KiB.
    var batchMessages: Int?
}

/// Counts the main thread samples while a publisher runs.
final class PublisherProgress: Sendable {
    let published = SharedCount()
    let confirmed = SharedCount()
}

struct PublisherReport: Sendable {
    var published = 0
    var confirmed = 0
    var nacked = 0
}

/// A block of ready-to-send publishes, encoded once with `writeContent` and
/// reused for every write: publishing costs one `send` per batch, plus an
/// 8-byte timestamp store per message when latency is measured.
struct PublishBatch: ~Copyable {
    let buffer: UnsafeMutableRawBufferPointer
    /// End offset of message i within `buffer`.
    let messageEnds: [Int]
    /// Offset of message i's first body byte, where the timestamp goes.
    let bodyStarts: [Int]

    init(plan: PublishPlan, frameMax: Int) {
        let properties = BasicProperties(deliveryMode: plan.persistent ? 2 : 1)
        var body = [UInt8](repeating: UInt8(ascii: "w"), count: plan.bodySize)
        for index in 0..<min(8, body.count) { body[index] = 0 }
        let keys = plan.routingKeys.isEmpty ? [""] : plan.routingKeys
        var encoded: [[UInt8]] = []
        for key in keys {
            var writer = ByteWriter(capacity: plan.bodySize + 128)
            writer.writeContent(channel: 1, .basicPublish(BasicPublish(exchange: plan.exchange, routingKey: key)),
                                properties: properties, body: body, frameMax: frameMax)
            encoded.append(writer.bytes)
        }
        let largest = encoded.map(\.count).max() ?? 1
        var count = plan.batchMessages ?? max(1, min(1000, 65_536 / largest))
        count = max(1, min(count, plan.messageLimit ?? count))
        let bodyFrames = plan.bodySize == 0 ? 0 : (plan.bodySize + frameMax - frameOverhead - 1) / (frameMax - frameOverhead)
        var ends: [Int] = []
        var starts: [Int] = []
        var offset = 0
        for index in 0..<count {
            let message = encoded[index % encoded.count]
            offset += message.count
            ends.append(offset)
            starts.append(offset - plan.bodySize - bodyFrames * frameOverhead + frameHeaderSize)
        }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: offset, alignment: 16)
        var cursor = 0
        for index in 0..<count {
            let message = encoded[index % encoded.count]
            message.withUnsafeBytes { source in
                guard let from = source.baseAddress else { return }
                storage.baseAddress?.advanced(by: cursor).copyMemory(from: from, byteCount: source.count)
            }
            cursor += message.count
        }
        buffer = storage
        messageEnds = ends
        bodyStarts = starts
    }

    deinit { buffer.deallocate() }

    var count: Int { messageEnds.count }

    /// Stamps the first `count` messages with `nanos`, big-endian.
    func stamp(_ count: Int, nanos: UInt64) {
        for index in 0..<count {
            buffer.storeBytes(of: nanos.bigEndian, toByteOffset: bodyStarts[index], as: UInt64.self)
        }
    }

    /// The bytes of the first `count` messages.
    func prefix(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[0..<messageEnds[count - 1]])
    }
}

/// Tracks which publish sequence numbers the broker has confirmed, in a
/// ring the size of the window, so out-of-order and multiple acks are exact.
struct ConfirmTracker {
    private var acknowledged: [Bool]
    private let mask: UInt64
    /// Every sequence number up to this one is confirmed.
    private(set) var confirmedThrough: UInt64 = 0
    private(set) var nacked = 0

    init(window: Int) {
        var size = 1
        while size < window * 2 { size <<= 1 }
        acknowledged = [Bool](repeating: false, count: size)
        mask = UInt64(size - 1)
    }

    mutating func confirm(_ tag: UInt64, multiple: Bool, negative: Bool, published: UInt64) {
        guard tag > confirmedThrough, tag <= published else { return }
        if negative { nacked += multiple ? Int(tag - confirmedThrough) : 1 }
        if multiple {
            for sequence in (confirmedThrough + 1)...tag { acknowledged[Int(sequence & mask)] = false }
            confirmedThrough = tag
        } else {
            acknowledged[Int(tag & mask)] = true
        }
        while confirmedThrough < published, acknowledged[Int((confirmedThrough + 1) & mask)] {
            acknowledged[Int((confirmedThrough + 1) & mask)] = false
            confirmedThrough += 1
        }
    }
}

/// Publishes on its own connection until `endNanos`, the message limit, or `stop`.
func runPublisher(url: AMQPURL, plan: PublishPlan, stop: StopFlag, endNanos: UInt64?, progress: PublisherProgress) throws(BenchError) -> PublisherReport {
    let connection = try AMQPConnection.openWithChannel(url, name: "warren-bench publisher", stop: stop)
    defer { connection.close() }
    if plan.confirmWindow != nil { try connection.call(.confirmSelect(ConfirmSelect())) }
    let batch = PublishBatch(plan: plan, frameMax: connection.frameMax)
    var tracker = plan.confirmWindow.map { ConfirmTracker(window: $0) }
    let window = plan.confirmWindow ?? Int.max
    let limit = plan.messageLimit ?? Int.max
    let startNanos = monotonicNanos()
    var published = 0

    func isDone(_ now: UInt64) -> Bool { stop.isRaised || published >= limit || (endNanos.map { now >= $0 } ?? false) }

    /// Reads whatever the broker sent (acks, closes); blocks only when asked to.
    func absorbIncoming(wait: Bool) throws(BenchError) {
        guard try connection.readMore(wait: wait) else { return }
        while let frame = try connection.nextFrame() {
            guard frame.type == .method else { continue }
            let method = try connection.decodeMethod(frame.payload)
            switch method {
            case .basicAck(let ack):
                tracker?.confirm(ack.deliveryTag, multiple: ack.multiple, negative: false, published: UInt64(published))
            case .basicNack(let nack):
                tracker?.confirm(nack.deliveryTag, multiple: nack.multiple, negative: true, published: UInt64(published))
            default:
                try connection.handleAsynchronous(method, channel: frame.channel)
            }
        }
        if let tracker { progress.confirmed.store(Int(tracker.confirmedThrough)) }
    }

    // Latency runs pace every message; a throughput cap (`--rate`) wakes at
    // most about once a millisecond and sends what is due, so pacing does not
    // cost the tool a wake-up per message.
    let burst = plan.stampTimestamps ? 1 : max(1, (plan.ratePerSecond ?? 0) / 1000)
    while !isDone(monotonicNanos()) {
        var count = min(batch.count, limit - published)
        if let rate = plan.ratePerSecond {
            let now = monotonicNanos()
            let due = Int(Double(now - startNanos) * Double(rate) / 1e9) + 1 - published
            if due < burst {
                sleep(until: startNanos + UInt64(Double(published + burst - 1) * 1e9 / Double(rate)))
                continue
            }
            count = min(count, due)
        }
        if let tracker {
            let inFlight = published - Int(tracker.confirmedThrough)
            if inFlight >= window {
                try absorbIncoming(wait: true)
                continue
            }
            count = min(count, window - inFlight)
        }
        if plan.stampTimestamps { batch.stamp(count, nanos: monotonicNanos()) }
        do {
            try connection.write(batch.prefix(count))
        } catch .timeout(_) where stop.isRaised {
            break
        }
        published += count
        progress.published.store(published)
        try absorbIncoming(wait: false)
    }
    return PublisherReport(published: published, confirmed: Int(tracker?.confirmedThrough ?? 0), nacked: tracker?.nacked ?? 0)
}
