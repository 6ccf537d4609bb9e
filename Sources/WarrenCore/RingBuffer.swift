/// A growable double-ended queue on one contiguous ring of slots.
///
/// Pushing and popping at either end is O(1) amortised with no allocation
/// once the ring has grown; inserting in the middle moves the shorter side.
/// The ring shrinks again after a deep backlog drains, so memory follows
/// the live count.
struct RingBuffer<Element> {
    private var slots: ContiguousArray<Element?> = []
    private var head = 0
    private(set) var count = 0

    private static var minimumCapacity: Int { 16 }

    var isEmpty: Bool { count == 0 }
    var capacity: Int { slots.count }

    var first: Element? { element(at: 0) }
    var last: Element? { element(at: count - 1) }

    /// The element `index` places from the front, or nil when out of range.
    func element(at index: Int) -> Element? {
        guard index >= 0, index < count else { return nil }
        return slots[physical(index)]
    }

    mutating func append(_ element: Element) {
        growIfFull()
        slots[physical(count)] = element
        count += 1
    }

    mutating func prepend(_ element: Element) {
        growIfFull()
        head = (head - 1) & (slots.count - 1)
        slots[head] = element
        count += 1
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = slots[head]
        slots[head] = nil
        head = (head + 1) & (slots.count - 1)
        count -= 1
        shrinkIfSparse()
        return element
    }

    /// Inserts so that `element` ends up `index` places from the front.
    mutating func insert(_ element: Element, at index: Int) {
        if index <= 0 { return prepend(element) }
        if index >= count { return append(element) }
        growIfFull()
        let mask = slots.count - 1
        if index < count / 2 {
            head = (head - 1) & mask
            for offset in 0..<index {
                slots[(head + offset) & mask] = slots[(head + offset + 1) & mask]
            }
        } else {
            var offset = count
            while offset > index {
                slots[(head + offset) & mask] = slots[(head + offset - 1) & mask]
                offset -= 1
            }
        }
        slots[(head + index) & mask] = element
        count += 1
    }

    /// Empties the ring, keeping its storage when asked (the purge case does not).
    mutating func removeAll(keepingCapacity: Bool = false) {
        if keepingCapacity {
            for offset in 0..<count { slots[physical(offset)] = nil }
        } else {
            slots = []
        }
        head = 0
        count = 0
    }

    private func physical(_ index: Int) -> Int { (head + index) & (slots.count - 1) }

    private mutating func growIfFull() {
        guard count == slots.count else { return }
        resize(to: Swift.max(Self.minimumCapacity, slots.count * 2))
    }

    private mutating func shrinkIfSparse() {
        guard slots.count > 1024, count < slots.count / 8 else { return }
        resize(to: slots.count / 2)
    }

    private mutating func resize(to newCapacity: Int) {
        var grown = ContiguousArray<Element?>(repeating: nil, count: newCapacity)
        for offset in 0..<count { grown[offset] = slots[physical(offset)] }
        slots = grown
        head = 0
    }
}

extension RingBuffer: Sequence {
    struct Iterator: IteratorProtocol {
        let ring: RingBuffer
        var offset = 0
        mutating func next() -> Element? {
            defer { offset += 1 }
            return ring.element(at: offset)
        }
    }

    func makeIterator() -> Iterator { Iterator(ring: self) }
    var underestimatedCount: Int { count }
}
