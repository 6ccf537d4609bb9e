// goodbye-consumer: prints "goodbye NAME" for every name hello-producer sends.
//
// It reads from its own named, durable queue ("goodbye" by default) bound to
// the fanout exchange, so every consumer kind sees every name, and names sent
// while it is stopped wait for it. (Start it once before the producer: until
// the queue exists and is bound, the exchange drops what it gets.) Several
// goodbye-consumers share the one queue and split the names between them.
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: goodbye-consumer [--url URL] [--exchange NAME] [--queue NAME] [--auto-delete]
    Prints "goodbye NAME" for each name published to the fanout exchange
    (default: hello-goodbye), read from a durable queue (default: goodbye).
    --auto-delete  the queue goes when its last consumer does (for tests and demos)
    Runs until Ctrl-C or SIGTERM.
    """, options: ["--exchange": "hello-goodbye", "--queue": "goodbye"], flags: ["--auto-delete"])

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    closeOnTerminationSignal(connection)
    let channel = try await connection.openChannel()
    let exchange = arguments.value("--exchange")
    let queue = arguments.value("--queue")
    try await channel.declareExchange(exchange, type: .fanout, durable: true)
    try await channel.declareQueue(queue, durable: true, autoDelete: arguments.has("--auto-delete"))
    try await channel.bindQueue(queue, exchange: exchange)
    let consumer = try await channel.consume(queue: queue)
    say("[*] Waiting for names on queue '\(queue)'. To exit press CTRL+C")
    for try await delivery in consumer {
        say("goodbye \(delivery.bodyString)")
        try await delivery.ack()
    }
}
