import Testing
@testable import WarrenCore

struct RingBufferTests {
    @Test func keepsFirstInFirstOutAcrossWrapAndGrowth() {
        var ring = RingBuffer<Int>()
        var expected: [Int] = []
        var next = 0
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 3) {
                ring.append(next)
                expected.append(next)
                next += 1
            }
            for _ in 0..<(round % 5 + 1) {
                #expect(ring.popFirst() == expected.first)
                expected.removeFirst()
            }
        }
        #expect(Array(ring) == expected)
    }

    @Test func prependsAndInsertsOnEitherSide() {
        var ring = RingBuffer<Int>()
        for value in [10, 20, 30, 40, 50, 60] { ring.append(value) }
        ring.prepend(5)
        ring.insert(15, at: 2)
        ring.insert(55, at: 7)
        ring.insert(0, at: 0)
        ring.insert(70, at: ring.count)
        #expect(Array(ring) == [0, 5, 10, 15, 20, 30, 40, 50, 55, 60, 70])
        #expect(ring.first == 0)
        #expect(ring.last == 70)
        #expect(ring.element(at: 11) == nil)
        #expect(ring.element(at: -1) == nil)
    }

    @Test func insertMatchesArrayInsertEverywhere() {
        for size in 0..<20 {
            for position in 0...size {
                var ring = RingBuffer<Int>()
                for value in 0..<size { ring.prepend(-value) }
                var array = Array(ring)
                ring.insert(999, at: position)
                array.insert(999, at: position)
                #expect(Array(ring) == array)
            }
        }
    }

    @Test func shrinksAfterADeepBacklogDrains() {
        var ring = RingBuffer<Int>()
        for value in 0..<100_000 { ring.append(value) }
        let peak = ring.capacity
        while ring.count > 10 { _ = ring.popFirst() }
        #expect(ring.capacity < peak / 100)
        #expect(Array(ring) == Array(99_990..<100_000))
    }

    @Test func emptyRingPopsNil() {
        var ring = RingBuffer<String>()
        #expect(ring.popFirst() == nil)
        ring.append("a")
        ring.removeAll()
        #expect(ring.isEmpty)
        #expect(ring.first == nil)
    }
}
