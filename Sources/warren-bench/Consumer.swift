import AMQPProtocol
import Synchronization

/// How a consumer takes messages off its queue.
struct ConsumePlan: Sendable {
    var queue: String
    /// Auto-ack (`no-ack`): the broker forgets a message once sent.
    var noAck = true
    var prefetch: UInt16?
    /// 1 acks each message; N > 1 sends one `multiple` ack every N messages.
    var ackEvery = 1
    /// Records the publish timestamp and end-to-end latency of each message,
    /// for the runner to keep those stamped inside its window.
    var latency: LatencyRecording?
}

struct LatencyRecording: Sendable {
    /// Room reserved up front, so recording never allocates; later messages are not recorded.
    var capacity: Int
}

/// What the main thread sees of a running consumer.
final class ConsumerProgress: Sendable {
    let delivered = SharedCount()
    let bodyBytes = SharedCount()
    private let state = Atomic<Int>(0)

    func markReady() { state.store(1, ordering: .releasing) }
    func markFinished() { state.store(2, ordering: .releasing) }
    /// Consuming, or already given up (so nobody waits for it in vain).
    var isReadyOrFinished: Bool { state.load(ordering: .acquiring) != 0 }
    var isFinished: Bool { state.load(ordering: .acquiring) == 2 }
}

struct ConsumerReport: Sendable {
    var delivered = 0
    /// Publish timestamps and end-to-end latencies (nanoseconds), in arrival order.
    var stamps: [UInt64] = []
    var latencies: [UInt64] = []
}

/// Decodes deliveries straight off the frame payloads: the delivery tag
/// from `basic.deliver`, the body size from the content header (properties
/// are skipped, never built), the timestamp from the first body bytes.
/// Nothing is allocated per message; acks are patched into one reused
/// buffer and written once per read.
struct DeliveryDecoder {
    private var remainingBody: UInt64 = 0
    private var awaitingFirstBodyFrame = false
    private var currentTag: UInt64 = 0
    private var stampNanos: UInt64 = 0
    private(set) var delivered = 0
    private(set) var bodyBytes = 0
    private(set) var lastAckedTag: UInt64 = 0
    private var pendingAcks: [UInt8] = []
    private let plan: ConsumePlan
    private(set) var stamps: [UInt64] = []
    private(set) var latencies: [UInt64] = []
    private let latencyCapacity: Int

    init(plan: ConsumePlan) {
        self.plan = plan
        pendingAcks.reserveCapacity(64 * 1024)
        latencyCapacity = plan.latency?.capacity ?? 0
        stamps.reserveCapacity(latencyCapacity)
        latencies.reserveCapacity(latencyCapacity)
    }

    /// Handles one frame; methods other than `basic.deliver` go back to the
    /// connection (closes, cancels) through `other`.
    @inline(__always)
    mutating func handle(_ frame: RawFrame, other: (Method, UInt16) throws(BenchError) -> Void,
                         decode: (ArraySlice<UInt8>) throws(BenchError) -> Method) throws(BenchError) {
        let isDelivery = try decoding { () throws(AMQPError) in try decodeFastPath(frame) }
        if !isDelivery { try other(try decode(frame.payload), frame.channel) }
    }

    /// Reads what the hot path needs; false for a method that is not `basic.deliver`.
    @inline(__always)
    private mutating func decodeFastPath(_ frame: RawFrame) throws(AMQPError) -> Bool {
        var reader = ByteReader(frame.payload)
        switch frame.type {
        case .method:
            let classID = try reader.readUInt16()
            let methodID = try reader.readUInt16()
            guard classID == 60, methodID == 60 else { return false }
            _ = try reader.readBytes(Int(try reader.readUInt8()))  // consumer tag
            currentTag = try reader.readUInt64()
        case .header:
            _ = try reader.readUInt32()  // class id, weight
            remainingBody = try reader.readUInt64()
            awaitingFirstBodyFrame = true
            if remainingBody == 0 { complete() }
        case .body:
            if awaitingFirstBodyFrame, latencyCapacity > 0, frame.payload.count >= 8 {
                stampNanos = try reader.readUInt64()
            }
            awaitingFirstBodyFrame = false
            let size = UInt64(frame.payload.count)
            bodyBytes += frame.payload.count
            remainingBody = remainingBody > size ? remainingBody - size : 0
            if remainingBody == 0 { complete() }
        case .heartbeat:
            break
        }
        return true
    }

    @inline(__always)
    private mutating func complete() {
        delivered += 1
        if stampNanos != 0, latencies.count < latencyCapacity {
            let now = monotonicNanos()
            stamps.append(stampNanos)
            latencies.append(now > stampNanos ? now - stampNanos : 0)
        }
        stampNanos = 0
        guard !plan.noAck else { return }
        if plan.ackEvery <= 1 {
            appendAck(currentTag, multiple: false)
        } else if currentTag &- lastAckedTag >= UInt64(plan.ackEvery) {
            appendAck(currentTag, multiple: true)
        }
    }

    private mutating func appendAck(_ tag: UInt64, multiple: Bool) {
        var writer = ByteWriter(appendingTo: pendingAcks)
        pendingAcks = []
        writer.writeMethodFrame(channel: 1, .basicAck(BasicAck(deliveryTag: tag, multiple: multiple)))
        pendingAcks = writer.bytes
        lastAckedTag = tag
    }

    /// Writes the acks gathered since the last call, in one write.
    mutating func flushAcks(to connection: AMQPConnection) throws(BenchError) {
        guard !pendingAcks.isEmpty else { return }
        try connection.write(pendingAcks)
        pendingAcks.removeAll(keepingCapacity: true)
    }

    mutating func takeLatencies() -> (stamps: [UInt64], latencies: [UInt64]) {
        defer { stamps = []; latencies = [] }
        return (stamps, latencies)
    }
}

/// Consumes on its own connection until `stop` is raised.
func runConsumer(url: AMQPURL, plan: ConsumePlan, tag: String, stop: StopFlag, progress: ConsumerProgress) throws(BenchError) -> ConsumerReport {
    defer { progress.markFinished() }
    let connection = try AMQPConnection.openWithChannel(url, name: "warren-bench consumer \(tag)", stop: stop)
    defer { connection.close() }
    if let prefetch = plan.prefetch {
        try connection.call(.basicQos(BasicQos(prefetchCount: prefetch)))
    }
    try connection.call(.basicConsume(BasicConsume(queue: plan.queue, consumerTag: tag, noAck: plan.noAck)))
    progress.markReady()
    var decoder = DeliveryDecoder(plan: plan)
    let other: (Method, UInt16) throws(BenchError) -> Void = { method, channel throws(BenchError) in
        try connection.handleAsynchronous(method, channel: channel)
    }
    let decode: (ArraySlice<UInt8>) throws(BenchError) -> Method = { payload throws(BenchError) in
        try connection.decodeMethod(payload)
    }
    while !stop.isRaised {
        guard try connection.readMore() else { continue }
        while let frame = try connection.nextFrame() {
            try decoder.handle(frame, other: other, decode: decode)
        }
        try decoder.flushAcks(to: connection)
        progress.delivered.store(decoder.delivered)
        progress.bodyBytes.store(decoder.bodyBytes)
    }
    let recorded = decoder.takeLatencies()
    return ConsumerReport(delivered: decoder.delivered, stamps: recorded.stamps, latencies: recorded.latencies)
}
