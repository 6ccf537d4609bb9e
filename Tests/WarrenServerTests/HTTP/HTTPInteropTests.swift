import Foundation
import Testing
@testable import WarrenServer

/// Unmodified pika on one side, HTTP (urllib) on the other: each sees the
/// message ids the other side's messages were given.
@Suite("HTTP and AMQP interop") struct HTTPInteropTests {
    @Test(.timeLimit(.minutes(10)))  // setup.sh may install the venv from scratch
    func messagesCrossBetweenHTTPAndPikaWithTheirIds() throws {
        let broker = try HTTPTestServer()
        let python = try HTTPTestEnvironment.interopPython()
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("warren-http-interop-\(getpid()).py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let result = try HTTPTestEnvironment.run(python, [script.path, "\(broker.port)", "\(broker.httpPort)"], timeout: 120)
        #expect(result.status == 0, "pika scenario failed:\n\(result.output)")
        #expect(result.output.contains("interop ok"), "\(result.output)")
    }

    static let script = #"""
    import base64, json, sys, urllib.request
    import pika

    amqp_port, http_port = int(sys.argv[1]), int(sys.argv[2])
    auth = 'Basic ' + base64.b64encode(b'guest:guest').decode()

    def http(method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request('http://127.0.0.1:%d%s' % (http_port, path), data=data, method=method,
                                         headers={'Authorization': auth, 'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)

    def check(condition, what):
        if not condition:
            print('FAILED:', what); sys.exit(1)

    connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', amqp_port,
                                         credentials=pika.PlainCredentials('guest', 'guest')))
    channel = connection.channel()

    # HTTP -> AMQP: ids returned by POST .../messages are the message-id pika sees.
    http('PUT', '/api/queues/%2F/from-http', {'durable': False})
    status, posted = http('POST', '/api/queues/%2F/from-http/messages',
                          [{'body': 'h%d' % n} for n in range(3)] + [{'body': 'mine', 'properties': {'message_id': 'set-by-http'}}])
    check(status == 201, 'POST messages answered %d' % status)
    seen = []
    for _ in range(4):
        method, properties, body = channel.basic_get('from-http', auto_ack=True)
        check(method is not None, 'pika found the queue empty')
        seen.append((properties.message_id, body.decode()))
    check([i for i, _ in seen] == posted['ids'], 'ids differ: pika %r, HTTP %r' % (seen, posted['ids']))
    check([b for _, b in seen] == ['h0', 'h1', 'h2', 'mine'], 'bodies differ: %r' % seen)
    check(seen[3][0] == 'set-by-http', 'the HTTP publisher id was not kept')

    # AMQP -> HTTP: a fanout copies each pika message to two queues; pika reads
    # one, HTTP the other, and both see the same (Warren-assigned) ids.
    channel.exchange_declare('copies', 'fanout')
    for name in ('to-amqp', 'to-http'):
        channel.queue_declare(name)
        channel.queue_bind(name, 'copies')
    for n in range(3):
        channel.basic_publish('copies', '', ('a%d' % n).encode())
    channel.basic_publish('copies', '', b'named', pika.BasicProperties(message_id='set-by-pika'))
    via_amqp = []
    for _ in range(4):
        method, properties, body = channel.basic_get('to-amqp', auto_ack=True)
        check(method is not None, 'to-amqp empty')
        via_amqp.append((properties.message_id, body.decode()))
    status, via_http = http('GET', '/api/queues/%2F/to-http/messages/next?count=10')
    check(status == 200, 'poll answered %d' % status)
    check([(m['id'], m['body']) for m in via_http] == via_amqp, 'AMQP %r vs HTTP %r' % (via_amqp, via_http))
    check(via_amqp[3][0] == 'set-by-pika', 'the pika publisher id was not kept')
    check(all(len(i) == 15 for i, _ in via_amqp[:3]) and sorted(via_amqp[:3]) == via_amqp[:3], 'assigned ids not sortable')
    connection.close()
    print('interop ok')
    """#
}

/// Finding and running the test's helpers: the package root, the interop
/// venv (made by Tests/InteropTests/setup.sh), and child processes with a deadline.
enum HTTPTestEnvironment {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The venv's python with pika, after running setup.sh if it is missing. Throws (the test fails) if it cannot be had.
    static func interopPython() throws -> String {
        let python = packageRoot.appendingPathComponent(".build/interop-venv/bin/python").path
        if try run(python, ["-c", "import pika"], timeout: 30).status == 0 { return python }
        let setup = try run("/bin/bash", [packageRoot.appendingPathComponent("Tests/InteropTests/setup.sh").path], timeout: 540)
        guard setup.status == 0 else { throw SetupError(message: "interop setup failed:\n\(setup.output)") }
        return python
    }

    struct SetupError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Runs a program, merging its output; kills it after `timeout` seconds.
    static func run(_ program: String, _ arguments: [String], timeout: Double) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: program) else { return (127, "\(program): not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let collected = HTTPTestOutputCollector(output.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return (-1, collected.text() + "\n(killed after \(Int(timeout)) s)")
        }
        process.waitUntilExit()
        return (process.terminationStatus, collected.text())
    }
}

/// Reads a pipe to its end on a background thread, so a chatty child never blocks.
final class HTTPTestOutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock(); data.append(chunk); lock.unlock()
            }
            done.signal()
        }
    }

    func text() -> String {
        _ = done.wait(timeout: .now() + 5)
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
