// file-producer PATH: sends a file through a queue, one message per line, for
// file-consumer to write back out.
//
// A line is its exact bytes, newline included; the last one may have none.
// Bytes are never decoded, so any encoding survives. After the last line comes
// an empty message with the header x-end-of-file = true (and the line and
// byte counts), so the consumer knows the copy is whole. Lines are published
// in confirm mode without waiting for each confirm; one wait at the end
// covers them all.
import ExampleSupport
import Foundation
import WarrenClient

let arguments = ExampleArguments.parse(usage: """
    usage: file-producer [--url URL] [--queue NAME] [--auto-delete] PATH
    Sends the file at PATH line by line to the durable queue (default: file_copy),
    then an end-of-file marker. Prints "[x] Sent N lines (B bytes) from PATH".
    --auto-delete  declare the queue auto-delete (must match the consumer's)
    """, options: ["--queue": "file_copy"], flags: ["--auto-delete"], positional: 1...1)

/// The file's lines, each with its newline, the last possibly without.
func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
        lines.append(bytes[start...index])
        start = index + 1
    }
    if start < bytes.endIndex { lines.append(bytes[start...]) }
    return lines
}

await runExample {
    let path = arguments.positional[0]
    guard let contents = FileManager.default.contents(atPath: path) else {
        complain("file-producer: cannot read \(path)")
        exit(1)
    }
    let bytes = [UInt8](contents)
    let connection = try await Connection.connect(to: arguments.url)
    let channel = try await connection.openChannel()
    let queue = arguments.value("--queue")
    try await channel.declareQueue(queue, durable: true, autoDelete: arguments.has("--auto-delete"))
    try await channel.confirmSelect()
    let persistent = BasicProperties(contentType: "application/octet-stream", deliveryMode: 2)
    let fileLines = lines(of: bytes)
    for line in fileLines {
        try await channel.publish(Array(line), routingKey: queue, properties: persistent, awaitConfirm: false)
    }
    var endOfFile = persistent
    endOfFile.headers = [
        "x-end-of-file": .boolean(true),
        "x-line-count": .int64(Int64(fileLines.count)),
        "x-byte-count": .int64(Int64(bytes.count)),
    ]
    try await channel.publish([], routingKey: queue, properties: endOfFile, awaitConfirm: false)
    try await channel.waitForConfirms()
    say("[x] Sent \(fileLines.count) lines (\(bytes.count) bytes) from \(path)")
    await connection.close()
}
