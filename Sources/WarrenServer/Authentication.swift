import AMQPProtocol
import WarrenCore

/// The SASL mechanisms Warren offers in connection.start.
enum AuthenticationMechanism: String, CaseIterable {
    case plain = "PLAIN"
    case amqplain = "AMQPLAIN"

    static let advertised = allCases.map(\.rawValue).joined(separator: " ")
}

/// Credentials taken out of a connection.start-ok response.
struct Credentials: Equatable {
    var user: String
    var password: String
}

extension Credentials {
    /// Parses the response of `mechanism`. A response that cannot be parsed
    /// is 502 SYNTAX_ERROR, as in RabbitMQ.
    init(mechanism: AuthenticationMechanism, response: [UInt8]) throws(AMQPError) {
        switch mechanism {
        case .plain: self = try Credentials(plain: response)
        case .amqplain: self = try Credentials(amqplain: response)
        }
    }

    /// PLAIN: `[authzid] NUL user NUL password`.
    init(plain response: [UInt8]) throws(AMQPError) {
        let parts = response.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .syntaxError("PLAIN response is malformed")
        }
        user = String(decoding: parts[1], as: UTF8.self)
        password = String(decoding: parts[2], as: UTF8.self)
    }

    /// AMQPLAIN: a field table without its length prefix, holding LOGIN and PASSWORD.
    init(amqplain response: [UInt8]) throws(AMQPError) {
        var framed = ByteWriter(capacity: response.count + 4)
        framed.writeLongString(response)
        var reader = ByteReader(framed.bytes)
        let table: FieldTable
        do { table = try reader.readFieldTable() } catch {
            throw .syntaxError("AMQPLAIN response is malformed")
        }
        guard let user = table["LOGIN"]?.stringValue, let password = table["PASSWORD"]?.stringValue else {
            throw .syntaxError("AMQPLAIN auth info is missing LOGIN or PASSWORD field")
        }
        self.user = user
        self.password = password
    }
}

extension Broker {
    /// Checks credentials against the broker's users; `fromLoopback` tells
    /// whether the peer address is a loopback one. Both failures get the
    /// same 403 text, as in RabbitMQ, so a client learns nothing from it.
    func authenticate(_ credentials: Credentials, mechanism: String, fromLoopback: Bool) throws(AMQPError) -> User {
        guard let user = authenticate(username: credentials.user, password: credentials.password),
              fromLoopback || !user.loopbackOnly else {
            throw AMQPError(.accessRefused, "Login was refused using authentication mechanism \(mechanism). For details see the broker logfile.")
        }
        return user
    }
}
