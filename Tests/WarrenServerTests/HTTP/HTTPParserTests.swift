import Testing
@testable import WarrenServer

/// The request parser alone: framing, limits and refusals, with the input
/// split at every possible point.
@Suite struct HTTPParserTests {
    private func parseAll(_ chunks: [[UInt8]], limits: HTTPConfiguration = HTTPConfiguration()) throws(HTTPParseError) -> [HTTPRequest] {
        var parser = HTTPRequestParser(limits: limits)
        var requests: [HTTPRequest] = []
        for chunk in chunks {
            parser.withAppendableBuffer { $0.append(contentsOf: chunk) }
            while let event = try parser.next() {
                if case .request(let request) = event { requests.append(request) }
            }
        }
        return requests
    }

    private func parseError(_ text: String, limits: HTTPConfiguration = HTTPConfiguration()) -> HTTPParseError? {
        do {
            _ = try parseAll([Array(text.utf8)], limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func pipelinedRequestsParseTheSameWhereverTheBytesAreSplit() throws {
        let stream = Array(("\r\nPOST /api/queues/%2F/q/messages?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n"
            + "X-Spaces:   padded value  \r\n\r\n{\"body\":\"\"}GET / HTTP/1.0\nConnection: keep-alive\n\n").utf8)
        let whole = try parseAll([stream])
        #expect(whole.count == 2)
        #expect(whole[0].method == "POST")
        #expect(whole[0].target == "/api/queues/%2F/q/messages?x=1")
        #expect(whole[0].query == ["x": "1"])
        #expect(whole[0].header("x-spaces") == "padded value")
        #expect(whole[0].body == Array("{\"body\":\"\"}".utf8))
        #expect(whole[1].minorVersion == 0 && whole[1].wantsKeepAlive)
        for split in 1..<stream.count {
            let parts = [Array(stream[..<split]), Array(stream[split...])]
            let requests = try parseAll(parts)
            #expect(requests.map(\.target) == whole.map(\.target), "split at \(split)")
            #expect(requests.map(\.body) == whole.map(\.body), "split at \(split)")
        }
        let bytewise = try parseAll(stream.map { [$0] })
        #expect(bytewise.map(\.target) == whole.map(\.target))
    }

    @Test func limitsAreCheckedBeforeBuffering() {
        var small = HTTPConfiguration()
        small.maximumRequestLineBytes = 64
        small.maximumHeaderBytes = 128
        small.maximumHeaderCount = 3
        small.maximumBodyBytes = 10
        #expect(parseError("GET /" + String(repeating: "a", count: 100), limits: small) == .requestLineTooLong)
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 200), limits: small) == .headersTooLarge)
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: small) == .headersTooLarge)
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: small) == .bodyTooLarge)
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n") == .malformed("invalid Content-Length"))
    }

    @Test func bodiesAreNeverMisread() {
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n") == .lengthRequired)
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n") == .unsupportedTransferCoding("gzip"))
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == .malformed("invalid Content-Length"))
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n") == .malformed("invalid Content-Length"))
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") == .lengthRequired)
    }

    @Test func malformedRequestsAreRefused() {
        for text in ["GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "GET noslash HTTP/1.1\r\n\r\n",
                     "G(T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
                     "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
                     "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{1}b\r\n\r\n", "GET / HTTP/x.y\r\n\r\n"] {
            guard case .malformed? = parseError(text) else {
                Issue.record("accepted \(text.debugDescription)")
                continue
            }
        }
        #expect(parseError("GET / HTTP/2.0\r\n\r\n") == .versionNotSupported)
    }

    @Test func expectContinueIsSignalledBeforeTheBody() throws {
        var parser = HTTPRequestParser(limits: HTTPConfiguration())
        parser.withAppendableBuffer { $0.append(contentsOf: Array("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)) }
        guard case .continueExpected? = try parser.next() else { throw HTTPParseError.malformed("no continue") }
        #expect(try parser.next() == nil)
        parser.withAppendableBuffer { $0.append(contentsOf: Array("{}".utf8)) }
        guard case .request(let request)? = try parser.next() else { throw HTTPParseError.malformed("no request") }
        #expect(request.body == Array("{}".utf8))
    }

    @Test func jsonParserRefusesDeepNestingAndBadInput() {
        #expect(throws: JSONError.self) { try JSONParser.parse(Array(String(repeating: "[", count: 100_000).utf8)) }
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"\\ud800\"", "nul", "[1] 2", "\"\u{1}\""] {
            #expect(throws: JSONError.self, "\(bad.debugDescription)") { try JSONParser.parse(Array(bad.utf8)) }
        }
        let value = try? JSONParser.parse(Array(#"{"a":[1,-2.5e3,true,null,"\u00e9\ud83d\ude00"],"b":{}}"#.utf8))
        #expect(value?["a"] == .array([.integer(1), .number(-2500), .bool(true), .null, .string("é😀")]))
        #expect(String(decoding: JSONValue.string("</script>\n").encoded, as: UTF8.self) == #""\u003c/script\u003e\n""#)
    }
}
