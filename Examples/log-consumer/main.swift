// log-consumer BINDING...: prints the log lines whose "severity.facility" key
// matches any of the binding patterns. In a pattern "*" stands for exactly one
// word and "#" for zero or more: "*.kern", "critical.*", "#".
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: log-consumer [--url URL] [--exchange NAME] BINDING...
    Prints "[x] KEY: MESSAGE" for each log line published to the topic exchange
    (default: topic_logs) whose routing key matches a BINDING, such as
    "*.kern", "critical.*" or "#". Runs until Ctrl-C or SIGTERM.
    """, options: ["--exchange": "topic_logs"], positional: 1...Int.max)

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    closeOnTerminationSignal(connection)
    let channel = try await connection.openChannel()
    let exchange = arguments.value("--exchange")
    try await channel.declareExchange(exchange, type: .topic)
    let queue = try await channel.declareQueue(exclusive: true).name
    for binding in arguments.positional {
        try await channel.bindQueue(queue, exchange: exchange, routingKey: binding)
    }
    let consumer = try await channel.consume(queue: queue, noAck: true)
    say("[*] Waiting for logs matching \(arguments.positional.joined(separator: " ")). To exit press CTRL+C")
    for try await delivery in consumer {
        say("[x] \(delivery.routingKey): \(delivery.bodyString)")
    }
}
