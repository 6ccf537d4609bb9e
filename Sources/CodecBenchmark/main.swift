// Release-mode throughput of Warren's codec on the two hot paths: a client's
// basic.publish (method, content header, 16-byte body) and the broker's
// basic.deliver (the same, the other way). For each, encode and decode are
// timed separately over several iterations and the median is reported.
//
//     swift run -c release CodecBenchmark                  table + one BENCH line per case
//     swift run -c release CodecBenchmark --iterations 9   more iterations
//     CodecBenchmark --allocations publish-decode 100000   run one path N messages, no timing
//
// The last form is for counting allocations from outside, e.g. with
// `valgrind --tool=memcheck` at two values of N (see docs/benchmarks.md).

import AMQPProtocol

#if canImport(Glibc)
import Glibc  // links libm, which Double.rounded() needs
#endif

// MARK: - The messages

let body: [UInt8] = Array("0123456789abcdef".utf8)  // 16 bytes
let properties = BasicProperties(contentType: "text/plain", deliveryMode: 2)
let publish = Method.basicPublish(BasicPublish(exchange: "amq.direct", routingKey: "bench.key"))
let frameMax = 131_072
let messagesPerBatch = 1_024

func deliver(tag: UInt64) -> Method {
    .basicDeliver(BasicDeliver(consumerTag: "amq.ctag-1", deliveryTag: tag, exchange: "amq.direct", routingKey: "bench.key"))
}

/// `messagesPerBatch` messages of `method(tag)`, back to back, as a client or the broker would send them.
func batch(_ method: (UInt64) -> Method) -> [UInt8] {
    var writer = ByteWriter(capacity: messagesPerBatch * 128)
    for tag in 1...UInt64(messagesPerBatch) {
        writer.writeContent(channel: 1, method(tag), properties: properties, body: body, frameMax: frameMax)
    }
    return writer.bytes
}

// MARK: - The loops

/// What a loop did, so the optimizer cannot drop it and the rates can be computed.
struct Work {
    var frames = 0
    var bytes = 0
    var checksum = 0
}

func encode(batches: Int, _ method: (UInt64) -> Method) -> Work {
    var work = Work()
    var writer = ByteWriter(capacity: messagesPerBatch * 128)
    var tag: UInt64 = 0
    for _ in 0..<batches {
        writer.bytes.removeAll(keepingCapacity: true)
        for _ in 0..<messagesPerBatch {
            tag &+= 1
            writer.writeContent(channel: 1, method(tag), properties: properties, body: body, frameMax: frameMax)
        }
        work.frames += 3 * messagesPerBatch
        work.bytes += writer.count
        work.checksum &+= Int(writer.bytes[writer.count / 2])
    }
    return work
}

/// Splits, decodes and assembles `batches` copies of `input`, as a channel would.
func decode(batches: Int, _ input: [UInt8]) -> Work {
    var work = Work()
    var splitter = FrameSplitter(maximumFrameSize: frameMax)
    var assembler = ContentAssembler()
    do {
        for _ in 0..<batches {
            splitter.append(input)
            while let raw = try splitter.next() {
                work.frames += 1
                if case .content(let content)? = try assembler.receive(try Frame(raw)) {
                    work.checksum &+= content.body.count
                }
            }
            work.bytes += input.count
        }
    } catch {
        print("decode failed: \(error)")
    }
    return work
}

// MARK: - Timing

struct Result {
    var name: String
    var framesPerSecond: Double
    var megabytesPerSecond: Double
    var messagesPerSecond: Double { framesPerSecond / 3 }
}

func measure(_ name: String, iterations: Int, batches: Int, _ run: () -> Work) -> Result {
    _ = run()  // warm up: caches, buffer capacities
    var rates: [(frames: Double, megabytes: Double)] = []
    var checksum = 0
    for _ in 0..<iterations {
        let clock = ContinuousClock()
        var work = Work()
        let elapsed = clock.measure { work = run() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        rates.append((Double(work.frames) / seconds, Double(work.bytes) / seconds / 1_000_000))
        checksum &+= work.checksum
    }
    if checksum == 42 { print("") }  // keeps the work observable
    return Result(name: name, framesPerSecond: median(rates.map(\.frames)), megabytesPerSecond: median(rates.map(\.megabytes)))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double, decimals: Int) -> String {
    let scale = Double([1, 10, 100, 1000][min(decimals, 3)])
    let rounded = (value * scale).rounded() / scale
    return decimals == 0 ? String(Int(rounded)) : String(rounded)
}

func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

// MARK: - Main

let arguments = CommandLine.arguments
let publishBatch = batch { _ in publish }
let deliverBatch = batch(deliver(tag:))

if let flag = arguments.firstIndex(of: "--allocations"), arguments.count > flag + 2, let messages = Int(arguments[flag + 2]) {
    let batches = max(1, messages / messagesPerBatch)
    let work: Work
    switch arguments[flag + 1] {
    case "publish-decode": work = decode(batches: batches, publishBatch)
    case "deliver-decode": work = decode(batches: batches, deliverBatch)
    case "publish-encode": work = encode(batches: batches) { _ in publish }
    default: work = encode(batches: batches, deliver(tag:))
    }
    print("\(arguments[flag + 1]): \(work.frames) frames, checksum \(work.checksum)")
} else {
    let iterations = arguments.firstIndex(of: "--iterations").flatMap { arguments.count > $0 + 1 ? Int(arguments[$0 + 1]) : nil } ?? 7
    let batches = 400  // about 1.2 million frames per iteration
    let results = [
        measure("publish-encode", iterations: iterations, batches: batches) { encode(batches: batches) { _ in publish } },
        measure("publish-decode", iterations: iterations, batches: batches) { decode(batches: batches, publishBatch) },
        measure("deliver-encode", iterations: iterations, batches: batches) { encode(batches: batches, deliver(tag:)) },
        measure("deliver-decode", iterations: iterations, batches: batches) { decode(batches: batches, deliverBatch) },
    ]
    let messageBytes = publishBatch.count / messagesPerBatch
    print("Codec throughput, median of \(iterations) iterations of \(batches * messagesPerBatch) messages")
    print("(method + content header + 16-byte body = 3 frames, \(messageBytes) bytes per publish, \(deliverBatch.count / messagesPerBatch) per deliver)")
    print("")
    print("case              frames/s     messages/s     MB/s")
    for r in results {
        print(r.name + String(repeating: " ", count: max(0, 14 - r.name.count))
              + pad(format(r.framesPerSecond, decimals: 0), 12) + pad(format(r.messagesPerSecond, decimals: 0), 15)
              + pad(format(r.megabytesPerSecond, decimals: 1), 9))
    }
    print("")
    for r in results {
        print("BENCH codec.\(r.name) frames_per_s=\(format(r.framesPerSecond, decimals: 0)) "
              + "mb_per_s=\(format(r.megabytesPerSecond, decimals: 1)) iterations=\(iterations)")
    }
}
