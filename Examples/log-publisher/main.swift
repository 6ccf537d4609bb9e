// log-publisher severity.facility MESSAGE: publishes one log line to the topic
// exchange with routing key "severity.facility" (e.g. "critical.kern").
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: log-publisher [--url URL] [--exchange NAME] SEVERITY.FACILITY MESSAGE...
    Publishes MESSAGE to the topic exchange (default: topic_logs) with routing
    key SEVERITY.FACILITY. Prints "[x] Sent SEVERITY.FACILITY: MESSAGE".
    """, options: ["--exchange": "topic_logs"], positional: 2...Int.max)

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    let channel = try await connection.openChannel()
    let exchange = arguments.value("--exchange")
    let routingKey = arguments.positional[0]
    let message = arguments.positional.dropFirst().joined(separator: " ")
    try await channel.declareExchange(exchange, type: .topic)
    try await channel.confirmSelect()
    try await channel.publish(message, exchange: exchange, routingKey: routingKey)
    say("[x] Sent \(routingKey): \(message)")
    await connection.close()
}
