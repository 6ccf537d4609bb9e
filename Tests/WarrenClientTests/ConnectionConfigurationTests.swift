import Testing
@testable import WarrenClient

@Suite("AMQP URL parsing")
struct ConnectionConfigurationTests {
    @Test("a full URL gives every part, percent-decoded")
    func fullURLIsParsed() throws {
        let configuration = try ConnectionConfiguration(
            url: "amqp://us%40er:p%3Ass%2Fw@broker.example:5673/v%2Fh?heartbeat=7&frame_max=8192&channel_max=9")
        #expect(configuration.username == "us@er")
        #expect(configuration.password == "p:ss/w")
        #expect(configuration.host == "broker.example")
        #expect(configuration.port == 5673)
        #expect(configuration.virtualHost == "v/h")
        #expect(configuration.heartbeat == 7)
        #expect(configuration.frameMax == 8192)
        #expect(configuration.channelMax == 9)
    }

    @Test("no path and an empty path both mean vhost / (as pika reads them)",
          arguments: ["amqp://host", "amqp://host/", "amqp://host:5672", "amqp://host:5672/"])
    func missingOrEmptyPathIsDefaultVhost(url: String) throws {
        #expect(try ConnectionConfiguration(url: url).virtualHost == "/")
    }

    @Test("%2F is vhost /, a plain path segment is that vhost")
    func vhostSegments() throws {
        #expect(try ConnectionConfiguration(url: "amqp://host/%2F").virtualHost == "/")
        #expect(try ConnectionConfiguration(url: "amqp://host/%2f").virtualHost == "/")
        #expect(try ConnectionConfiguration(url: "amqp://host/vh").virtualHost == "vh")
        #expect(try ConnectionConfiguration(url: "amqp://host/%2Fvh%20x").virtualHost == "/vh x")
    }

    @Test("defaults: guest/guest, localhost, 5672, no heartbeat or frame_max preference")
    func defaults() throws {
        let configuration = try ConnectionConfiguration(url: "amqp://")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 5672)
        #expect(configuration.username == "guest")
        #expect(configuration.password == "guest")
        #expect(configuration.heartbeat == nil)
        #expect(configuration.frameMax == nil)
    }

    @Test("user without password, and an empty password")
    func userInfoVariants() throws {
        let userOnly = try ConnectionConfiguration(url: "amqp://alice@host/")
        #expect(userOnly.username == "alice")
        #expect(userOnly.password == "guest")
        let emptyPassword = try ConnectionConfiguration(url: "amqp://alice:@host/")
        #expect(emptyPassword.password == "")
    }

    @Test("IPv6 literal hosts in brackets, with and without a port")
    func ipv6Hosts() throws {
        let withPort = try ConnectionConfiguration(url: "amqp://[::1]:5673/")
        #expect(withPort.host == "::1")
        #expect(withPort.port == 5673)
        #expect(try ConnectionConfiguration(url: "amqp://[fe80::1]").host == "fe80::1")
    }

    @Test("heartbeat=0 turns heartbeats off; unknown parameters are ignored")
    func queryParameters() throws {
        let configuration = try ConnectionConfiguration(
            url: "amqp://host/?heartbeat=0&auth_mechanism=plain&connection_timeout=2500")
        #expect(configuration.heartbeat == 0)
        #expect(configuration.connectionTimeoutMilliseconds == 2500)
        #expect(configuration.virtualHost == "/")
    }

    @Test("malformed URLs are refused with .invalidURL", arguments: [
        "http://host/", "amqps://host/", "host:5672", "amqp://host:99999/", "amqp://host:port/",
        "amqp://host/a/b", "amqp://host/%zz", "amqp://host/%2", "amqp://host/?heartbeat=-1",
        "amqp://host/?frame_max=big", "amqp://[::1/",
    ])
    func malformedURLsAreRefused(url: String) {
        #expect {
            try ConnectionConfiguration(url: url)
        } throws: { error in
            guard let error = error as? ClientError, case .invalidURL = error else { return false }
            return true
        }
    }
}
