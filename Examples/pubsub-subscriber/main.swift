// pubsub-subscriber: prints every message broadcast while it runs.
//
// Each subscriber declares its own exclusive queue with a name the broker
// picks, binds it to the fanout exchange, and consumes without acks. The
// queue lives exactly as long as the subscriber's connection.
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: pubsub-subscriber [--url URL] [--exchange NAME]
    Prints "[x] MESSAGE" for each message published to the fanout exchange
    (default: logs) while it runs. Runs until Ctrl-C or SIGTERM.
    """, options: ["--exchange": "logs"])

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    closeOnTerminationSignal(connection)
    let channel = try await connection.openChannel()
    let exchange = arguments.value("--exchange")
    try await channel.declareExchange(exchange, type: .fanout)
    let queue = try await channel.declareQueue(exclusive: true).name
    try await channel.bindQueue(queue, exchange: exchange)
    let consumer = try await channel.consume(queue: queue, noAck: true)
    say("[*] Waiting for messages on \(queue). To exit press CTRL+C")
    for try await delivery in consumer {
        say("[x] \(delivery.bodyString)")
    }
}
