import Foundation
import Testing
@testable import WarrenClient

/// A name no other test (or earlier run against the same RabbitMQ) uses.
func uniqueName(_ prefix: String) -> String {
    "warren-client-test.\(prefix).\(UUID().uuidString.prefix(8))"
}

/// Connects to the broker under test and closes the connection after `body`.
func withConnection<Result>(
    query: String = "", _ body: (Connection) async throws -> Result
) async throws -> Result {
    try await withBrokerURL { url in
        let connection = try await Connection.connect(to: url + query)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}

/// A connection and one open channel on it.
func withChannel<Result>(_ body: (Connection, Channel) async throws -> Result) async throws -> Result {
    try await withConnection { connection in
        try await body(connection, try await connection.openChannel())
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `operation`, failing with `TimedOut` if it takes longer than `timeout`.
func within<Value: Sendable>(
    _ timeout: Duration = .seconds(10), _ what: String, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// The next `count` deliveries of `consumer`.
func take(_ count: Int, from consumer: Consumer, timeout: Duration = .seconds(10)) async throws -> [Delivery] {
    try await within(timeout, "\(count) deliveries") {
        var deliveries: [Delivery] = []
        guard count > 0 else { return deliveries }
        for try await delivery in consumer {
            deliveries.append(delivery)
            if deliveries.count == count { break }
        }
        return deliveries
    }
}

/// The error `operation` throws, as a `ClientError` (nil when it does not throw).
/// Any other error is recorded as an issue.
func clientError(_ operation: () async throws -> Void) async -> ClientError? {
    do {
        try await operation()
        return nil
    } catch let error as ClientError {
        return error
    } catch {
        Issue.record("expected a ClientError, got \(error)")
        return nil
    }
}

extension ClientError {
    /// The close reason of a `.channelClosed` or `.connectionClosed`.
    var closeReason: CloseReason? {
        switch self {
        case .channelClosed(let reason), .connectionClosed(let reason): reason
        default: nil
        }
    }
}
