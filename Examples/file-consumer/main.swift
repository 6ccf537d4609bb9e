// file-consumer OUTPUT: writes the lines file-producer sends into OUTPUT and
// exits once the end-of-file marker arrives, checking the line and byte counts
// it carries. The copy is byte for byte the original.
//
// Lines are acked in batches (one multiple-ack per 100), and the broker sends
// at most 1000 ahead. A second file queued behind the first stays queued.
import ExampleSupport
import Foundation
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: file-consumer [--url URL] [--queue NAME] [--auto-delete] OUTPUT
    Writes the next file sent to the durable queue (default: file_copy) into
    OUTPUT, then exits. Prints "[*] Waiting ..." when ready and
    "[x] Wrote N lines (B bytes) to OUTPUT" when done.
    --auto-delete  declare the queue auto-delete (must match the producer's)
    """, options: ["--queue": "file_copy"], flags: ["--auto-delete"], positional: 1...1)

/// Collects lines and writes them to the output in large pieces.
struct OutputFile {
    let handle: FileHandle
    var pending: [UInt8] = []
    var lines = 0
    var bytes = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        self.handle = handle
    }

    mutating func append(_ line: [UInt8]) throws {
        pending += line
        lines += 1
        bytes += line.count
        if pending.count >= 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        try handle.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }
}

await runExample {
    let path = arguments.positional[0]
    var output = try OutputFile(path: path)
    let connection = try await Connection.connect(to: arguments.url)
    closeOnTerminationSignal(connection)
    let channel = try await connection.openChannel()
    let queue = arguments.value("--queue")
    try await channel.declareQueue(queue, durable: true, autoDelete: arguments.has("--auto-delete"))
    try await channel.qos(prefetchCount: 1000)
    let consumer = try await channel.consume(queue: queue)
    say("[*] Waiting for a file on '\(queue)'. To exit press CTRL+C")
    for try await delivery in consumer {
        guard let headers = delivery.properties.headers, headers["x-end-of-file"]?.boolValue == true else {
            try output.append(delivery.body)
            if output.lines % 100 == 0 { try await delivery.ack(multiple: true) }
            continue
        }
        try output.flush()
        try output.handle.close()
        try await delivery.ack(multiple: true)
        let expectedLines = headers["x-line-count"]?.intValue
        let expectedBytes = headers["x-byte-count"]?.intValue
        guard expectedLines == Int64(output.lines), expectedBytes == Int64(output.bytes) else {
            complain("file-consumer: incomplete copy: got \(output.lines) lines (\(output.bytes) bytes), the producer "
                + "sent \(expectedLines.map(String.init) ?? "?") lines (\(expectedBytes.map(String.init) ?? "?") bytes)")
            exit(1)
        }
        say("[x] Wrote \(output.lines) lines (\(output.bytes) bytes) to \(path)")
        await connection.close()
        return
    }
}
