import AMQPProtocol
import Foundation
import Testing

/// Hostile input: valid frames from the golden vectors, mutated at random
/// (bit flips, truncation, inflated size and length fields, splices of two
/// inputs, garbage), fed in random chunks through FrameSplitter, Frame and
/// ContentAssembler. Nothing may trap, no payload may exceed the frame-size
/// cap, every error must carry a known reply code, and whatever decodes must
/// encode to bytes that decode to the same thing.
///
/// The seed is fixed, so a failure reproduces. The number of cases comes from
/// `WARREN_MUTATION_CASES` (default 20,000); for a long run:
///
///     WARREN_MUTATION_CASES=1000000 swift test -c release --filter MutationTests
@Suite struct MutationTests {
    static let seed: UInt64 = 0x5741_5252_454E_0001
    static var caseCount: Int {
        ProcessInfo.processInfo.environment["WARREN_MUTATION_CASES"].flatMap { Int($0) } ?? 20_000
    }

    @Test func mutatedFramesNeverTrapOrExceedTheFrameSizeCap() throws {
        let seeds = try seedInputs()
        try #require(seeds.count > 100)
        var random = SplitMix64(seed: Self.seed)
        var stats = Stats()
        let started = Date()
        for _ in 0..<Self.caseCount {
            let input = mutated(seeds, random: &random)
            feed(input, random: &random, stats: &stats)
            if stats.failures > 20 { break }  // enough to debug from; don't flood the log
        }
        #expect(stats.failures == 0)
        let seconds = Date().timeIntervalSince(started)
        print("MutationTests: \(Self.caseCount) cases in \(String(format: "%.1f", seconds)) s; \(stats)")
    }
}

// MARK: - Inputs

/// Every frame of the vectors on its own, each client's whole captured
/// session as one stream, and a publish with a multi-frame body.
private func seedInputs() throws -> [[UInt8]] {
    let vectors = try loadVectors()
    var seeds = vectors.map(\.bytes)
    var sessions: [String: [UInt8]] = [:]
    for vector in vectors where vector.source.hasSuffix("capture") && vector.bytes.count != 8 {
        sessions[vector.source, default: []] += vector.bytes
    }
    seeds += sessions.keys.sorted().compactMap { sessions[$0] }  // sorted: Dictionary order differs per process
    var writer = ByteWriter()
    writer.writeContent(channel: 3, .basicPublish(BasicPublish(exchange: "x", routingKey: "r")),
                        properties: .init(headers: ["k": .string("v")]), body: [UInt8](repeating: 0x5A, count: 9_000),
                        frameMax: 4_096)
    seeds.append(writer.bytes)
    return seeds
}

// MARK: - Mutations

/// One seed, mutated once to three times. Half the time the mutations go
/// into one frame's payload and the frame is re-wrapped with its new size,
/// so they reach the method, header and table decoders instead of stopping
/// at the splitter; otherwise they go into the raw stream, framing included.
private func mutated(_ seeds: [[UInt8]], random: inout SplitMix64) -> [UInt8] {
    var input = seeds[random.below(seeds.count)]
    let rounds = random.below(4) == 0 ? 2 + random.below(2) : 1
    for _ in 0..<rounds {
        let donor = seeds[random.below(seeds.count)]
        var frames = splitFrames(input)
        if random.below(2) == 0, !frames.isEmpty {
            let index = random.below(frames.count)
            let donorPayload = splitFrames(donor).first?.payload ?? donor
            mutate(&frames[index].payload, random: &random, donor: donorPayload)
            if random.below(8) == 0 { frames[index].type = [1, 2, 3, 8][random.below(4)] }
            if random.below(8) == 0 { frames[index].channel = UInt16(random.below(3)) }
            input = frames.flatMap { frameBytes(type: $0.type, channel: $0.channel, payload: $0.payload) }
        } else {
            mutate(&input, random: &random, donor: donor)
        }
    }
    return input
}

