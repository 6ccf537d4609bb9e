// rpc-server: answers requests on the RPC queue. A number n gets fib(n); any
// other text comes back upper-cased. The answer goes to the request's reply-to
// queue with the request's correlation id, and only then is the request acked,
// so a server that dies mid-request leaves it for another server.
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: rpc-server [--url URL] [--queue NAME]
    Serves requests from the queue (default: rpc_queue): a number N is answered
    with fib(N) (N up to 90), other text with the text in upper case.
    Prints "[.] fib(N) = F" or "[.] upper(TEXT) = TEXT" for each request.
    Runs until Ctrl-C or SIGTERM.
    """, options: ["--queue": "rpc_queue"])

func fibonacci(_ n: Int) -> UInt64 {
    var (current, next): (UInt64, UInt64) = (0, 1)
    for _ in 0..<n { (current, next) = (next, current &+ next) }
    return current
}

/// The answer to one request, and the line that describes it.
func answer(_ request: String) -> (reply: String, line: String) {
    if let n = Int(request), (0...90).contains(n) {
        let result = String(fibonacci(n))
        return (result, "[.] fib(\(n)) = \(result)")
    }
    let result = request.uppercased()
    return (result, "[.] upper(\(request)) = \(result)")
}

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    closeOnTerminationSignal(connection)
    let channel = try await connection.openChannel()
    let queue = arguments.value("--queue")
    try await channel.declareQueue(queue)
    try await channel.qos(prefetchCount: 1)
    let consumer = try await channel.consume(queue: queue)
    say("[*] Awaiting RPC requests on '\(queue)'. To exit press CTRL+C")
    for try await request in consumer {
        let (reply, line) = answer(request.bodyString)
        say(line)
        if let replyTo = request.properties.replyTo {
            try await channel.publish(reply, routingKey: replyTo,
                                      properties: BasicProperties(correlationID: request.properties.correlationID))
        } else {
            complain("rpc-server: request without reply-to, answer dropped")
        }
        try await request.ack()
    }
}
