import Testing
@testable import WarrenCore

struct MinHeapTests {
    @Test func popsInAscendingOrderWhateverThePushOrder() {
        var random = SystemRandomNumberGenerator()
        let values = (0..<500).map { _ in Int.random(in: -1000...1000, using: &random) }
        var heap = MinHeap<Int>()
        for value in values { heap.push(value) }
        #expect(heap.count == values.count)
        var popped: [Int] = []
        while let value = heap.popTop() { popped.append(value) }
        #expect(popped == values.sorted())
        #expect(heap.isEmpty && heap.top == nil)
    }

    @Test func removeAllKeepsTheRestInHeapOrder() {
        var heap = MinHeap<Int>()
        for value in (0..<200).reversed() { heap.push(value) }
        heap.removeAll { $0 % 3 == 0 }
        var popped: [Int] = []
        while let value = heap.popTop() { popped.append(value) }
        #expect(popped == (0..<200).filter { $0 % 3 != 0 })
    }
}
