import AMQPProtocol
import Foundation
import Testing
@testable import WarrenServer
import WarrenCore

/// Publishing and polling over HTTP, and the message ids both protocols see.
@Suite("HTTP messages") struct HTTPMessagesTests {
    @Test func publishAndGetInRabbitMQsShapes() throws {
        let broker = try HTTPTestServer()
        try broker.request("PUT", "/api/queues/%2F/inbox", json: "{}")
        let publish = try broker.request("POST", "/api/exchanges/%2F/amq.default/publish", json: """
            {"routing_key":"inbox","payload":"aGVsbG8=","payload_encoding":"base64",
             "properties":{"message_id":"m-1","delivery_mode":2,"priority":3,"content_type":"text/plain",
                           "headers":{"tenant":"acme","attempt":2}}}
            """)
        #expect(publish.status == 200)
        #expect(publish.object["routed"] as? Bool == true)
        try broker.request("POST", "/api/exchanges/%2F/amq.default/publish",
                           json: #"{"routing_key":"inbox","payload":"second","payload_encoding":"string","properties":{}}"#)

        let peek = try broker.request("POST", "/api/queues/%2F/inbox/get",
                                      json: #"{"count":5,"ackmode":"ack_requeue_true","encoding":"auto","truncate":50000}"#).array
        #expect(peek.count == 2)
        let first = try #require(peek.first)
        #expect(first["payload"] as? String == "hello")
        #expect(first["payload_encoding"] as? String == "string")
        #expect(first["payload_bytes"] as? Int == 5)
        #expect(first["redelivered"] as? Bool == false)
        #expect(first["exchange"] as? String == "")
        #expect(first["routing_key"] as? String == "inbox")
        #expect(first["message_count"] as? Int == 1)
        let properties = try #require(first["properties"] as? [String: Any])
        #expect(properties["message_id"] as? String == "m-1")
        #expect(properties["delivery_mode"] as? Int == 2)
        #expect(properties["priority"] as? Int == 3)
        #expect((properties["headers"] as? [String: Any])?["tenant"] as? String == "acme")
        let secondID = try #require((peek.last?["properties"] as? [String: Any])?["message_id"] as? String)
        #expect(secondID.count == MessageID.length)

        let again = try broker.request("POST", "/api/queues/%2F/inbox/get",
                                       json: #"{"count":1,"ackmode":"ack_requeue_false","encoding":"base64","truncate":2}"#).array
        #expect(again.first?["redelivered"] as? Bool == true)
        #expect(again.first?["payload"] as? String == "aGU=")
        #expect(again.first?["payload_encoding"] as? String == "base64")
        #expect(try broker.request("GET", "/api/queues/%2F/inbox").object["messages"] as? Int == 1)
        #expect(try broker.request("POST", "/api/queues/%2F/inbox/get", json: #"{"count":1,"ackmode":"bogus"}"#).status == 400)
        #expect(try broker.request("POST", "/api/queues/%2F/nope/get", json: #"{"count":1}"#).status == 404)
        #expect(try broker.request("POST", "/api/exchanges/%2F/nope/publish",
                                   json: #"{"routing_key":"","payload":"","payload_encoding":"string"}"#).status == 404)
        #expect(try broker.request("POST", "/api/exchanges/%2F/amq.default/publish",
                                   json: #"{"routing_key":"inbox","payload":"!!","payload_encoding":"base64"}"#).status == 400)
        #expect(try broker.request("POST", "/api/exchanges/%2F/amq.default/publish",
                                   json: #"{"routing_key":"inbox","payload":"x","properties":{"priority":"high"}}"#).status == 400)
    }

    @Test func simpleMessagesReturnIdsInOrderAndPollReturnsThem() throws {
        let broker = try HTTPTestServer()
        #expect(try broker.request("POST", "/api/queues/%2F/missing/messages", json: #"{"body":"x"}"#).status == 404)
        try broker.request("PUT", "/api/queues/%2F/tasks", json: "{}")
        let posted = try broker.request("POST", "/api/queues/%2F/tasks/messages", json: """
            [{"body":"one"},{"body":"AAEC/w==","body_encoding":"base64"},
             {"body":"three","properties":{"message_id":"mine-3","priority":7,"headers":{"k":"v"},"content_type":"text/plain"}}]
            """)
        #expect(posted.status == 201)
        let ids = try #require(posted.object["ids"] as? [String])
        #expect(ids.count == 3)
        #expect(ids[2] == "mine-3")
        #expect(ids[0] < ids[1])
        #expect(try broker.request("POST", "/api/queues/%2F/tasks/messages", json: #"[{"body":"ok"},{"nobody":1}]"#).status == 400)
        #expect(try broker.request("GET", "/api/queues/%2F/tasks").object["messages"] as? Int == 3)

        let first = try broker.request("GET", "/api/queues/%2F/tasks/messages/next")
        #expect(first.status == 200)
        #expect(first.object["id"] as? String == ids[0])
        #expect(first.object["body"] as? String == "one")
        let rest = try broker.request("GET", "/api/queues/%2F/tasks/messages/next?count=10").array
        #expect(rest.map { $0["id"] as? String } == [ids[1], "mine-3"])
        #expect(rest.first?["body_encoding"] as? String == "base64")
        #expect(rest.first?["body"] as? String == "AAEC/w==")
        #expect((rest.last?["properties"] as? [String: Any])?["priority"] as? Int == 7)
        #expect(try broker.request("GET", "/api/queues/%2F/tasks/messages/next").status == 204)
        #expect(try broker.request("GET", "/api/queues/%2F/tasks/messages/next?count=0").status == 400)
    }

    @Test func httpAndAMQPSeeTheSameIds() throws {
        let broker = try HTTPTestServer()
        let amqp = try MiniAMQPClient(port: broker.port)
        try amqp.declareQueue("shared")
        let ids = try #require(try broker.request("POST", "/api/queues/%2F/shared/messages",
                                                  json: #"[{"body":"h1"},{"body":"h2"}]"#).object["ids"] as? [String])
        #expect(try amqp.get("shared")?.properties.messageID == ids[0])
        #expect(try amqp.get("shared")?.properties.messageID == ids[1])

        amqp.publish(Array("a1".utf8), routingKey: "shared")
        amqp.publish(Array("a2".utf8), routingKey: "shared", properties: BasicProperties(messageID: "publisher-id"))
        #expect(try httpEventually { try broker.request("GET", "/api/queues/%2F/shared").object["messages"] as? Int == 2 })
        let polled = try broker.request("GET", "/api/queues/%2F/shared/messages/next?count=2").array
        let assigned = try #require(polled.first?["id"] as? String)
        #expect(assigned.count == MessageID.length)
        #expect(assigned > ids[1])
        #expect(polled.last?["id"] as? String == "publisher-id")
    }

    /// The seed workflow: a file sent line by line and read back is byte-identical.
    @Test func aFileSentLineByLineComesBackIdentical() throws {
        let broker = try HTTPTestServer()
        try broker.request("PUT", "/api/queues/%2F/lines", json: "{}")
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz 0123456789\"\\\t/é✓{}[]".unicodeScalars)
        let lines = (0..<300).map { number -> String in
            let length = Int.random(in: 0...80, using: &generator)
            return "\(number): " + String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "x" }))
        }
        let file = lines.joined(separator: "\n") + "\n"
        let client = try broker.client()
        for chunk in stride(from: 0, to: lines.count, by: 50) {
            let batch = lines[chunk..<min(chunk + 50, lines.count)].map { line in
                "{\"body\":" + String(decoding: JSONValue.string(line).encoded, as: UTF8.self) + "}"
            }
            let response = try client.request("POST", "/api/queues/%2F/lines/messages", body: Array("[\(batch.joined(separator: ","))]".utf8))
            #expect(response.status == 201)
        }
        var copy = ""
        while true {
            let response = try client.request("GET", "/api/queues/%2F/lines/messages/next")
            if response.status == 204 { break }
            copy += (response.object["body"] as? String ?? "<missing>") + "\n"
        }
        #expect(Array(copy.utf8) == Array(file.utf8))
    }

    @Test func ratesAppearAfterSampling() throws {
        let broker = try HTTPTestServer()
        try broker.request("PUT", "/api/queues/%2F/busy", json: "{}")
        try broker.request("POST", "/api/queues/%2F/busy/messages", json: #"[{"body":"1"},{"body":"2"},{"body":"3"}]"#)
        let sawRate = try httpEventually {
            let stats = try broker.request("GET", "/api/overview").object["message_stats"] as? [String: Any]
            return ((stats?["publish_details"] as? [String: Any])?["rate"] as? Double ?? 0) > 0
        }
        #expect(sawRate)
    }
}
