import AMQPProtocol

/// A minimal fake AMQP 0-9-1 server on 127.0.0.1, so the tool can measure
/// itself: it handshakes, answers every synchronous request with a plausible
/// reply, counts and discards publishes (acking them in confirm mode), and
/// floods a consumer with pre-encoded deliveries as fast as it reads them.
/// It keeps no state beyond counters: it is a sink, not a broker.
final class SinkServer: Sendable {
    let port: UInt16
    /// Publishes received, over all connections.
    let received = SharedCount()
    private let stop = StopFlag()
    private let acceptor: WorkerThread<Void>

    init() throws(BenchError) {
        let listener = try TCPSocket.listen(port: 0)
        port = listener.localPort
        let stop = stop, received = received
        // The acceptor thread owns the listening socket from here on.
        let box = SendableFD(listener)
        acceptor = try WorkerThread { () throws(BenchError) in
            let owned = box.socket
            var handlers: [WorkerThread<Void>] = []
            while !stop.isRaised {
                guard let client = try owned.accept() else { continue }
                let clientBox = SendableFD(client)
                handlers.append(try WorkerThread { () throws(BenchError) in
                    try serveSinkConnection(clientBox.socket, received: received, stop: stop)
                })
            }
            for handler in handlers { _ = handler.join() }
        }
    }

    var url: AMQPURL { AMQPURL(host: "127.0.0.1", port: port) }

    func shutdown() {
        stop.raise()
        _ = acceptor.join()
    }
}

/// Hands a socket to the thread that will own it; nobody else touches it after.
private final class SendableFD: @unchecked Sendable {
    let socket: TCPSocket
    init(_ socket: TCPSocket) { self.socket = socket }
}

private func serveSinkConnection(_ socket: TCPSocket, received: SharedCount, stop: StopFlag) throws(BenchError) {
    var splitter = FrameSplitter(maximumFrameSize: 131_072)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    defer { buffer.deallocate() }
    var writer = ByteWriter(capacity: 4096)
    var confirming = false
    var publishes: UInt64 = 0
    var ackedThrough: UInt64 = 0
    var flood: [UInt8]?
    var sawHeader = false

    func reply(_ method: Method, _ channel: UInt16) { writer.writeMethodFrame(channel: channel, method) }

    while !stop.isRaised {
        if let flood {
            try flood.withBytes { (raw) throws(BenchError) in try socket.writeAll(raw) { !stop.isRaised } }
        }
        switch try socket.read(into: buffer, wait: flood == nil) {
        case .closed: return
        case .nothingYet: continue
        case .bytes(let count): splitter.append(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count))
        }
        if !sawHeader {
            guard let valid = splitter.readProtocolHeader() else { continue }
            guard valid else { return }
            sawHeader = true
            reply(.connectionStart(ConnectionStart(
                versionMajor: 0, versionMinor: 9, serverProperties: ["product": .string("warren-bench sink")],
                mechanisms: Array("PLAIN AMQPLAIN".utf8), locales: Array("en_US".utf8))), 0)
        }
        let countedBefore = publishes
        while let frame = try decoding({ () throws(AMQPError) in try splitter.next() }) {
            guard frame.type == .method else { continue }
            // The fast path: a publish is counted without being decoded.
            if frame.payload.starts(with: [0, 60, 0, 40]) { publishes += 1; continue }
            var reader = ByteReader(frame.payload)
            let method = try decoding { () throws(AMQPError) in try Method.decode(from: &reader) }
            if case .connectionClose = method {
                reply(.connectionCloseOk(ConnectionCloseOk()), 0)
                try socket.writeAll(writer.bytes)
                return
            }
            if case .basicConsume(let consume) = method {
                flood = encodedDeliveries(consumerTag: consume.consumerTag)
            }
            if case .confirmSelect = method { confirming = true }
            if let answer = sinkAnswer(to: method) { reply(answer, frame.channel) }
        }
        received.add(Int(publishes - countedBefore))
        if confirming, publishes > ackedThrough {
            reply(.basicAck(BasicAck(deliveryTag: publishes, multiple: true)), 1)
            ackedThrough = publishes
        }
        if !writer.bytes.isEmpty {
            try socket.writeAll(writer.bytes) { !stop.isRaised }
            writer.bytes.removeAll(keepingCapacity: true)
        }
    }
}

/// The reply a real broker would give, minus any state behind it.
private func sinkAnswer(to method: Method) -> Method? {
    switch method {
    case .connectionStartOk: .connectionTune(ConnectionTune(channelMax: 2047, frameMax: 131_072, heartbeat: 0))
    case .connectionOpen: .connectionOpenOk(ConnectionOpenOk())
    case .channelOpen: .channelOpenOk(ChannelOpenOk())
    case .channelClose: .channelCloseOk(ChannelCloseOk())
    case .exchangeDeclare(let declare) where !declare.noWait: .exchangeDeclareOk(ExchangeDeclareOk())
    case .exchangeDelete(let delete) where !delete.noWait: .exchangeDeleteOk(ExchangeDeleteOk())
    case .queueDeclare(let declare) where !declare.noWait:
        .queueDeclareOk(QueueDeclareOk(queue: declare.queue.isEmpty ? "amq.gen-sink" : declare.queue))
    case .queueBind(let bind) where !bind.noWait: .queueBindOk(QueueBindOk())
    case .queueDelete(let delete) where !delete.noWait: .queueDeleteOk(QueueDeleteOk())
    case .queuePurge(let purge) where !purge.noWait: .queuePurgeOk(QueuePurgeOk())
    case .basicQos: .basicQosOk(BasicQosOk())
    case .basicConsume(let consume) where !consume.noWait:
        .basicConsumeOk(BasicConsumeOk(consumerTag: consume.consumerTag.isEmpty ? "sink-ctag" : consume.consumerTag))
    case .basicCancel(let cancel) where !cancel.noWait: .basicCancelOk(BasicCancelOk(consumerTag: cancel.consumerTag))
    case .confirmSelect(let select) where !select.noWait: .confirmSelectOk(ConfirmSelectOk())
    default: nil
    }
}

/// About 64 KiB of 16-byte-body deliveries on channel 1, sent again and again.
private func encodedDeliveries(consumerTag: String) -> [UInt8] {
    var writer = ByteWriter(capacity: 70_000)
    let body = [UInt8](repeating: UInt8(ascii: "s"), count: 16)
    var tag: UInt64 = 1
    while writer.count < 65_536 {
        let deliver = BasicDeliver(consumerTag: consumerTag, deliveryTag: tag, exchange: "", routingKey: "sink")
        writer.writeContent(channel: 1, .basicDeliver(deliver), properties: BasicProperties(deliveryMode: 1), body: body, frameMax: 131_072)
        tag += 1
    }
    return writer.bytes
}
