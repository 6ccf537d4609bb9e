import Testing
@testable import WarrenCore

struct ExactKeyTests {
    @Test func comparesBytesNotCanonicalEquivalence() {
        #expect("\u{E9}" == "e\u{301}")
        #expect(ExactKey("\u{E9}") != ExactKey("e\u{301}"))
        #expect(ExactKey("abc") == ExactKey("abc"))
        #expect(!"\u{E9}".hasSameBytes(as: "e\u{301}"))
    }

    @Test func aSliceEqualsTheWholeStringWithTheSameBytes() {
        let key = "orders.new"
        let word = key.utf8.split(separator: UInt8(ascii: ".")).map { Substring($0) }
        #expect(ExactKey(word[0]) == ExactKey("orders"))
        var seen: Set<ExactKey> = [ExactKey("orders")]
        #expect(!seen.insert(ExactKey(word[0])).inserted)
    }

    @Test func ordersAsErlangOrdersBinaries() {
        #expect("B".bytesPrecede("a"))
        #expect("a".bytesPrecede("aa"))
        #expect(!"b".bytesPrecede("aa"))
    }
}
