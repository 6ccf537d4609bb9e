import Foundation
import Testing
@testable import WarrenServer

/// The management endpoints over real sockets, in RabbitMQ's JSON shapes.
@Suite("HTTP management API") struct HTTPManagementTests {
    @Test func credentialsAreRequiredAndChecked() throws {
        let broker = try HTTPTestServer()
        let anonymous = try broker.request("GET", "/api/overview", auth: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
        #expect(anonymous.object["error"] as? String == "not_authorized")
        let wrong = try broker.request("GET", "/api/overview", auth: "guest:nope")
        #expect(wrong.status == 401)
        #expect(wrong.header("WWW-Authenticate") == nil)
        #expect(try broker.request("GET", "/api/overview", auth: "nobody:guest").status == 401)
        #expect(try broker.request("GET", "/api/overview").status == 200)
        let whoami = try broker.request("GET", "/api/whoami")
        #expect(whoami.object["name"] as? String == "guest")
        #expect(whoami.object["tags"] as? [String] == ["administrator"])
    }

    /// Another web page cannot use credentials the browser cached for Warren.
    @Test func crossSiteRequestsAreRefused() throws {
        let broker = try HTTPTestServer()
        #expect(try broker.request("GET", "/api/queues/%2F/q/messages/next", headers: [("Sec-Fetch-Site", "cross-site")]).status == 403)
        #expect(try broker.request("DELETE", "/api/queues/%2F/q", headers: [("Origin", "http://evil.example")]).status == 403)
        let form = try broker.client().request("PUT", "/api/queues/%2F/q", body: nil,
                                               headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "0")])
        #expect(form.status == 415)
        #expect(try broker.request("GET", "/api/whoami", headers: [("Sec-Fetch-Site", "same-origin"),
                                                                  ("Origin", "http://127.0.0.1")]).status == 200)
        let page = try broker.request("GET", "/", auth: nil)
        #expect(page.status == 200)
        #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        #expect(page.text.contains("<title>Warren</title>"))
        #expect(try broker.request("GET", "/static/dashboard.js", auth: nil).text.contains("function render()"))
    }

    @Test func overviewNodesVhostsAndUsers() throws {
        let broker = try HTTPTestServer()
        let overview = try broker.request("GET", "/api/overview").object
        #expect(overview["product_name"] as? String == "Warren")
        let totals = try #require(overview["object_totals"] as? [String: Any])
        #expect(totals["queues"] as? Int == 0)
        #expect(totals["exchanges"] as? Int == 7)
        let listeners = try #require(overview["listeners"] as? [[String: Any]])
        #expect(listeners.map { $0["protocol"] as? String } == ["amqp", "http"])
        #expect(listeners.first?["port"] as? Int == broker.port)
        #expect((overview["message_stats"] as? [String: Any])?["publish_details"] != nil)

        let nodes = try broker.request("GET", "/api/nodes").array
        #expect(nodes.count == 1)
        #expect((nodes.first?["mem_used"] as? Int ?? 0) > 0)
        #expect((nodes.first?["fd_used"] as? Int ?? 0) > 0)
        #expect(try broker.request("GET", "/api/vhosts").array.map { $0["name"] as? String } == ["/"])
        #expect(try broker.request("GET", "/api/vhosts/%2F").object["name"] as? String == "/")
        #expect(try broker.request("GET", "/api/vhosts/nope").status == 404)
        #expect(try broker.request("GET", "/api/users").array.map { $0["name"] as? String } == ["guest"])
        let missing = try broker.request("GET", "/api/nothing-here")
        #expect(missing.status == 404)
        #expect(missing.object["error"] as? String == "Object Not Found")
        #expect(missing.object["reason"] as? String == "Not Found")
    }

    @Test func queuesAreDeclaredListedPurgedAndDeleted() throws {
        let broker = try HTTPTestServer()
        #expect(try broker.request("PUT", "/api/queues/%2F/orders", json: #"{"durable":false,"arguments":{"x-max-length":10}}"#).status == 201)
        #expect(try broker.request("PUT", "/api/queues/%2F/orders", json: #"{"durable":false,"arguments":{"x-max-length":10}}"#).status == 204)
        let inequivalent = try broker.request("PUT", "/api/queues/%2F/orders", json: #"{"durable":true}"#)
        #expect(inequivalent.status == 400)
        #expect((inequivalent.object["reason"] as? String ?? "").contains("inequivalent arg 'durable'"))
        #expect(try broker.request("PUT", "/api/queues/%2F/amq.reserved", json: "{}").status == 400)
        #expect(try broker.request("PUT", "/api/queues/%2F/bad", json: "{not json").status == 400)
        #expect(try broker.request("PUT", "/api/queues/nohost/q", json: "{}").status == 404)

        try broker.request("POST", "/api/queues/%2F/orders/messages", json: #"[{"body":"a"},{"body":"b"}]"#)
        let queue = try broker.request("GET", "/api/queues/%2F/orders").object
        #expect(queue["name"] as? String == "orders")
        #expect(queue["vhost"] as? String == "/")
        #expect(queue["durable"] as? Bool == false)
        #expect(queue["messages"] as? Int == 2)
        #expect(queue["messages_ready"] as? Int == 2)
        #expect(queue["messages_unacknowledged"] as? Int == 0)
        #expect((queue["arguments"] as? [String: Any])?["x-max-length"] as? Int == 10)
        let stats = try #require(queue["message_stats"] as? [String: Any])
        #expect(stats["publish"] as? Int == 2)
        #expect((stats["publish_details"] as? [String: Any])?["rate"] is Double)
        #expect(try broker.request("GET", "/api/queues").array.map { $0["name"] as? String } == ["orders"])
        #expect(try broker.request("GET", "/api/queues/%2F").array.count == 1)

        #expect(try broker.request("DELETE", "/api/queues/%2F/orders?if-empty=true").status == 400)
        #expect(try broker.request("DELETE", "/api/queues/%2F/orders/contents").status == 204)
        #expect(try broker.request("GET", "/api/queues/%2F/orders").object["messages"] as? Int == 0)
        #expect(try broker.request("DELETE", "/api/queues/%2F/orders").status == 204)
        #expect(try broker.request("GET", "/api/queues/%2F/orders").status == 404)
        #expect(try broker.request("DELETE", "/api/queues/%2F/orders").status == 404)
    }

    @Test func exchangesAndBindings() throws {
        let broker = try HTTPTestServer()
        #expect(try broker.request("PUT", "/api/exchanges/%2F/logs", json: #"{"type":"topic","durable":true}"#).status == 201)
        #expect(try broker.request("PUT", "/api/exchanges/%2F/logs", json: #"{"type":"fanout"}"#).status == 400)
        #expect(try broker.request("PUT", "/api/exchanges/%2F/untyped", json: "{}").status == 400)
        let exchange = try broker.request("GET", "/api/exchanges/%2F/logs").object
        #expect(exchange["type"] as? String == "topic")
        let names = try broker.request("GET", "/api/exchanges/%2F").array.compactMap { $0["name"] as? String }
        #expect(names.contains("") && names.contains("amq.topic") && names.contains("logs"))
        #expect(try broker.request("GET", "/api/exchanges/%2F/amq.default").object["type"] as? String == "direct")

        try broker.request("PUT", "/api/queues/%2F/errors", json: "{}")
        let created = try broker.request("POST", "/api/bindings/%2F/e/logs/q/errors", json: #"{"routing_key":"*.error"}"#)
        #expect(created.status == 201)
        #expect(created.header("Location") == "/api/bindings/%2F/e/logs/q/errors/%2A.error")
        let withArguments = try broker.request("POST", "/api/bindings/%2F/e/logs/q/errors",
                                               json: #"{"routing_key":"x","arguments":{"a":1}}"#)
        #expect(withArguments.status == 201)
        #expect(try broker.request("POST", "/api/bindings/%2F/e/missing/q/errors", json: "{}").status == 404)
        #expect(try broker.request("POST", "/api/bindings/%2F/e/amq.default/q/errors", json: "{}").status == 400)

        let bindings = try broker.request("GET", "/api/bindings/%2F").array
        #expect(bindings.count == 3)  // the default exchange's, then the two on logs
        #expect(bindings.first?["source"] as? String == "")
        let between = try broker.request("GET", "/api/bindings/%2F/e/logs/q/errors").array
        #expect(between.map { $0["routing_key"] as? String } == ["*.error", "x"])
        #expect(between.first?["properties_key"] as? String == "*.error")
        #expect(try broker.request("GET", "/api/queues/%2F/errors/bindings").array.count == 3)
        #expect(try broker.request("GET", "/api/exchanges/%2F/logs/bindings/source").array.count == 2)

        let routed = try broker.request("POST", "/api/exchanges/%2F/logs/publish",
                                        json: #"{"routing_key":"disk.error","payload":"full","payload_encoding":"string","properties":{}}"#)
        #expect(routed.object["routed"] as? Bool == true)
        #expect(try broker.request("DELETE", "/api/bindings/%2F/e/logs/q/errors/%2A.error").status == 204)
        #expect(try broker.request("DELETE", "/api/bindings/%2F/e/logs/q/errors/%2A.error").status == 404)
        let unrouted = try broker.request("POST", "/api/exchanges/%2F/logs/publish",
                                          json: #"{"routing_key":"disk.error","payload":"full","payload_encoding":"string","properties":{}}"#)
        #expect(unrouted.object["routed"] as? Bool == false)

        #expect(try broker.request("PUT", "/api/exchanges/%2F/downstream", json: #"{"type":"fanout"}"#).status == 201)
        #expect(try broker.request("POST", "/api/bindings/%2F/e/logs/e/downstream", json: ##"{"routing_key":"#"}"##).status == 201)
        #expect(try broker.request("GET", "/api/exchanges/%2F/downstream/bindings/destination").array.count == 1)
        #expect(try broker.request("DELETE", "/api/exchanges/%2F/logs?if-unused=true").status == 400)
        #expect(try broker.request("DELETE", "/api/exchanges/%2F/logs").status == 204)
        #expect(try broker.request("GET", "/api/exchanges/%2F/logs").status == 404)
        #expect(try broker.request("DELETE", "/api/exchanges/%2F/amq.direct").status == 400)
    }

    @Test func definitionsExportAndImport() throws {
        let broker = try HTTPTestServer()
        try broker.request("PUT", "/api/exchanges/%2F/events", json: #"{"type":"fanout"}"#)
        try broker.request("PUT", "/api/queues/%2F/audit", json: #"{"arguments":{"x-message-ttl":60000}}"#)
        try broker.request("POST", "/api/bindings/%2F/e/events/q/audit", json: "{}")
        let exported = try broker.request("GET", "/api/definitions")
        #expect(exported.status == 200)
        let definitions = exported.object
        #expect((definitions["queues"] as? [[String: Any]])?.map { $0["name"] as? String } == ["audit"])
        #expect((definitions["exchanges"] as? [[String: Any]])?.map { $0["name"] as? String } == ["events"])
        #expect((definitions["bindings"] as? [[String: Any]])?.count == 1)

        let other = try HTTPTestServer()
        let imported = try other.request("POST", "/api/definitions", json: exported.text)
        #expect(imported.status == 200)
        #expect(try other.request("GET", "/api/queues/%2F/audit").object["arguments"] as? [String: Int] == ["x-message-ttl": 60000])
        #expect(try other.request("GET", "/api/bindings/%2F/e/events/q/audit").array.count == 1)
        let routed = try other.request("POST", "/api/exchanges/%2F/events/publish",
                                       json: #"{"routing_key":"","payload":"x","payload_encoding":"string","properties":{}}"#)
        #expect(routed.object["routed"] as? Bool == true)
        #expect(try other.request("POST", "/api/definitions", json: "[1,2]").status == 400)
        #expect(try other.request("GET", "/api/definitions/%2F").object["queues"] != nil)
    }

    @Test func connectionsChannelsAndConsumersAreVisibleAndClosable() throws {
        let broker = try HTTPTestServer()
        let amqp = try MiniAMQPClient(port: broker.port)
        try amqp.declareQueue("watched")
        let connections = try broker.request("GET", "/api/connections").array
        #expect(connections.count == 1)
        let connection = try #require(connections.first)
        #expect(connection["user"] as? String == "guest")
        #expect(connection["vhost"] as? String == "/")
        #expect(connection["channels"] as? Int == 1)
        #expect(connection["protocol"] as? String == "AMQP 0-9-1")
        let name = try #require(connection["name"] as? String)
        let channels = try broker.request("GET", "/api/channels").array
        #expect(channels.map { $0["number"] as? Int } == [1])
        #expect(channels.first?["name"] as? String == "\(name) (1)")
        #expect(try broker.request("GET", "/api/consumers").array.isEmpty)

        let path = "/api/connections/" + percentEncode(name)
        #expect(try broker.request("GET", path).object["peer_host"] as? String == "127.0.0.1")
        #expect(try broker.request("DELETE", path, headers: [("X-Reason", "maintenance window")]).status == 204)
        let close = try amqp.expectConnectionClose()
        #expect(close.code == 320)
        #expect(close.text.contains("maintenance window"))
        #expect(try httpEventually { try broker.request("GET", "/api/connections").array.isEmpty })
        #expect(try broker.request("DELETE", path).status == 404)
    }

    @Test func metricsAreInPrometheusTextFormat() throws {
        let broker = try HTTPTestServer()
        try broker.request("PUT", "/api/queues/%2F/jobs", json: "{}")
        try broker.request("POST", "/api/queues/%2F/jobs/messages", json: #"{"body":"one"}"#)
        let response = try broker.request("GET", "/metrics", auth: nil)
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        let text = response.text
        for line in ["warren_connections 0", "warren_queues 1", #"warren_queue_messages_ready{vhost="/",queue="jobs"} 1"#,
                     #"warren_messages_published_total{vhost="/"} 1"#, "# TYPE warren_messages_delivered_total counter"] {
            #expect(text.contains(line + "\n"), "missing \(line)")
        }
        #expect(text.contains("warren_process_resident_memory_bytes "))
        #expect(text.contains("warren_process_open_fds "))
    }

    @Test func methodNotAllowedAndHead() throws {
        let broker = try HTTPTestServer()
        let response = try broker.request("PATCH", "/api/queues")
        #expect(response.status == 405)
        let client = try broker.client()
        let head = try client.request("HEAD", "/")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(try client.request("GET", "/api/overview").status == 200)  // same connection still in step
    }
}