/// The frames of a well-formed stream, by their size fields; stops at the first that is cut short.
private func splitFrames(_ bytes: [UInt8]) -> [(type: UInt8, channel: UInt16, payload: [UInt8])] {
    frameStarts(bytes).compactMap { at in
        let size = Int(bytes[at + 3]) << 24 | Int(bytes[at + 4]) << 16 | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6])
        guard at + 7 + size <= bytes.count else { return nil }
        return (bytes[at], UInt16(bytes[at + 1]) << 8 | UInt16(bytes[at + 2]), Array(bytes[at + 7..<at + 7 + size]))
    }
}

private func mutate(_ input: inout [UInt8], random: inout SplitMix64, donor: [UInt8]) {
    switch random.below(7) {
    case 0:  // flip 1 to 8 bits
        guard !input.isEmpty else { return }
        for _ in 0...random.below(8) { input[random.below(input.count)] ^= 1 << UInt8(random.below(8)) }
    case 1:  // truncate
        input.removeLast(random.below(input.count + 1))
    case 2:  // inflate a frame's size field
        guard input.count >= 7 else { return }
        let at = frameStarts(input).randomElement(using: &random) ?? 0
        overwrite(&input, at: at + 3, width: 4, with: interestingValue(random: &random, near: input.count - at - 8))
    case 3:  // inflate a shortstr or longstr/table length somewhere in a payload
        guard !input.isEmpty else { return }
        let width = random.below(2) == 0 ? 1 : 4
        overwrite(&input, at: random.below(input.count), width: width,
                  with: interestingValue(random: &random, near: random.below(64)))
    case 4:  // splice: the start of this input, the end of another
        let cut = random.below(input.count + 1)
        let donorCut = random.below(donor.count + 1)
        input = Array(input[..<cut]) + donor[donorCut...]
    case 5:  // garbage: replace, insert or append random bytes
        let count = 1 + random.below(16)
        let garbage = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let at = random.below(input.count + 1)
        if random.below(2) == 0 {
            input.insert(contentsOf: garbage, at: at)
        } else {
            input.replaceSubrange(at..<min(at + count, input.count), with: garbage)
        }
    default:  // duplicate or drop a range (repeated headers, missing body frames)
        guard !input.isEmpty else { return }
        let start = random.below(input.count)
        let end = start + random.below(input.count - start + 1)
        if random.below(2) == 0 {
            input.insert(contentsOf: input[start..<end], at: end)
        } else {
            input.removeSubrange(start..<end)
        }
    }
}

/// Where frames start, following the size fields from the beginning.
private func frameStarts(_ bytes: [UInt8]) -> [Int] {
    var starts: [Int] = []
    var at = 0
    while at + 7 <= bytes.count {
        starts.append(at)
        let size = Int(bytes[at + 3]) << 24 | Int(bytes[at + 4]) << 16 | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6])
        at += size + 8
    }
    return starts
}

/// Boundary values for a length: 0, just around the true one, the caps, the top of the range.
private func interestingValue(random: inout SplitMix64, near actual: Int) -> UInt32 {
    let choices: [UInt32] = [
        0, 1, UInt32(clamping: max(actual, 0)), UInt32(clamping: actual + 1), UInt32(clamping: max(actual - 1, 0)),
        0x7F, 0x80, 0xFF, 0x100, 4_095, 4_096, 4_097, 131_071, 131_072, 131_073,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, UInt32(truncatingIfNeeded: random.next()),
    ]
    return choices[random.below(choices.count)]
}

private func overwrite(_ bytes: inout [UInt8], at offset: Int, width: Int, with value: UInt32) {
    for index in 0..<width where offset + index < bytes.count {
        bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(width - 1 - index)))
    }
}

// MARK: - Feeding the codec

private struct Stats: CustomStringConvertible {
    var frames = 0, commands = 0, failures = 0
    var errors: [UInt16: Int] = [:]
    var description: String {
        "\(frames) frames decoded, \(commands) commands assembled, errors by code: "
            + errors.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
    }
}

