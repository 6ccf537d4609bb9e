import Foundation
import Testing
@testable import WarrenServer

/// Hostile and sloppy HTTP clients over real sockets: each gets its status and
/// loses its connection, and AMQP clients notice nothing.
@Suite("HTTP robustness") struct HTTPRobustnessTests {
    /// Sends raw bytes on a new connection; returns the response and whether the server then closed.
    private func exchange(_ broker: HTTPTestServer, _ raw: String) throws -> (HTTPTestResponse, closed: Bool) {
        let client = try broker.client()
        client.send(raw)
        let response = try client.readResponse()
        return (response, client.waitForClose())
    }

    @Test func oversizedPartsGetTheirStatusAndTheConnectionCloses() throws {
        let broker = try HTTPTestServer { http in
            http.maximumRequestLineBytes = 1024
            http.maximumHeaderBytes = 2048
            http.maximumHeaderCount = 20
            http.maximumBodyBytes = 4096
        }
        let longLine = try exchange(broker, "GET /" + String(repeating: "x", count: 4000) + " HTTP/1.1\r\n")
        #expect(longLine.0.status == 414 && longLine.closed)
        let manyHeaders = (0..<30).map { "X-\($0): y\r\n" }.joined()
        let tooMany = try exchange(broker, "GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders + "\r\n")
        #expect(tooMany.0.status == 431 && tooMany.closed)
        let bigHeader = try exchange(broker, "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "y", count: 3000))
        #expect(bigHeader.0.status == 431 && bigHeader.closed)
        // 413 comes from Content-Length alone, before any of the body is sent.
        let bigBody = try exchange(broker, "POST /api/queues/%2F/q/messages HTTP/1.1\r\nHost: h\r\nContent-Length: 5000000\r\n\r\n")
        #expect(bigBody.0.status == 413 && bigBody.closed)
    }

    @Test func malformedAndChunkedRequestsAreRefusedAndClosed() throws {
        let broker = try HTTPTestServer()
        let garbage = try exchange(broker, "HELLO THERE\r\n\r\n")
        #expect(garbage.0.status == 400 && garbage.closed)
        #expect(garbage.0.header("Connection") == "close")
        let badLength = try exchange(broker, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ten\r\n\r\n")
        #expect(badLength.0.status == 400 && badLength.closed)
        let chunked = try exchange(broker, "POST /api/queues/%2F/q/messages HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   + "5\r\nhello\r\n0\r\n\r\n")
        #expect(chunked.0.status == 411 && chunked.closed)
        let gzip = try exchange(broker, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n")
        #expect(gzip.0.status == 501 && gzip.closed)
        let http2 = try exchange(broker, "GET / HTTP/2.0\r\n\r\n")
        #expect(http2.0.status == 505 && http2.closed)
    }

    @Test func slowClientsTimeOut() throws {
        let broker = try HTTPTestServer { http in
            http.requestTimeoutSeconds = 1
            http.idleTimeoutSeconds = 1.5
        }
        // A trickle: one byte of headers every 150 ms never completes the request.
        let slow = try broker.client()
        let started = Date()
        var timedOut: HTTPTestResponse?
        for byte in Array("GET /api/overview HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "z"), count: 40) {
            slow.send([byte])
            usleep(150_000)
            if Date().timeIntervalSince(started) > 1.2 {
                timedOut = try slow.readResponse()
                break
            }
        }
        #expect(timedOut?.status == 408)
        #expect(slow.waitForClose())
        #expect(Date().timeIntervalSince(started) < 4)
        // An idle keep-alive connection is closed too.
        let idle = try broker.client()
        #expect(try idle.request("GET", "/api/whoami").status == 200)
        #expect(idle.waitForClose(seconds: 4))
    }

    @Test func keepAlivePipeliningAndExpectContinue() throws {
        let broker = try HTTPTestServer()
        let client = try broker.client()
        let auth = "Authorization: Basic \(Data("guest:guest".utf8).base64EncodedString())\r\n"
        client.send("GET /api/whoami HTTP/1.1\r\nHost: h\r\n\(auth)\r\nGET /api/vhosts HTTP/1.1\r\nHost: h\r\n\(auth)\r\n")
        #expect(try client.readResponse().object["name"] as? String == "guest")
        #expect(try client.readResponse().array.first?["name"] as? String == "/")
        client.send("PUT /api/queues/%2F/later HTTP/1.1\r\nHost: h\r\n\(auth)Expect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        client.send("{}")
        #expect(try client.readResponse().status == 201)
        let closing = try client.request("GET", "/api/whoami", headers: [("Connection", "close")])
        #expect(closing.header("Connection") == "close")
        #expect(client.waitForClose())
    }

    /// Mutated requests (bytes flipped, inserted, dropped, truncated,
    /// duplicated) on many connections: Warren answers or closes each, never
    /// crashes, and an AMQP client and a clean HTTP client still work after.
    @Test func randomizedMutatedRequestsLeaveEverythingElseWorking() throws {
        let broker = try HTTPTestServer { http in
            http.requestTimeoutSeconds = 0.5
            http.maximumBodyBytes = 64 * 1024
        }
        let amqp = try MiniAMQPClient(port: broker.port)
        try amqp.declareQueue("bystander")
        let auth = "Authorization: Basic \(Data("guest:guest".utf8).base64EncodedString())\r\n"
        let seeds = [
            "GET /api/overview HTTP/1.1\r\nHost: h\r\n\(auth)\r\n",
            "PUT /api/queues/%2F/fuzz HTTP/1.1\r\nHost: h\r\n\(auth)Content-Length: 17\r\n\r\n{\"durable\":false}",
            "POST /api/queues/%2F/fuzz/messages HTTP/1.1\r\nHost: h\r\n\(auth)Content-Length: 44\r\n\r\n[{\"body\":\"x\",\"properties\":{\"priority\":1}}]",
            "POST /api/exchanges/%2F/amq.default/publish HTTP/1.1\r\nHost: h\r\n\(auth)Content-Length: 62\r\n\r\n"
                + "{\"routing_key\":\"fuzz\",\"payload\":\"p\",\"payload_encoding\":\"string\"}",
            "GET /api/queues/%2F/fuzz/messages/next?count=3 HTTP/1.1\r\nHost: h\r\n\(auth)\r\n",
            "DELETE /api/queues/%2F/fuzz/contents HTTP/1.1\r\nHost: h\r\n\(auth)\r\n",
        ].map { Array($0.utf8) }
        var random = HTTPFuzzRandom(seed: 0x5EED)
        let interesting: [UInt8] = Array(" :\r\n%{}[]\"\\/0-9".utf8) + [0, 0x7F, 0xFF, 0xC3]
        var batch: [HTTPTestClient] = []
        for round in 0..<240 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: bytes[at] = interesting.randomElement(using: &random) ?? 0
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
                case 2: bytes.remove(at: at)
                case 3: bytes = Array(bytes.prefix(at))
                default: bytes.insert(contentsOf: bytes[at...].prefix(16), at: at)
                }
            }
            // Sent with a half-close, forty connections at a time: whatever
            // Warren makes of the bytes, it must answer or close each one.
            let client = try HTTPTestClient(port: broker.httpPort, timeout: 2)
            client.send(bytes)
            try? client.socket.shutdown(.writing)
            batch.append(client)
            if batch.count == 40 {
                for client in batch { #expect(client.waitForClose(seconds: 3), "round \(round): connection left open") }
                batch.removeAll()
            }
        }
        // Everything else still works.
        amqp.publish(Array("still here".utf8), routingKey: "bystander")
        #expect(try amqp.get("bystander")?.body == Array("still here".utf8))
        #expect(try broker.request("GET", "/api/overview").status == 200)
        #expect(try httpEventually { (broker.server.withContext { $0.http?.connectionCount ?? -1 } ?? -1) <= 1 })
    }
}

/// A small deterministic generator (SplitMix64) so a failing fuzz round can be replayed.
struct HTTPFuzzRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
