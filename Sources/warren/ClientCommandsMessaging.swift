import Dispatch
import Glibc
import Synchronization
import WarrenClient

/// publish, consume, get.
extension ClientCommands {
    static let propertyOptions: Set<String> = [
        "--content-type", "--content-encoding", "--header", "--header-string", "--priority", "--correlation-id",
        "--reply-to", "--expiration", "--message-id", "--timestamp", "--type", "--user-id", "--app-id",
    ]

    static let publishCommand = Command(
        name: "publish",
        usage: """
            usage: warren publish [--url URL] [--exchange NAME] [--routing-key KEY] [options] [MESSAGE...]
            Publishes each MESSAGE, or with none, all of standard input as one message,
            and waits for the broker's confirm of each.
              --exchange NAME          exchange (default: the default exchange, "")
              --routing-key KEY        routing key (default: ""); to reach queue Q
                                       through the default exchange, use Q
              --mandatory              fail (exit 1) when the message is unroutable
              --persistent             delivery mode 2 (kept on disk in durable queues)
              --header NAME=VALUE      a header (repeatable); numbers and true/false are typed,
                                       --header-string NAME=VALUE keeps VALUE a string
              --content-type T, --content-encoding E, --priority N, --correlation-id ID,
              --reply-to QUEUE, --expiration MS, --message-id ID, --timestamp SECONDS,
              --type T, --user-id U, --app-id A
                                       the other message properties
            """,
        valueOptions: propertyOptions.union(["--exchange", "--routing-key"]),
        flags: ["--mandatory", "--persistent"]
    ) { options in
        let properties = try messageProperties(options)
        var bodies = options.positional.map { Array($0.utf8) }
        if bodies.isEmpty { bodies = [readStandardInput()] }
        let exchange = options.value("--exchange") ?? ""
        let routingKey = options.value("--routing-key") ?? ""
        try await withChannel(options) { _, channel in
            try await channel.confirmSelect()
            for body in bodies {
                try await channel.publish(body, exchange: exchange, routingKey: routingKey,
                                          mandatory: options.has("--mandatory"), properties: properties)
            }
        }
        complain("published \(bodies.count) message\(bodies.count == 1 ? "" : "s")")
        return ExitStatus.success
    }

    static func messageProperties(_ options: ParsedOptions) throws(UsageError) -> BasicProperties {
        let headers = try fieldTable(typed: options.all("--header"), strings: options.all("--header-string"))
        return BasicProperties(
            contentType: options.value("--content-type"), contentEncoding: options.value("--content-encoding"),
            headers: headers.isEmpty ? nil : headers, deliveryMode: options.has("--persistent") ? 2 : nil,
            priority: options.value("--priority") == nil ? nil : try options.number("--priority", default: UInt8(0)),
            correlationID: options.value("--correlation-id"), replyTo: options.value("--reply-to"),
            expiration: options.value("--expiration"), messageID: options.value("--message-id"),
            timestamp: options.value("--timestamp") == nil ? nil : try options.number("--timestamp", default: UInt64(0)),
            type: options.value("--type"), userID: options.value("--user-id"), appID: options.value("--app-id"))
    }

    static let consumeCommand = Command(
        name: "consume",
        usage: """
            usage: warren consume [--url URL] [--no-ack] [--prefetch N] [--count N] [--verbose] QUEUE
            Prints each message of QUEUE as it arrives (its body, then a newline) and
            acks it, until Ctrl-C or SIGTERM (exit 0) or N messages with --count.
              --no-ack         the broker forgets messages as it sends them
              --prefetch N     unacked messages the broker sends ahead (default 100)
              --verbose        print exchange, routing key, redelivered flag and properties first
            """,
        valueOptions: ["--prefetch", "--count"], flags: ["--no-ack", "--verbose"]
    ) { options in
        let queue = try options.positionals(1...1, "QUEUE")[0]
        let prefetch = try options.number("--prefetch", default: UInt16(100))
        let limit = try options.number("--count", default: 0)
        let noAck = options.has("--no-ack")
        try await withChannel(options) { connection, channel in
            closeOnInterrupt(connection)
            if !noAck { try await channel.qos(prefetchCount: prefetch) }
            let consumer = try await channel.consume(queue: queue, noAck: noAck)
            var received = 0
            for try await delivery in consumer {
                show(delivery, verbose: options.has("--verbose"))
                if !noAck { try await delivery.ack() }
                received += 1
                if received == limit { break }
            }
        }
        return ExitStatus.success
    }

