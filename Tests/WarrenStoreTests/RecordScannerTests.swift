import Testing
@testable import WarrenStore

struct RecordScannerTests {
    private func log(_ payloads: [[UInt8]]) -> (bytes: [UInt8], starts: [Int]) {
        var buffer = FileHeader(kind: .journal, value: 1).bytes
        var starts: [Int] = []
        for payload in payloads {
            let start = RecordFormat.begin(4, in: &buffer)
            starts.append(start)
            buffer.append(contentsOf: payload)
            RecordFormat.finish(at: start, in: &buffer)
        }
        return (buffer, starts)
    }

    private func scan(_ bytes: [UInt8]) -> (payloads: [[UInt8]], damaged: [Range<Int>]) {
        bytes.withUnsafeBytes { raw in
            var scanner = RecordScanner(raw, from: RecordFormat.fileHeaderSize, maxPayload: 1 << 20) { type, _ in type == 4 }
            var payloads: [[UInt8]] = []
            var damaged: [Range<Int>] = []
            while let event = scanner.next() {
                switch event {
                case .record(_, _, let payload): payloads.append(Array(raw[payload]))
                case .damaged(let range): damaged.append(range)
                }
            }
            return (payloads, damaged)
        }
    }

    private let payloads: [[UInt8]] = (0..<5).map { index in Array("payload number \(index)".utf8) }

    @Test func readsEveryIntactRecord() {
        let result = scan(log(payloads).bytes)
        #expect(result.payloads == payloads)
        #expect(result.damaged.isEmpty)
    }

    @Test func reportsATornTailAsDamageReachingTheEnd() {
        let (bytes, starts) = log(payloads)
        let torn = Array(bytes[..<(starts[4] + 12)])
        let result = scan(torn)
        #expect(result.payloads == Array(payloads[..<4]))
        #expect(result.damaged == [starts[4]..<torn.count])
    }

    @Test func skipsARecordWithADamagedPayloadByItsLength() {
        var (bytes, starts) = log(payloads)
        bytes[starts[2] + RecordFormat.headerSize + 3] ^= 0x40
        let result = scan(bytes)
        #expect(result.payloads == [payloads[0], payloads[1], payloads[3], payloads[4]])
        #expect(result.damaged == [starts[2]..<starts[3]])
    }

    @Test func resynchronisesAfterADamagedLength() {
        var (bytes, starts) = log(payloads)
        bytes[starts[1] + 1] ^= 0x01
        let result = scan(bytes)
        #expect(result.payloads == [payloads[0], payloads[2], payloads[3], payloads[4]])
        #expect(result.damaged == [starts[1]..<starts[2]])
    }

    @Test func treatsZeroFilledTailAsDamage() {
        let (bytes, _) = log(payloads)
        let result = scan(bytes + [UInt8](repeating: 0, count: 100))
        #expect(result.payloads == payloads)
        #expect(result.damaged == [bytes.count..<(bytes.count + 100)])
    }
}
