import Testing
@testable import WarrenCore

struct NameGeneratorTests {
    @Test func encodesUnpaddedURLSafeBase64() {
        #expect(NameGenerator.base64URL([]) == "")
        #expect(NameGenerator.base64URL(Array("f".utf8)) == "Zg")
        #expect(NameGenerator.base64URL(Array("fo".utf8)) == "Zm8")
        #expect(NameGenerator.base64URL(Array("foo".utf8)) == "Zm9v")
        #expect(NameGenerator.base64URL([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(NameGenerator.base64URL(Array(repeating: 0, count: 16)) == "AAAAAAAAAAAAAAAAAAAAAA")
    }

    @Test func sameSeedSameNames() {
        let first = NameGenerator(random: SeededGenerator(seed: 11))
        let second = NameGenerator(random: SeededGenerator(seed: 11))
        let names = (0..<3).map { _ in first.make(prefix: "amq.gen") }
        #expect(names == (0..<3).map { _ in second.make(prefix: "amq.gen") })
        #expect(Set(names).count == 3)
        #expect(names.allSatisfy { $0.utf8.count == 30 })
    }
}
