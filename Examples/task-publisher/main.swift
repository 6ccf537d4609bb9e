// task-publisher TASK...: queues each task for the workers. A task's dots are
// its seconds of simulated work ("sleep..." takes a worker 3 s).
//
// The queue is durable and the messages persistent, and the publisher waits
// for the broker's confirms, so queued tasks survive a broker restart.
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: task-publisher [--url URL] [--queue NAME] [--auto-delete] TASK...
    Queues each TASK on the durable work queue (default: task_queue). Each dot
    in a TASK is one unit of work for the worker. Prints "[x] Sent 'TASK'".
    --auto-delete  declare the queue auto-delete (must match the workers')
    """, options: ["--queue": "task_queue"], flags: ["--auto-delete"], positional: 1...Int.max)

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    let channel = try await connection.openChannel()
    let queue = arguments.value("--queue")
    try await channel.declareQueue(queue, durable: true, autoDelete: arguments.has("--auto-delete"))
    try await channel.confirmSelect()
    for task in arguments.positional {
        try await channel.publish(task, routingKey: queue, properties: BasicProperties(deliveryMode: 2))
        say("[x] Sent '\(task)'")
    }
    await connection.close()
}
