import Testing
@testable import WarrenStore

struct DefinitionsLogTests {
    private let orders = ExchangeDefinition(vhost: "/", name: "orders", type: "topic",
                                            flags: [.durable, .internal], arguments: [1, 2, 3])
    private let queue = QueueDefinition(vhost: "/", name: "invoices", flags: [.durable], arguments: [9])
    private var binding: BindingDefinition {
        BindingDefinition(vhost: "/", source: "orders", destination: "invoices", routingKey: "eu.#", arguments: [7])
    }

    @Test func definitionsSurviveReopen() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        #expect(recovered.definitions == Definitions())
        let other = ExchangeDefinition(vhost: "staging", name: "orders", type: "direct")
        let toExchange = BindingDefinition(vhost: "/", source: "orders", destination: "audit",
                                           destinationKind: .exchange, routingKey: "")
        for change: DefinitionChange in [.declareExchange(orders), .declareExchange(other), .declareQueue(queue),
                                          .bind(binding), .bind(toExchange)] {
            _ = try store.appendDefinition(change)
        }
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        #expect(recovered.definitions.exchanges == [orders, other])
        #expect(recovered.definitions.queues == [queue])
        #expect(recovered.definitions.bindings == [binding, toExchange])
    }

    @Test func deletionsAndUnbindsAreReplayedAndCompactedAway() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        for round in 0..<50 {
            let name = "temporary-\(round)"
            _ = try store.appendDefinition(.declareQueue(QueueDefinition(vhost: "/", name: name)))
            _ = try store.appendDefinition(.deleteQueue(vhost: "/", name: name))
        }
        _ = try store.appendDefinition(.declareExchange(orders))
        _ = try store.appendDefinition(.declareQueue(queue))
        _ = try store.appendDefinition(.bind(binding))
        let sizeBefore = fileSize(directory.path + "/definitions.log")
        (store, recovered) = try reopen(store, directory)
        #expect(fileSize(directory.path + "/definitions.log") < sizeBefore / 4)
        #expect(recovered.definitions.queues == [queue])
        #expect(recovered.definitions.bindings == [binding])

        _ = try store.appendDefinition(.deleteQueue(vhost: "/", name: "invoices"))
        (store, recovered) = try reopen(store, directory)
        #expect(recovered.definitions.bindings.isEmpty)  // deleting the queue took its binding
        _ = try store.appendDefinition(.declareQueue(queue))
        _ = try store.appendDefinition(.bind(binding))
        _ = try store.appendDefinition(.unbind(binding))
        _ = try store.appendDefinition(.deleteExchange(vhost: "/", name: "orders"))
        (store, recovered) = try reopen(store, directory)
        defer { store.close() }
        #expect(recovered.definitions == Definitions(queues: [queue]))
    }

    @Test func aDamagedDefinitionRecordIsDroppedAndTheRestKept() throws {
        let directory = TemporaryDirectory()
        var (store, recovered) = try openStore(directory)
        _ = try store.appendDefinition(.declareExchange(orders))
        _ = try store.appendDefinition(.declareQueue(queue))
        _ = try store.appendDefinition(.bind(binding))
        store.close()
        let path = directory.path + "/definitions.log"
        var bytes = readFile(path)
        let target = try #require(occurrences(of: Array("invoices".utf8), in: bytes).first)
        bytes[target] ^= 0xFF  // inside the queue declaration
        writeFile(path, bytes)
        (store, recovered) = try openStore(directory)
        defer { store.close() }
        #expect(recovered.definitions.exchanges == [orders])
        #expect(recovered.definitions.queues.isEmpty)
        #expect(recovered.definitions.bindings == [binding])
        #expect(recovered.notes.contains { $0.kind == .damagedRecords })
    }

    @Test func leftoverCompactionFileIsRemoved() throws {
        let directory = TemporaryDirectory()
        var (store, _) = try openStore(directory)
        _ = try store.appendDefinition(.declareQueue(queue))
        store.close()
        writeFile(directory.path + "/definitions.log.tmp", [1, 2, 3])
        let recovered: RecoveredState
        (store, recovered) = try openStore(directory)
        defer { store.close() }
        #expect(recovered.definitions.queues == [queue])
        #expect(recovered.notes.map(\.kind) == [.leftoverFile])
        #expect(fileSize(directory.path + "/definitions.log.tmp") == -1)
    }
}
