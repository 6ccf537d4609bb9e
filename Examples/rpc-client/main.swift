// rpc-client ARG: asks an rpc-server and prints the answer.
//
// The reply comes back on an exclusive queue the broker names for this client;
// the request carries that name as reply-to, and a fresh correlation id that
// the client matches against replies. The request is mandatory and confirmed,
// so with no server (no queue) the client says so at once instead of waiting.
import ExampleSupport
import Foundation
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: rpc-client [--url URL] [--queue NAME] [--timeout SECONDS] ARG
    Sends ARG to the rpc-server on the queue (default: rpc_queue) and prints
    "[.] Got ANSWER" (fib(ARG) for a number, ARG in upper case otherwise).
    Gives up after SECONDS (default 10) with exit status 1.
    """, options: ["--queue": "rpc_queue", "--timeout": "10"], positional: 1...1)

struct NoAnswer: Error, CustomStringConvertible {
    let description: String
}

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    let channel = try await connection.openChannel()
    let replyQueue = try await channel.declareQueue(exclusive: true).name
    let replies = try await channel.consume(queue: replyQueue, noAck: true)
    let correlationID = UUID().uuidString
    try await channel.confirmSelect()
    do {
        try await channel.publish(arguments.positional[0], routingKey: arguments.value("--queue"), mandatory: true,
                                  properties: BasicProperties(correlationID: correlationID, replyTo: replyQueue))
    } catch ClientError.publishReturned {
        throw NoAnswer(description: "no rpc-server is serving queue '\(arguments.value("--queue"))'")
    }
    let timeout = arguments.number("--timeout")
    let answer = try await withThrowingTaskGroup(of: String?.self) { group in
        group.addTask {
            for try await reply in replies where reply.properties.correlationID == correlationID {
                return reply.bodyString
            }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: .seconds(timeout))
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
    guard let answer else { throw NoAnswer(description: "no answer within \(timeout) s") }
    say("[.] Got \(answer)")
    await connection.close()
}
