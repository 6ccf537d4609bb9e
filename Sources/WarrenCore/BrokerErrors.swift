import AMQPProtocol

/// The errors the broker model raises, with RabbitMQ's reply codes and texts
/// word for word (rabbit_channel, rabbit_amqqueue, rabbit_exchange, rabbit_misc).
///
/// `AMQPError` puts the `NAME - ` prefix in front of each detail.
extension AMQPError {
    /// RabbitMQ's `rs/1`: how a resource is named inside reply texts.
    static func resource(_ kind: ResourceKind, _ name: String, vhost: String) -> String {
        "\(kind.rawValue) '\(name)' in vhost '\(vhost)'"
    }

    enum ResourceKind: String {
        case queue, exchange
    }

    static func notFound(_ kind: ResourceKind, _ name: String, vhost: String) -> AMQPError {
        AMQPError(.notFound, "no \(resource(kind, name, vhost: vhost))")
    }

    static func reservedName(_ kind: ResourceKind, _ name: String) -> AMQPError {
        AMQPError(.accessRefused, "\(kind.rawValue) name '\(name)' contains reserved prefix 'amq.*'")
    }

    static var defaultExchangeRefused: AMQPError {
        AMQPError(.accessRefused, "operation not permitted on the default exchange")
    }

    static func systemExchangeDeletion(_ name: String, vhost: String) -> AMQPError {
        AMQPError(.accessRefused, "deletion of system \(resource(.exchange, name, vhost: vhost)) not allowed")
    }

    static func internalExchange(_ name: String, vhost: String) -> AMQPError {
        AMQPError(.accessRefused, "cannot publish to internal \(resource(.exchange, name, vhost: vhost))")
    }

    /// Since RabbitMQ 3.12.14 / 3.13.3 (rabbitmq-server#11214) this is a
    /// channel error (406), no longer a connection error (503).
    static func unknownExchangeType(_ type: String) -> AMQPError {
        AMQPError(.preconditionFailed, "unknown exchange type '\(type)'")
    }

    static func locked(queue: String, vhost: String) -> AMQPError {
        AMQPError(.resourceLocked,
                  "cannot obtain exclusive access to locked \(resource(.queue, queue, vhost: vhost)). "
                  + "It could be originally declared on another connection or the exclusive property "
                  + "value does not match that of the original declaration.")
    }

    static func inUse(_ kind: ResourceKind, _ name: String, vhost: String) -> AMQPError {
        AMQPError(.preconditionFailed, "\(resource(kind, name, vhost: vhost)) in use")
    }

    static func notEmpty(queue: String, vhost: String) -> AMQPError {
        AMQPError(.preconditionFailed, "\(resource(.queue, queue, vhost: vhost)) not empty")
    }

    static func exclusiveConsumer(queue: String, vhost: String) -> AMQPError {
        AMQPError(.accessRefused, "\(resource(.queue, queue, vhost: vhost)) in exclusive use")
    }

    static func reusedConsumerTag(_ tag: String) -> AMQPError {
        AMQPError(.notAllowed, "attempt to reuse consumer tag '\(tag)'")
    }

    static func unknownDeliveryTag(_ tag: UInt64) -> AMQPError {
        AMQPError(.preconditionFailed, "unknown delivery tag \(tag)")
    }

    static func prefetchSizeUnsupported(_ size: UInt32) -> AMQPError {
        AMQPError(.notImplemented, "prefetch_size!=0 (\(size))")
    }

    static var recoverWithoutRequeue: AMQPError {
        AMQPError(.notImplemented, "requeue=false")
    }

    static var notTransactional: AMQPError {
        AMQPError(.preconditionFailed, "channel is not transactional")
    }

    static var confirmToTransaction: AMQPError {
        AMQPError(.preconditionFailed, "cannot switch from confirm to tx mode")
    }

    static var transactionToConfirm: AMQPError {
        AMQPError(.preconditionFailed, "cannot switch from tx to confirm mode")
    }

    /// A name-valued argument (alternate or dead-letter exchange) that is not a long string.
    static func invalidArgumentType(_ value: FieldValue, argument: String, _ kind: ResourceKind,
                                    _ name: String, vhost: String) -> AMQPError {
        AMQPError(.preconditionFailed,
                  "invalid type '\(value.erlangTypeName)' for arg '\(argument)' in \(resource(kind, name, vhost: vhost))")
    }
}
