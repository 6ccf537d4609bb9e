/// A binary min-heap: the smallest element by `<` is on top.
///
/// The broker's deadline index and the server's timers both keep one, with
/// lazy deletion: stale elements stay until they reach the top or until the
/// owner sweeps them with `removeAll(where:)`, which re-heapifies in O(n).
public struct MinHeap<Element: Comparable> {
    public private(set) var elements: [Element] = []

    public init() {}

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
    /// The smallest element, without removing it.
    public var top: Element? { elements.first }

    public mutating func push(_ element: Element) {
        elements.append(element)
        siftUp(elements.count - 1)
    }

    /// Removes and returns the smallest element.
    @discardableResult
    public mutating func popTop() -> Element? {
        guard let top = elements.first else { return nil }
        let last = elements.removeLast()
        if !elements.isEmpty {
            elements[0] = last
            siftDown(0)
        }
        return top
    }

    /// Drops every element `shouldBeRemoved` picks, then heapifies the rest
    /// bottom-up (Floyd's method, O(n)).
    public mutating func removeAll(where shouldBeRemoved: (Element) -> Bool) {
        elements.removeAll(where: shouldBeRemoved)
        var index = elements.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let element = elements[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard element < elements[parent] else { break }
            elements[child] = elements[parent]
            child = parent
        }
        elements[child] = element
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let element = elements[parent]
        let count = elements.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count, elements[child + 1] < elements[child] { child += 1 }
            guard elements[child] < element else { break }
            elements[parent] = elements[child]
            parent = child
        }
        elements[parent] = element
    }
}
