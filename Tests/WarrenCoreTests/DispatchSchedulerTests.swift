import Testing
@testable import WarrenCore

struct DispatchSchedulerTests {
    @Test func aQueueIsScheduledOnceUntilItRuns() throws {
        let vhost = makeVirtualHost()
        let queue = try vhost.makeQueue("q")
        let scheduler = DispatchScheduler()
        scheduler.schedule(queue)
        scheduler.schedule(queue)
        #expect(queue.isScheduled)
        scheduler.run()
        #expect(!queue.isScheduled)
    }

    @Test func deletedQueuesAreNotScheduled() throws {
        let vhost = makeVirtualHost()
        let queue = try vhost.makeQueue("q")
        try vhost.deleteQueue(name: "q", connection: connectionA)
        let scheduler = DispatchScheduler()
        scheduler.schedule(queue)
        #expect(!queue.isScheduled)
    }

    @Test func workScheduledDuringARunIsDoneInTheSameRun() throws {
        let vhost = makeVirtualHost()
        try vhost.makeQueue("a")
        try vhost.makeQueue("b")
        let (session, sink) = makeSession(vhost)
        sink.onDeliver = { delivery in
            if delivery.text == "to-a" { _ = try? vhost.send("", "b", "to-b") }
        }
        try vhost.consume(queue: "a", noAck: true, session: session)
        try vhost.consume(queue: "b", noAck: true, session: session)
        try vhost.send("", "a", "to-a")
        #expect(sink.bodies == ["to-a", "to-b"])
    }
}
