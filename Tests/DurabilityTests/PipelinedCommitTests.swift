import AMQPProtocol
import Foundation
import Glibc
import Testing
@testable import WarrenServer

/// A client that does not wait for tx.commit-ok before sending more (pipelining) must
/// still get its replies in order: while a commit waits for the fdatasync, the channel
/// holds what follows and answers it after the commit-ok.
@Suite(.serialized) struct PipelinedCommitTests {
    /// Just enough AMQP over a blocking socket to send frames in one write and read
    /// methods back in order.
    final class Client {
        let fd: Int32
        private var splitter = FrameSplitter(maximumFrameSize: 1 << 20)

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw TestFailure("connect failed: errno \(errno)") }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func write(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                offset += written
            }
        }

        func frames(_ methods: [Method], channel: UInt16) -> [UInt8] {
            var writer = ByteWriter()
            for method in methods { writer.writeMethodFrame(channel: channel, method) }
            return writer.bytes
        }

        func publishFrames(_ body: String, queue: String) -> [UInt8] {
            var writer = ByteWriter()
            writer.writeContent(channel: 1, .basicPublish(BasicPublish(routingKey: queue)),
                                properties: BasicProperties(deliveryMode: 2), body: Array(body.utf8), frameMax: 131_072)
            return writer.bytes
        }

        /// The next method frame (heartbeats and content frames skipped).
        func nextMethod() throws -> Method {
            while true {
                if let raw = try splitter.next() {
                    if case .method(_, let method) = try Frame(raw) { return method }
                    continue
                }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let count = read(fd, &chunk, chunk.count)
                guard count > 0 else { throw TestFailure("the server closed the connection or went silent") }
                splitter.append(chunk[..<count])
            }
        }

        func handshake() throws {
            write(protocolHeader)
            _ = try nextMethod()  // connection.start
            write(frames([.connectionStartOk(ConnectionStartOk(mechanism: "PLAIN", response: Array("\0guest\0guest".utf8),
                                                               locale: "en_US"))], channel: 0))
            _ = try nextMethod()  // connection.tune
            write(frames([.connectionTuneOk(ConnectionTuneOk(channelMax: 16, frameMax: 131_072, heartbeat: 0)),
                          .connectionOpen(ConnectionOpen(virtualHost: "/"))], channel: 0))
            _ = try nextMethod()  // connection.open-ok
            write(frames([.channelOpen(ChannelOpen())], channel: 1))
            _ = try nextMethod()  // channel.open-ok
        }
    }

    @Test func repliesAfterAPipelinedCommitWaitForItsCommitOk() async throws {
        let directory = TemporaryDirectory("pipelined")
        let disk = ConfirmTests.SlowDisk()
        var configuration = ServerConfiguration(port: 0, bind: "127.0.0.1", dataDirectory: directory.path)
        configuration.storeFaults = disk.injector
        let server = try Server.start(configuration, log: { _ in })
        defer { server.stop() }
        let client = try Client(port: server.port)
        try client.handshake()
        client.write(client.frames([.queueDeclare(QueueDeclare(queue: "piped", durable: true)), .txSelect(TxSelect())], channel: 1))
        #expect(try client.nextMethod().name == "queue.declare-ok")
        #expect(try client.nextMethod().name == "tx.select-ok")
        disk.delayMilliseconds.store(300, ordering: .relaxed)
        // One write: publish, commit, declare (passive), publish, commit, declare.
        let start = monotonicSeconds()
        client.write(client.publishFrames("one", queue: "piped")
            + client.frames([.txCommit(TxCommit()), .queueDeclare(QueueDeclare(queue: "piped", passive: true))], channel: 1)
            + client.publishFrames("two", queue: "piped")
            + client.frames([.txCommit(TxCommit()), .queueDeclare(QueueDeclare(queue: "piped", passive: true))], channel: 1))
        var replies: [String] = []
        var counts: [UInt32] = []
        for _ in 0..<4 {
            let method = try client.nextMethod()
            replies.append(method.name)
            if case .queueDeclareOk(let ok) = method { counts.append(ok.messageCount) }
        }
        let elapsed = monotonicSeconds() - start
        #expect(replies == ["tx.commit-ok", "queue.declare-ok", "tx.commit-ok", "queue.declare-ok"])
        #expect(counts == [1, 2])
        #expect(elapsed >= 0.55, "two commits, each behind a 300 ms fdatasync, answered in \(elapsed) s")
    }
}