private func feed(_ input: [UInt8], random: inout SplitMix64, stats: inout Stats) {
    let maximumFrameSize = random.below(2) == 0 ? 4_096 : 131_072
    var splitter = FrameSplitter(maximumFrameSize: maximumFrameSize)
    var assemblers: [UInt16: ContentAssembler] = [:]
    var announced: [UInt16: UInt64] = [:]
    var start = 0
    while start < input.count {
        let end = min(input.count, start + 1 + random.below(max(input.count / 3, 1)))
        splitter.append(input[start..<end])
        start = end
        while true {
            let raw: RawFrame?
            do {
                raw = try splitter.next()
            } catch {
                note(error, &stats)
                return  // the stream has lost framing: a connection would close here
            }
            guard let raw else { break }
            guard raw.payload.count <= maximumFrameSize else {
                fail("payload of \(raw.payload.count) bytes passed a cap of \(maximumFrameSize)", input, &stats)
                return
            }
            process(raw, assemblers: &assemblers, announced: &announced, input: input, stats: &stats)
        }
        if splitter.bufferedByteCount > maximumFrameSize + frameOverhead {
            fail("splitter holds \(splitter.bufferedByteCount) bytes without a frame", input, &stats)
            return
        }
    }
}

private func process(
    _ raw: RawFrame, assemblers: inout [UInt16: ContentAssembler], announced: inout [UInt16: UInt64],
    input: [UInt8], stats: inout Stats
) {
    let frame: Frame
    do {
        frame = try Frame(raw)
    } catch {
        note(error, &stats)
        return
    }
    stats.frames += 1
    checkRoundTrip(frame, input: input, stats: &stats)
    if case .header(_, let header) = frame { announced[raw.channel] = header.bodySize }
    guard frame != .heartbeat else { return }  // channel 0's business, not an assembler's
    do {
        let command = try assemblers[raw.channel, default: ContentAssembler(maximumBodySize: 1 << 20)].receive(frame)
        if case .content(let content) = command {
            stats.commands += 1
            if UInt64(content.body.count) != announced[raw.channel] {
                fail("assembled \(content.body.count) body bytes, header said \(announced[raw.channel] ?? 0)", input, &stats)
            }
        } else if command != nil {
            stats.commands += 1
        }
    } catch {
        note(error, &stats)
        assemblers[raw.channel]?.reset()
    }
}

/// Whatever decodes must encode to bytes that decode and encode to the same
/// bytes again. (Bytes, not values: a NaN in a table is not equal to itself.)
private func checkRoundTrip(_ frame: Frame, input: [UInt8], stats: inout Stats) {
    let once = payloadBytes(frame)
    guard let type = frameType(of: frame) else { return }
    do {
        let again = try Frame(RawFrame(type: type, channel: frame.channel, payload: once[...]))
        if payloadBytes(again) != once { fail("\(frame) does not re-encode stably", input, &stats) }
    } catch {
        fail("\(frame) re-encodes to bytes that do not decode: \(error)", input, &stats)
    }
}

private func payloadBytes(_ frame: Frame) -> [UInt8] {
    var writer = ByteWriter()
    writer.writeFrame(frame)
    return Array(writer.bytes.dropFirst(frameHeaderSize).dropLast())
}

private func frameType(of frame: Frame) -> FrameType? {
    switch frame {
    case .method: .method
    case .header: .header
    case .body: .body
    case .heartbeat: nil
    }
}

private func note(_ error: AMQPError, _ stats: inout Stats) {
    stats.errors[error.code.rawValue, default: 0] += 1
    if error.code.name.hasPrefix("UNKNOWN") || !error.text.hasPrefix(error.code.name) {
        Issue.record("error with an unknown code or malformed text: \(error)")
        stats.failures += 1
    }
}

private func fail(_ what: String, _ input: [UInt8], _ stats: inout Stats) {
    Issue.record("\(what); input \(hex(input.prefix(256)))")
    stats.failures += 1
}

// MARK: - A small seeded generator

/// SplitMix64: tiny, fast, and the same sequence on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (0 when bound is 0).
    mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
