import AMQPProtocol
import Testing
@testable import WarrenCore

struct TopicExchangeTests {
    /// (binding key, routing key, should match), RabbitMQ's semantics: words
    /// split on dots, the empty key has no words, empty words are words.
    static let table: [(String, String, Bool)] = [
        ("a.b.c", "a.b.c", true), ("a.b.c", "a.b", false), ("a.b", "a.b.c", false),
        ("*", "a", true), ("*", "", false), ("*", "a.b", false),
        ("#", "", true), ("#", "a", true), ("#", "a.b.c", true),
        ("a.#", "a", true), ("a.#", "a.b.c", true), ("a.#", "b", false), ("a.#", "ab", false),
        ("#.a", "a", true), ("#.a", "x.y.a", true), ("#.a", "a.x", false),
        ("#.#", "", true), ("#.#", "a.b", true), ("#.#.#", "a", true),
        ("a.*.c", "a..c", true), ("a..c", "a..c", true), ("a..c", "a.b.c", false),
        ("", "", true), ("", "a", false), ("a", "", false),
        ("a.", "a.", true), ("a.", "a", false), ("a.*", "a.", true), ("*.*", ".", true), ("*", ".", false),
        ("#.b.#", "b", true), ("#.b.#", "a.b.c", true), ("#.b.#", "a.c", false),
        ("*.#", "", false), ("*.#", "a", true), ("#.*", "", false), ("#.*", "a.b", true),
        ("a.#.b", "a.b", true), ("a.#.b", "a.x.y.b", true), ("a.#.b", "a.b.c", false),
        ("a.*.#", "a", false), ("a.*.#", "a.b", true), ("*.*.*", "a.b", false),
        ("a.b", "A.B", false), ("stock.#", "stock.usd.nyse", true), ("*.orange.*", "quick.orange.rabbit", true),
        ("*.*.rabbit", "lazy.orange.elephant", false), ("lazy.#", "lazy.pink.rabbit", true),
        ("\u{E9}", "e\u{301}", false), ("\u{E9}", "\u{E9}", true), ("a.*", "a.\u{301}", true),
    ]

    @Test(arguments: table)
    func routesByPattern(binding: String, routingKey: String, matches: Bool) throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "t", type: "topic")
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "t", binding)
        let result = try vhost.send("t", routingKey, "m")
        #expect(result.isRouted == matches, "binding '\(binding)' key '\(routingKey)'")
    }

    @Test func longKeysAgainstManyHashesStayFast() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "t", type: "topic")
        try vhost.makeQueue("hit")
        try vhost.makeQueue("miss")
        try vhost.bind("hit", to: "t", "#.w.#.w.#")
        try vhost.bind("miss", to: "t", Array(repeating: "#", count: 20).joined(separator: ".") + ".x")
        let key = Array(repeating: "w", count: 120).joined(separator: ".")
        let clock = ContinuousClock()
        let elapsed = try clock.measure { try vhost.send("t", key, "m") }
        #expect(vhost.readyTexts("hit") == ["m"])
        #expect(vhost.readyTexts("miss").isEmpty)
        #expect(elapsed < .seconds(1))
    }

    @Test func oneMessagePerQueueWhenSeveralPatternsMatch() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "t", type: "topic")
        try vhost.makeQueue("q")
        for pattern in ["a.b", "a.*", "#", "*.b", "a.#"] { try vhost.bind("q", to: "t", pattern) }
        let result = try vhost.send("t", "a.b", "m")
        #expect(result.queueCount == 1)
        #expect(vhost.readyTexts("q") == ["m"])
    }

    @Test func memoIsDroppedWhenBindingsChange() throws {
        let vhost = makeVirtualHost()
        try vhost.declareExchange(name: "t", type: "topic")
        let exchange = try #require(vhost.exchange(named: "t") as? TopicExchange)
        try vhost.makeQueue("q1")
        try vhost.makeQueue("q2")
        try vhost.bind("q1", to: "t", "a.*")
        try vhost.send("t", "a.b", "1")
        #expect(exchange.cachedKeyCount == 1)
        try vhost.bind("q2", to: "t", "#")
        #expect(exchange.cachedKeyCount == 0)
        try vhost.send("t", "a.b", "2")
        try vhost.unbindQueue(queue: "q1", exchange: "t", routingKey: "a.*", connection: connectionA)
        try vhost.send("t", "a.b", "3")
        #expect(vhost.readyTexts("q1") == ["1", "2"])
        #expect(vhost.readyTexts("q2") == ["2", "3"])
    }

    @Test func unbindingPrunesTheTrie() throws {
        let trie = TopicTrie()
        let queue = Queue(name: "q")
        trie.insert("a.*.#.c", .queue(queue))
        trie.insert("a.*.#.c", .queue(queue))
        #expect(trie.match("a.b.c") { _ in } == 2)
        trie.remove("a.*.#.c", .queue(queue))
        #expect(trie.match("a.b.x.c") { _ in } == 1)
        trie.remove("a.*.#.c", .queue(queue))
        #expect(trie.isEmpty)
    }

    @Test func memoCapacityBoundsIt() throws {
        var configuration = Configuration()
        configuration.topicRouteCacheCapacity = 4
        let vhost = VirtualHost(configuration: configuration, random: SeededGenerator(seed: 1))
        try vhost.declareExchange(name: "t", type: "topic")
        let exchange = try #require(vhost.exchange(named: "t") as? TopicExchange)
        try vhost.makeQueue("q")
        try vhost.bind("q", to: "t", "#")
        for index in 0..<10 { try vhost.send("t", "k\(index)", "m") }
        #expect(exchange.cachedKeyCount <= 4)
        #expect(vhost.queue(named: "q")?.messageCount == 10)
    }

    @Test func wordsSplitAsRabbitMQSplitsThem() {
        #expect(Array(TopicWords("")).isEmpty)
        #expect(Array(TopicWords("a")) == ["a"])
        #expect(Array(TopicWords("a..b")) == ["a", "", "b"])
        #expect(Array(TopicWords(".")) == ["", ""])
        #expect(Array(TopicWords("a.")) == ["a", ""])
    }
}
