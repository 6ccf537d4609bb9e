// worker: takes tasks from the work queue one at a time, "works" one unit per
// dot in the task, then acks it.
//
// Prefetch 1 is fair dispatch: the broker gives a worker its next task only
// after the worker acked the last, so a busy worker is skipped instead of
// piling up work. A worker killed mid-task never acked it, so the broker
// hands the task to another worker, marked redelivered.
import ExampleSupport
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: worker [--url URL] [--queue NAME] [--auto-delete] [--ms-per-dot N]
    Works through tasks on the durable work queue (default: task_queue), one at
    a time (prefetch 1), sleeping N ms per dot in the task (default 1000).
    Prints "[x] Received 'TASK'" (with " [redelivered]" when another worker
    died holding it), then "[x] Done 'TASK'" once it is acked.
    Runs until Ctrl-C or SIGTERM.
    """, options: ["--queue": "task_queue", "--ms-per-dot": "1000"], flags: ["--auto-delete"])

await runExample {
    let connection = try await Connection.connect(to: arguments.url)
    closeOnTerminationSignal(connection)
    let channel = try await connection.openChannel()
    let queue = arguments.value("--queue")
    let millisecondsPerDot = arguments.number("--ms-per-dot")
    try await channel.declareQueue(queue, durable: true, autoDelete: arguments.has("--auto-delete"))
    try await channel.qos(prefetchCount: 1)
    let consumer = try await channel.consume(queue: queue)
    say("[*] Waiting for tasks on '\(queue)'. To exit press CTRL+C")
    for try await delivery in consumer {
        let task = delivery.bodyString
        say("[x] Received '\(task)'" + (delivery.redelivered ? " [redelivered]" : ""))
        let dots = task.count { $0 == "." }
        try await Task.sleep(for: .milliseconds(dots * millisecondsPerDot))
        try await delivery.ack()
        say("[x] Done '\(task)'")
    }
}