    static let getCommand = Command(
        name: "get",
        usage: """
            usage: warren get [--url URL] [--count N] [--requeue] [--verbose] QUEUE
            Fetches up to N messages (default 1) from QUEUE with basic.get and prints
            each body. They are removed, unless --requeue puts them back.
            Exit status 3 when the queue was empty.
              --verbose        print exchange, routing key, redelivered flag, the count
                               of messages left, and properties first
            """,
        valueOptions: ["--count"], flags: ["--requeue", "--verbose"]
    ) { options in
        let queue = try options.positionals(1...1, "QUEUE")[0]
        let count = try options.number("--count", default: 1)
        let got = try await withChannel(options) { _, channel in
            var got = 0
            while got < count, let delivery = try await channel.get(queue: queue) {
                show(delivery, verbose: options.has("--verbose"))
                got += 1
                // Left unacked with --requeue: the next get moves on, and the close
                // below puts them all back in their order.
                if !options.has("--requeue") { try await delivery.ack() }
            }
            await channel.close()
            return got
        }
        guard got > 0 else {
            complain("queue \(queue) is empty")
            return ExitStatus.empty
        }
        return ExitStatus.success
    }

    private static func show(_ delivery: Delivery, verbose: Bool) {
        if verbose {
            var details = "exchange=\"\(delivery.exchange)\" routing-key=\"\(delivery.routingKey)\""
                + " redelivered=\(delivery.redelivered)"
            if let left = delivery.messageCount { details += " messages-left=\(left)" }
            let properties = describe(delivery.properties)
            say(properties.isEmpty ? details : details + " " + properties)
        }
        writeAll(delivery.body + [UInt8(ascii: "\n")], to: STDOUT_FILENO)
    }

    /// The properties that are set, as `name=value` words.
    private static func describe(_ properties: BasicProperties) -> String {
        let text: [(String, String?)] = [
            ("content-type", properties.contentType), ("content-encoding", properties.contentEncoding),
            ("delivery-mode", properties.deliveryMode.map(String.init)), ("priority", properties.priority.map(String.init)),
            ("correlation-id", properties.correlationID), ("reply-to", properties.replyTo),
            ("expiration", properties.expiration), ("message-id", properties.messageID),
            ("timestamp", properties.timestamp.map(String.init)), ("type", properties.type),
            ("user-id", properties.userID), ("app-id", properties.appID), ("cluster-id", properties.clusterID),
        ]
        var words = text.compactMap { name, value in value.map { "\(name)=\"\($0)\"" } }
        if let headers = properties.headers, !headers.isEmpty {
            words.append("headers={" + headers.entries.map { "\($0.name): \(describe($0.value))" }
                .joined(separator: ", ") + "}")
        }
        return words.joined(separator: " ")
    }

    private static func describe(_ value: FieldValue) -> String {
        if let text = value.stringValue { return "\"\(text)\"" }
        if let number = value.intValue { return String(number) }
        if let flag = value.boolValue { return String(flag) }
        return "\(value)"
    }

    /// Signal sources must outlive the call that makes them.
    private static let signalSources = Mutex<[any DispatchSourceSignal]>([])

    /// Ctrl-C or SIGTERM closes the connection, which ends `consume` cleanly.
    private static func closeOnInterrupt(_ connection: Connection) {
        signalSources.withLock { sources in
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { Task { await connection.close() } }
                source.resume()
                sources.append(source)
            }
        }
    }
}
