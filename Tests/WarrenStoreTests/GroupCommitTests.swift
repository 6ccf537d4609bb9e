import Glibc
import Testing
@testable import WarrenStore

struct GroupCommitTests {
    @Test func ticketsIncreaseAndTheSyncerSettlesThem() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        defer { store.close() }
        var tickets: [SyncTicket] = []
        tickets.append(try store.appendDefinition(.declareQueue(QueueDefinition(vhost: "/", name: "q"))))
        tickets.append(try store.appendMessage(message(1), queues: ["q"]))
        tickets.append(try store.markDelivered(queue: "q", messageID: 1))
        tickets.append(try store.remove(queue: "q", messageIDs: [1]))
        #expect(tickets == tickets.sorted() && Set(tickets).count == 4)
        #expect(try store.remove(queue: "q", messageIDs: [1]) == tickets[3])  // nothing new to persist
        let result = store.waitUntilSettled(tickets[3])
        #expect(result.resolvedThrough >= tickets[3])
        #expect(result.failed.isEmpty)
        #expect(tickets.allSatisfy(result.isDurable))
    }

    @Test func manyAppendsShareFewFdatasyncs() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        defer { store.close() }
        let appends = 5000
        var last = SyncTicket.none
        for id in 1...appends { last = try store.appendMessage(message(UInt64(id)), queues: ["q"]) }
        let result = store.waitUntilSettled(last)
        #expect(result.isDurable(last))
        let statistics = store.statistics
        print("group commit: \(appends) appends (sync after every append), \(statistics.syncRounds) sync rounds, \(statistics.fdatasyncCalls) fdatasync calls")
        #expect(statistics.fdatasyncCalls < appends / 4)
        #expect(statistics.syncRounds <= statistics.fdatasyncCalls)
    }

    @Test func onRequestPolicyWritesAndSyncsOncePerRequest() throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.syncPolicy = .onRequest
        let (store, _) = try openStore(directory, options: options)
        defer { store.close() }
        var last = SyncTicket.none
        for id in UInt64(1)...1000 {
            last = try store.appendMessage(message(id), queues: ["q", "r"])
            if id % 2 == 0 { last = try store.markDelivered(queue: "q", messageID: id - 1) }
        }
        #expect(store.statistics.syncRounds == 0)
        store.requestSync()
        let result = store.waitUntilSettled(last)
        #expect(result.isDurable(last))
        #expect(store.statistics.syncRounds == 1)
        #expect(store.statistics.fdatasyncCalls == 2)  // the segment and the journal
    }

    @Test func theNotificationDescriptorSignalsCompletions() throws {
        let directory = TemporaryDirectory()
        let (store, _) = try openStore(directory)
        defer { store.close() }
        var descriptor = pollfd(fd: store.notificationFD, events: Int16(POLLIN), revents: 0)
        #expect(poll(&descriptor, 1, 0) == 0)
        let ticket = try store.appendMessage(message(1), queues: ["q"])
        #expect(poll(&descriptor, 1, 10_000) == 1)
        var result = store.drainCompletions()
        while result.resolvedThrough < ticket {
            #expect(poll(&descriptor, 1, 10_000) == 1)
            result = store.drainCompletions()
        }
        #expect(result.isDurable(ticket))
        #expect(poll(&descriptor, 1, 0) == 0)  // drained: no longer readable
    }

    @Test func closeSyncsEverythingStillBuffered() throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.syncPolicy = .onRequest
        let (store, _) = try openStore(directory, options: options)
        let ticket = try store.appendMessage(message(1), queues: ["q"])
        let result = store.close()
        #expect(result.isDurable(ticket))
        let (again, recovered) = try openStore(directory)
        defer { again.close() }
        #expect(recovered.queues["q"]?.count == 1)
    }
}
