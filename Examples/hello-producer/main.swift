// hello-producer NAME...: publishes each name to the fanout exchange that
// hello-consumer and goodbye-consumer listen on. Waits for the broker's
// confirm of each, so when it exits the names are safely queued.
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: hello-producer [--url URL] [--exchange NAME] NAME...
    Publishes each NAME to the fanout exchange (default: hello-goodbye).
    Prints "[x] Sent NAME" for each.
    """, options: ["--exchange": "hello-goodbye"], positional: 1...Int.max)

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    let channel = try await connection.openChannel()
    let exchange = arguments.value("--exchange")
    try await channel.declareExchange(exchange, type: .fanout, durable: true)
    try await channel.confirmSelect()
    for name in arguments.positional {
        try await channel.publish(name, exchange: exchange, routingKey: "",
                                  properties: BasicProperties(contentType: "text/plain", deliveryMode: 2))
        say("[x] Sent \(name)")
    }
    await connection.close()
}
