/// Topic binding keys as a trie over their dot-separated words.
///
/// Matching steps a set of trie nodes through the routing key one word at a
/// time, like an NFA, so a pattern full of `#` costs words × nodes rather
/// than the exponential backtracking of a naive matcher:
/// - a literal word follows the child edge for that word;
/// - `*` is a child edge taken by any one word;
/// - `#` is a node that stays in the set while it consumes words, and that is
///   entered without consuming any (so `a.#` matches `a`, `#` matches `""`).
///
/// Words are compared as bytes. The empty routing key has no words, `a..b`
/// has an empty middle word, as in RabbitMQ's `split_topic_key`.
final class TopicTrie {
    private let root = TopicNode(isHash: false)
    @exclusivity(unchecked) private var current: [TopicNode] = []
    @exclusivity(unchecked) private var next: [TopicNode] = []
    @exclusivity(unchecked) private var epoch: UInt64 = 0

    var isEmpty: Bool { root.isUnused }

    func insert(_ bindingKey: String, _ destination: Destination) {
        var node = root
        for word in TopicWords(bindingKey) {
            node = node.child(for: Edge(word), creating: true) ?? node
        }
        node.destinations.append(destination)
    }

    func remove(_ bindingKey: String, _ destination: Destination) {
        var path: [(node: TopicNode, edge: Edge)] = []
        var node = root
        for word in TopicWords(bindingKey) {
            let edge = Edge(word)
            guard let child = node.child(for: edge, creating: false) else { return }
            path.append((node, edge))
            node = child
        }
        guard let position = node.destinations.firstIndex(where: { $0.isSame(as: destination) }) else { return }
        node.destinations.remove(at: position)
        prune(node, along: path)
    }

    /// Calls `body` for the destination of every matching binding, duplicates
    /// included, and returns how many there were.
    func match(_ routingKey: String, _ body: (Destination) -> Void) -> Int {
        epoch &+= 1
        current.removeAll(keepingCapacity: true)
        Self.enter(root, into: &current, epoch: epoch)
        for word in TopicWords(routingKey) {
            step(ExactKey(word))
            if current.isEmpty { return 0 }
        }
        var matched = 0
        for node in current {
            for destination in node.destinations { body(destination) }
            matched += node.destinations.count
        }
        return matched
    }

    private func step(_ word: ExactKey) {
        epoch &+= 1
        next.removeAll(keepingCapacity: true)
        for node in current {
            if node.isHash { Self.enter(node, into: &next, epoch: epoch) }
            if !node.children.isEmpty, let child = node.children[word] { Self.enter(child, into: &next, epoch: epoch) }
            if let star = node.star { Self.enter(star, into: &next, epoch: epoch) }
        }
        swap(&current, &next)
    }

    /// Adds `node` and the `#` nodes reachable from it without consuming a word.
    private static func enter(_ node: TopicNode, into set: inout [TopicNode], epoch: UInt64) {
        var candidate: TopicNode? = node
        while let node = candidate, node.mark != epoch {
            node.mark = epoch
            set.append(node)
            candidate = node.hash
        }
    }

    /// Detaches nodes left with nothing below them, from the leaf upwards.
    private func prune(_ leaf: TopicNode, along path: [(node: TopicNode, edge: Edge)]) {
        var node = leaf
        for (parent, edge) in path.reversed() {
            guard node.isUnused else { return }
            parent.detach(edge)
            node = parent
        }
    }

    enum Edge {
        case word(ExactKey)
        case star
        case hash

        init(_ word: Substring) {
            switch word {
            case "*": self = .star
            case "#": self = .hash
            default: self = .word(ExactKey(word))
            }
        }
    }
}

/// A position in the trie, reached by a prefix of binding-key words.
final class TopicNode {
    var children: [ExactKey: TopicNode] = [:]
    var star: TopicNode?
    var hash: TopicNode?
    /// Reached through a `#` edge: it may consume any number of words.
    let isHash: Bool
    /// One entry per binding whose key ends here.
    var destinations: [Destination] = []
    /// The matcher's visited mark for its current step.
    @exclusivity(unchecked) var mark: UInt64 = 0

    init(isHash: Bool) { self.isHash = isHash }

    var isUnused: Bool { children.isEmpty && star == nil && hash == nil && destinations.isEmpty }

    func child(for edge: TopicTrie.Edge, creating: Bool) -> TopicNode? {
        switch edge {
        case .word(let word):
            if let child = children[word] { return child }
            guard creating else { return nil }
            let child = TopicNode(isHash: false)
            children[word] = child
            return child
        case .star:
            if star == nil, creating { star = TopicNode(isHash: false) }
            return star
        case .hash:
            if hash == nil, creating { hash = TopicNode(isHash: true) }
            return hash
        }
    }

    func detach(_ edge: TopicTrie.Edge) {
        switch edge {
        case .word(let word): children[word] = nil
        case .star: star = nil
        case .hash: hash = nil
        }
    }
}

/// The words of a topic key, as slices of it: `""` has none, `"a."` has `a` and `""`.
struct TopicWords: Sequence, IteratorProtocol {
    private let key: String
    private var start: String.Index?

    init(_ key: String) {
        self.key = key
        self.start = key.isEmpty ? nil : key.utf8.startIndex
    }

    mutating func next() -> Substring? {
        guard let from = start else { return nil }
        let utf8 = key.utf8
        guard let dot = utf8[from...].firstIndex(of: UInt8(ascii: ".")) else {
            start = nil
            return Substring(utf8[from...])
        }
        start = utf8.index(after: dot)
        return Substring(utf8[from..<dot])
    }
}
