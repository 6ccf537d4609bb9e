import WarrenClient

/// declare, bind, unbind, delete, purge, list.
extension ClientCommands {
    static let declareCommand = Command(
        name: "declare",
        usage: """
            usage: warren declare queue [NAME] [--durable] [--auto-delete] [--exclusive] [--passive] [--arg NAME=VALUE]...
                   warren declare exchange NAME [--type TYPE] [--durable] [--auto-delete] [--internal] [--passive]
                                               [--arg NAME=VALUE]...
            Declares a queue (the broker names it when NAME is left out) and prints its
            name and counts, or an exchange (TYPE: direct, the default, fanout, topic,
            headers, or a plugin's type). --passive only checks that it exists.
              --arg NAME=VALUE         an argument (repeatable), e.g. x-max-length=100,
                                       x-queue-type=quorum; numbers and true/false are typed,
                                       --arg-string NAME=VALUE keeps VALUE a string
            """,
        valueOptions: ["--type", "--arg", "--arg-string"],
        flags: ["--durable", "--auto-delete", "--exclusive", "--passive", "--internal"]
    ) { options in
        let arguments = try fieldTable(typed: options.all("--arg"), strings: options.all("--arg-string"))
        switch options.positional.first {
        case "queue":
            let name = try options.positionals(1...2, "NAME").dropFirst().first ?? ""
            let queue = try await withChannel(options) { _, channel in
                try await channel.declareQueue(
                    name, passive: options.has("--passive"), durable: options.has("--durable"),
                    exclusive: options.has("--exclusive"), autoDelete: options.has("--auto-delete"),
                    arguments: arguments)
            }
            say("queue \(queue.name): \(queue.messageCount) messages, \(queue.consumerCount) consumers")
        case "exchange":
            let name = try options.positionals(2...2, "NAME")[1]
            try await withChannel(options) { _, channel in
                try await channel.declareExchange(
                    name, type: ExchangeType(rawValue: options.value("--type") ?? "direct"),
                    passive: options.has("--passive"), durable: options.has("--durable"),
                    autoDelete: options.has("--auto-delete"), internal: options.has("--internal"),
                    arguments: arguments)
            }
            say("exchange \(name) declared")
        default:
            throw UsageError("say what to declare: queue or exchange")
        }
        return ExitStatus.success
    }

    static func bindCommand(unbind: Bool) -> Command {
        let verb = unbind ? "unbind" : "bind"
        return Command(
            name: verb,
            usage: """
                usage: warren \(verb) queue QUEUE EXCHANGE [ROUTING_KEY] [--arg NAME=VALUE]...
                       warren \(verb) exchange DESTINATION SOURCE [ROUTING_KEY] [--arg NAME=VALUE]...
                \(unbind ? "Removes the binding" : "Binds QUEUE (or the exchange DESTINATION)") \(unbind ? "of" : "to") EXCHANGE (or SOURCE)
                with ROUTING_KEY (default ""). Arguments, e.g. x-match=any for a headers
                exchange, must be the binding's own\(unbind ? " to remove it" : ""); numbers and
                true/false are typed, --arg-string NAME=VALUE keeps VALUE a string.
                """,
            valueOptions: ["--arg", "--arg-string"]
        ) { options in
            let arguments = try fieldTable(typed: options.all("--arg"), strings: options.all("--arg-string"))
            let words = try options.positionals(3...4, "the kind, the two names")
            let (destination, source, key) = (words[1], words[2], words.count > 3 ? words[3] : "")
            try await withChannel(options) { _, channel in
                switch (words[0], unbind) {
                case ("queue", false):
                    try await channel.bindQueue(destination, exchange: source, routingKey: key, arguments: arguments)
                case ("queue", true):
                    try await channel.unbindQueue(destination, exchange: source, routingKey: key, arguments: arguments)
                case ("exchange", false):
                    try await channel.bindExchange(destination: destination, source: source, routingKey: key,
                                                   arguments: arguments)
                case ("exchange", true):
                    try await channel.unbindExchange(destination: destination, source: source, routingKey: key,
                                                     arguments: arguments)
                default:
                    throw UsageError("say what to \(verb): queue or exchange")
                }
            }
            say("\(unbind ? "unbound" : "bound") \(words[0]) \(destination) \(unbind ? "from" : "to") \(source)"
                + " with routing key \"\(key)\"")
            return ExitStatus.success
        }
    }

    static let deleteCommand = Command(
        name: "delete",
        usage: """
            usage: warren delete queue NAME [--if-unused] [--if-empty]
                   warren delete exchange NAME [--if-unused]
            Deletes the queue (printing how many messages went with it) or the exchange.
              --if-unused      refuse (exit 1) if it has consumers (queue) or bindings (exchange)
              --if-empty       refuse (exit 1) if the queue holds messages
            """,
        flags: ["--if-unused", "--if-empty"]
    ) { options in
        let words = try options.positionals(2...2, "the kind and the name")
        let name = words[1]
        switch words[0] {
        case "queue":
            let count = try await withChannel(options) { _, channel in
                try await channel.deleteQueue(name, ifUnused: options.has("--if-unused"),
                                              ifEmpty: options.has("--if-empty"))
            }
            say("deleted queue \(name) (\(count) messages)")
        case "exchange":
            guard !options.has("--if-empty") else { throw UsageError("--if-empty applies to queues only") }
            try await withChannel(options) { _, channel in
                try await channel.deleteExchange(name, ifUnused: options.has("--if-unused"))
            }
            say("deleted exchange \(name)")
        default:
            throw UsageError("say what to delete: queue or exchange")
        }
        return ExitStatus.success
    }

    static let purgeCommand = Command(
        name: "purge",
        usage: """
            usage: warren purge [--url URL] QUEUE
            Drops every ready message of QUEUE (not those delivered and unacked) and
            prints how many.
            """
    ) { options in
        let queue = try options.positionals(1...1, "QUEUE")[0]
        let count = try await withChannel(options) { _, channel in try await channel.purgeQueue(queue) }
        say("purged \(count) messages from \(queue)")
        return ExitStatus.success
    }

    static let listCommand = Command(
        name: "list",
        usage: """
            usage: warren list queues|exchanges|bindings
            AMQP 0-9-1 has no method to list a broker's queues, exchanges or bindings;
            listing needs Warren's HTTP management API, which is not there yet.
            """
    ) { options in
        let what = try options.positionals(1...1, "what to list: queues, exchanges or bindings")[0]
        guard ["queues", "exchanges", "bindings"].contains(what) else {
            throw UsageError("can list queues, exchanges or bindings, not \(what)")
        }
        complain("""
            warren list: listing \(what) needs the HTTP management API, which Warren does not have yet
            (AMQP 0-9-1 has no method to list \(what)). To check one by name: warren declare queue NAME --passive
            """)
        return ExitStatus.usage
    }
}
