// pubsub-publisher MESSAGE...: broadcasts each message to the fanout exchange;
// every running pubsub-subscriber gets a copy, and nobody else keeps one.
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: pubsub-publisher [--url URL] [--exchange NAME] MESSAGE...
    Publishes each MESSAGE to the fanout exchange (default: logs).
    Prints "[x] Sent MESSAGE" for each.
    """, options: ["--exchange": "logs"], positional: 1...Int.max)

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    let channel = try await connection.openChannel()
    let exchange = arguments.value("--exchange")
    try await channel.declareExchange(exchange, type: .fanout)
    try await channel.confirmSelect()
    for message in arguments.positional {
        try await channel.publish(message, exchange: exchange, routingKey: "")
        say("[x] Sent \(message)")
    }
    await connection.close()
}
