import Testing
@testable import WarrenCore

struct BrokerTests {
    @Test func startsWithTheDefaultVhostAndGuest() throws {
        let broker = Broker(random: SeededGenerator(seed: 1))
        #expect(broker.virtualHostNames == ["/"])
        #expect(broker.virtualHost(named: "/") === broker.defaultVirtualHost)
        let guest = try #require(broker.user(named: "guest"))
        #expect(guest.loopbackOnly)
        #expect(broker.authenticate(username: "guest", password: "guest") != nil)
        #expect(broker.authenticate(username: "guest", password: "guesT") == nil)
        #expect(broker.authenticate(username: "guest", password: "guest2") == nil)
        #expect(broker.authenticate(username: "nobody", password: "guest") == nil)
    }

    @Test func configurationChoosesTheDefaults() {
        var configuration = Configuration()
        configuration.defaultVirtualHost = "main"
        configuration.defaultUser = "admin"
        configuration.defaultPassword = "secret"
        configuration.defaultUserLoopbackOnly = false
        let broker = Broker(configuration: configuration)
        #expect(broker.defaultVirtualHost.name == "main")
        #expect(broker.authenticate(username: "admin", password: "secret")?.loopbackOnly == false)
        #expect(broker.user(named: "guest") == nil)
    }

    @Test func addingAVhostTwiceReturnsTheSameOne() {
        let broker = Broker()
        let first = broker.addVirtualHost(named: "v")
        #expect(broker.addVirtualHost(named: "v") === first)
        #expect(broker.virtualHostNames == ["/", "v"])
    }

    @Test func vhostsNameResourcesInTheirTexts() {
        let broker = Broker()
        let vhost = broker.addVirtualHost(named: "prod")
        #expect(throws: error(.notFound, "no queue 'q' in vhost 'prod'")) {
            try vhost.declareQueue(name: "q", passive: true, owner: connectionA)
        }
    }

    @Test func connectionCloseReachesEveryVhost() throws {
        let broker = Broker()
        let other = broker.addVirtualHost(named: "other")
        try broker.defaultVirtualHost.declareQueue(name: "a", exclusive: true, owner: connectionA)
        try other.declareQueue(name: "b", exclusive: true, owner: connectionA)
        broker.connectionClosed(connectionA)
        #expect(broker.defaultVirtualHost.queues.isEmpty)
        #expect(other.queues.isEmpty)
    }

    @Test func passwordCheckIsExact() {
        let user = User(name: "u", password: "p\u{E9}")
        #expect(user.checkPassword("p\u{E9}"))
        #expect(!user.checkPassword("pe\u{301}"))
        #expect(!user.checkPassword(""))
    }
}
