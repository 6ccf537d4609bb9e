import AMQPProtocol

/// What Warren says about itself in connection.start.
enum ServerProperties {
    static let version = "0.1.0"

    /// Advertises exactly the extensions that work. `connection.blocked` is
    /// left out until Warren really sends blocked/unblocked.
    static let capabilities: FieldTable = [
        "publisher_confirms": .boolean(true),
        "exchange_exchange_bindings": .boolean(true),
        "basic.nack": .boolean(true),
        "consumer_cancel_notify": .boolean(true),
        "per_consumer_qos": .boolean(true),
        "authentication_failure_close": .boolean(true),
    ]

    static let table: FieldTable = [
        "capabilities": .table(capabilities),
        "product": .string("Warren"),
        "version": .string(version),
        "platform": .string("Swift"),
        "copyright": .string("The Warren developers"),
        "information": .string("Warren message broker, AMQP 0-9-1"),
    ]
}
