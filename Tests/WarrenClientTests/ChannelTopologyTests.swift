import Testing
@testable import WarrenClient

@Suite("exchanges, queues and bindings", .timeLimit(.minutes(2)))
struct ChannelTopologyTests {
    @Test("a passive declare of a missing queue is 404 with RabbitMQ's text; the connection lives on")
    func passiveDeclareOfMissingQueue() async throws {
        try await withChannel { connection, channel in
            let name = uniqueName("missing")
            let error = try #require(await clientError { try await channel.declareQueue(name, passive: true) })
            #expect(error == .channelClosed(CloseReason(
                code: .notFound, text: "NOT_FOUND - no queue '\(name)' in vhost '/'", classID: 50, methodID: 10)))
            #expect(!channel.isOpen)
            #expect(channel.closeReason == error)
            // Every later call on the channel throws the same; the connection is untouched.
            await #expect(throws: error) { try await channel.declareQueue(exclusive: true) }
            await #expect(throws: error) { try await channel.publish("x", routingKey: "q") }
            #expect(connection.isOpen)
            let fresh = try await connection.openChannel()
            let queue = try await fresh.declareQueue(exclusive: true)
            #expect(queue.messageCount == 0)
        }
    }

    @Test("a channel error arrives in the channel's events with its code")
    func channelCloseIsAnEvent() async throws {
        try await withChannel { _, channel in
            await #expect(throws: ClientError.self) {
                try await channel.declareExchange(uniqueName("missing"), type: .fanout, passive: true)
            }
            var closed: ClientError?
            for await event in channel.events {
                if case .closed(let error) = event { closed = error }
            }
            #expect(closed?.closeReason?.code == .notFound)
        }
    }

    @Test("redeclaring with another type is 406 PRECONDITION_FAILED with RabbitMQ's text")
    func inequivalentRedeclare() async throws {
        try await withChannel { connection, channel in
            let name = uniqueName("flags")
            try await channel.declareExchange(name, type: .direct, autoDelete: true)
            let error = await clientError { try await channel.declareExchange(name, type: .fanout, autoDelete: true) }
            #expect(error?.closeReason?.code == .preconditionFailed)
            #expect(error?.closeReason?.text == "PRECONDITION_FAILED - inequivalent arg 'type' for exchange '\(name)' "
                + "in vhost '/': received 'fanout' but current is 'direct'")
            try await connection.openChannel().deleteExchange(name)
        }
    }

    @Test("declare with every flag and arguments; passive declare reports the counts")
    func declareWithFlagsAndArguments() async throws {
        try await withChannel { _, channel in
            let exchange = uniqueName("x")
            try await channel.declareExchange(exchange, type: .topic, durable: false, autoDelete: true,
                                              arguments: ["alternate-exchange": .string("amq.fanout")])
            try await channel.declareExchange(exchange, type: .topic, passive: true)
            let internalExchange = uniqueName("internal")
            try await channel.declareExchange(internalExchange, type: .direct, autoDelete: true, internal: true)
            let queue = try await channel.declareQueue(
                uniqueName("q"), exclusive: true, autoDelete: true,
                arguments: ["x-max-length": .int32(10), "x-message-ttl": .int32(60_000)])
            try await channel.confirmSelect()  // so the counts below include every publish
            for number in 0..<3 { try await channel.publish("\(number)", routingKey: queue.name) }
            let passive = try await channel.declareQueue(queue.name, passive: true)
            #expect(passive.messageCount == 3)
            #expect(passive.consumerCount == 0)
            try await channel.deleteExchange(internalExchange)
            try await channel.deleteExchange(exchange, ifUnused: true)
        }
    }

    @Test("the broker names a queue declared without a name")
    func serverNamedQueue() async throws {
        try await withChannel { _, channel in
            let queue = try await channel.declareQueue(exclusive: true)
            #expect(queue.name.hasPrefix("amq.gen-"))
        }
    }

    @Test("bind routes by key, unbind stops it")
    func bindAndUnbindQueue() async throws {
        try await withChannel { _, channel in
            let exchange = uniqueName("direct")
            try await channel.declareExchange(exchange, type: .direct)  // auto-delete would go with its last binding
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.bindQueue(queue, exchange: exchange, routingKey: "red")
            try await channel.publish("one", exchange: exchange, routingKey: "red")
            try await channel.publish("lost", exchange: exchange, routingKey: "blue")
            try await channel.unbindQueue(queue, exchange: exchange, routingKey: "red")
            try await channel.publish("two", exchange: exchange, routingKey: "red")
            #expect(try await channel.get(queue: queue, noAck: true)?.bodyString == "one")
            #expect(try await channel.get(queue: queue, noAck: true) == nil)
            try await channel.deleteExchange(exchange)
        }
    }

    @Test("exchange-to-exchange bindings forward, and unbind stops them")
    func exchangeToExchangeBindings() async throws {
        try await withChannel { _, channel in
            let source = uniqueName("source")
            let destination = uniqueName("destination")
            try await channel.declareExchange(source, type: .topic)
            try await channel.declareExchange(destination, type: .fanout)
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.bindQueue(queue, exchange: destination)
            try await channel.bindExchange(destination: destination, source: source, routingKey: "a.*")
            try await channel.publish("forwarded", exchange: source, routingKey: "a.b")
            try await channel.publish("not matched", exchange: source, routingKey: "b.b")
            try await channel.unbindExchange(destination: destination, source: source, routingKey: "a.*")
            try await channel.publish("after unbind", exchange: source, routingKey: "a.b")
            #expect(try await channel.get(queue: queue, noAck: true)?.bodyString == "forwarded")
            #expect(try await channel.get(queue: queue, noAck: true) == nil)
            try await channel.deleteExchange(source)
            try await channel.deleteExchange(destination)
        }
    }

    @Test("purge and delete report message counts; if-empty and if-unused refuse with 406")
    func purgeAndDelete() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(uniqueName("purge"), durable: true).name
            try await channel.confirmSelect()
            for number in 0..<4 { try await channel.publish("\(number)", routingKey: queue) }
            #expect(try await channel.purgeQueue(queue) == 4)
            try await channel.publish("left", routingKey: queue)
            let notEmpty = await clientError { try await channel.deleteQueue(queue, ifEmpty: true) }
            #expect(notEmpty?.closeReason?.code == .preconditionFailed)
            let again = try await connection.openChannel()
            let consumer = try await again.consume(queue: queue)  // dropping it would cancel it
            let inUse = try await connection.openChannel()
            let used = await clientError { try await inUse.deleteQueue(queue, ifUnused: true) }
            #expect(used?.closeReason?.code == .preconditionFailed)
            await again.close()
            _ = consumer
            let last = try await connection.openChannel()
            #expect(try await last.deleteQueue(queue) == 1)
        }
    }

    @Test("no-wait requests are sent without a reply and still take effect")
    func noWaitRequests() async throws {
        try await withChannel { _, channel in
            let exchange = uniqueName("nowait")
            let queue = uniqueName("nowait-q")
            try await channel.declareExchange(exchange, type: .fanout, autoDelete: true, noWait: true)
            try await channel.declareQueue(queue, exclusive: true, noWait: true)
            try await channel.bindQueue(queue, exchange: exchange, noWait: true)
            try await channel.publish("through", exchange: exchange, routingKey: "")
            #expect(try await channel.get(queue: queue, noAck: true)?.bodyString == "through")
            try await channel.deleteQueue(queue, noWait: true)
            try await channel.deleteExchange(exchange, noWait: true)
            let error = await clientError { try await channel.declareQueue(queue, passive: true) }
            #expect(error?.closeReason?.code == .notFound)
        }
    }

    @Test("requests from many tasks on one channel are answered in turn")
    func concurrentRequestsOnOneChannel() async throws {
        try await withChannel { _, channel in
            let names = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await channel.declareQueue(exclusive: true).name } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(names.count == 20)
        }
    }
}
