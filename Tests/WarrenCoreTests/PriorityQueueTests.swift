import AMQPProtocol
import Testing
@testable import WarrenCore

/// `x-max-priority`: highest priority first, FIFO within a priority.
struct PriorityQueueTests {
    @Test func higherPrioritiesGoFirstAndAboveTheMaximumCountsAsIt() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-priority": .int(5)])
        let (session, _) = makeSession(vhost)
        for (text, priority) in [("a0", nil), ("b3", 3), ("c9", 9), ("d5", 5), ("e3", 3), ("f0", 0), ("g1", 1)] as [(String, UInt8?)] {
            try vhost.send(to: "q", text, BasicProperties(priority: priority))
        }
        #expect(vhost.queue(named: "q")?.messageCount == 7)
        #expect(vhost.readyTexts("q") == ["c9", "d5", "b3", "e3", "g1", "a0", "f0"])
        #expect(try vhost.drain("q", session: session) == ["c9", "d5", "b3", "e3", "g1", "a0", "f0"])
    }

    @Test func requeueKeepsThePlaceWithinThePriority() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-priority": .int(5)])
        let (session, _) = makeSession(vhost)
        for (text, priority) in [("a1", 1), ("b1", 1), ("c2", 2), ("d1", 1)] as [(String, UInt8)] {
            try vhost.send(to: "q", text, BasicProperties(priority: priority))
        }
        let taken = try (0..<3).map { _ in try #require(try vhost.get(queue: "q", session: session)).delivery.text }
        #expect(taken == ["c2", "a1", "b1"])
        try vhost.send(to: "q", "e2", BasicProperties(priority: 2))
        try session.nack(deliveryTag: 3)
        try session.nack(deliveryTag: 1)
        #expect(vhost.readyTexts("q") == ["c2", "e2", "b1", "d1"])
        try session.nack(deliveryTag: 2)
        #expect(vhost.readyTexts("q") == ["c2", "e2", "a1", "b1", "d1"])
    }

    @Test func consumersReceiveByPriority() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-priority": .int(10)])
        for priority: UInt8 in [1, 10, 5, 10, 0] { try vhost.send(to: "q", "p\(priority)", BasicProperties(priority: priority)) }
        let (session, sink) = makeSession(vhost)
        try session.qos(prefetchCount: 2, global: false)
        try vhost.consume(queue: "q", session: session)
        #expect(sink.bodies == ["p10", "p10"])
        try vhost.send(to: "q", "p7", BasicProperties(priority: 7))
        try session.ack(deliveryTag: 2, multiple: true)
        #expect(sink.bodies == ["p10", "p10", "p7", "p5"])
    }

    @Test func dropHeadDropsTheHighestPriority() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("q", ["x-max-priority": .int(5), "x-max-length": .int(2)])
        for (text, priority) in [("lo", 0), ("hi", 5), ("mid", 3)] as [(String, UInt8)] {
            try vhost.send(to: "q", text, BasicProperties(priority: priority))
        }
        #expect(vhost.readyTexts("q") == ["mid", "lo"])
    }

    @Test func maxPriorityZeroIsAPlainQueue() throws {
        let vhost = makeVirtualHost()
        let queue = try vhost.makeQueue("q", ["x-max-priority": .int(0)])
        #expect(!queue.usesFeaturePath)
        try vhost.send(to: "q", "a", BasicProperties(priority: 9))
        try vhost.send(to: "q", "b", BasicProperties(priority: 1))
        #expect(vhost.readyTexts("q") == ["a", "b"])
    }

    @Test func purgeEmptiesEveryLevel() throws {
        let vhost = makeVirtualHost()
        let queue = try vhost.makeQueue("q", ["x-max-priority": .int(255)])
        for priority: UInt8 in [0, 255, 128] { try vhost.send(to: "q", "m", BasicProperties(priority: priority)) }
        #expect(try vhost.purgeQueue(name: "q", connection: connectionA) == 3)
        #expect(queue.messageCount == 0)
        try vhost.send(to: "q", "after", BasicProperties(priority: 1))
        #expect(vhost.readyTexts("q") == ["after"])
    }

    /// Random publishes, gets, acks and requeues against a reference: the
    /// ready messages sorted by (priority desc, publish order).
    @Test(arguments: 0..<20)
    func randomOperationsKeepPriorityOrder(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let vhost = makeVirtualHost()
        let maxPriority = UInt8.random(in: 1...12, using: &random)
        try vhost.makeQueue("q", ["x-max-priority": .uint8(maxPriority)])
        let (session, _) = makeSession(vhost)
        var reference: [(order: Int, priority: UInt8)] = []
        var unacked: [UInt64: (order: Int, priority: UInt8)] = [:]
        var nextOrder = 0
        var nextTag: UInt64 = 1
        func expected() -> [String] {
            reference.sorted { ($0.priority, -$0.order) > ($1.priority, -$1.order) }.map { "\($0.order)" }
        }
        for _ in 0..<300 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                let priority = UInt8.random(in: 0...15, using: &random)
                try vhost.send(to: "q", "\(nextOrder)", BasicProperties(priority: priority))
                reference.append((nextOrder, Swift.min(priority, maxPriority)))
                nextOrder += 1
            case 5..<7:
                let want = expected().first
                let got = try vhost.get(queue: "q", session: session)
                #expect(got?.delivery.text == want)
                if let got, let index = reference.firstIndex(where: { "\($0.order)" == got.delivery.text }) {
                    unacked[nextTag] = reference.remove(at: index)
                    nextTag += 1
                }
            case 7:
                if let tag = unacked.keys.randomElement(using: &random) {
                    try session.ack(deliveryTag: tag)
                    unacked[tag] = nil
                }
            default:
                if let tag = unacked.keys.randomElement(using: &random), let entry = unacked.removeValue(forKey: tag) {
                    try session.nack(deliveryTag: tag)
                    reference.append(entry)
                }
            }
            #expect(vhost.readyTexts("q") == expected(), "seed \(seed)")
        }
    }
}
