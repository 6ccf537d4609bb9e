import AMQPProtocol

/// RabbitMQ's redeclaration checks (rabbit_misc:assert_field_equivalence and
/// assert_args_equivalence), with the same reply texts.
enum Equivalence {
    /// Fails with 406 when a declared property differs from the existing one.
    static func assertField(_ name: String, current: Bool, received: Bool,
                            _ kind: AMQPError.ResourceKind, _ resource: String, vhost: String) throws(AMQPError) {
        guard current != received else { return }
        throw failure(name, received: "'\(received)'", current: "'\(current)'", kind, resource, vhost: vhost)
    }

    static func assertField(_ name: String, current: String, received: String,
                            _ kind: AMQPError.ResourceKind, _ resource: String, vhost: String) throws(AMQPError) {
        guard !current.hasSameBytes(as: received) else { return }
        throw failure(name, received: "'\(received)'", current: "'\(current)'", kind, resource, vhost: vhost)
    }

    /// Compares the arguments named in `keys`, in that order; others are ignored.
    static func assertArguments(_ keys: [String], current: FieldTable, received: FieldTable,
                                _ kind: AMQPError.ResourceKind, _ resource: String, vhost: String) throws(AMQPError) {
        for key in keys {
            let old = current[key]
            let new = received[key]
            switch (old, new) {
            case (nil, nil):
                continue
            case (let old?, let new?):
                if equivalent(old, new) { continue }
                throw failure(key, received: "'\(new.erlangText)'", current: "'\(old.erlangText)'",
                              kind, resource, vhost: vhost)
            default:
                if isClassicQueueTypeSpecialCase(key, old, new) { continue }
                throw failure(key, received: describe(new), current: describe(old), kind, resource, vhost: vhost)
            }
        }
    }

    /// Same type class (all integers alike, both floats alike) and equal value.
    static func equivalent(_ left: FieldValue, _ right: FieldValue) -> Bool {
        guard left.typeClass == right.typeClass else { return false }
        return ErlangTerm.equal(left, right)
    }

    /// A classic queue declared without `x-queue-type` equals one declared with "classic".
    private static func isClassicQueueTypeSpecialCase(_ key: String, _ old: FieldValue?, _ new: FieldValue?) -> Bool {
        guard key == "x-queue-type" else { return false }
        return (old ?? new)?.stringValue == "classic"
    }

    private static func describe(_ value: FieldValue?) -> String {
        guard let value else { return "none" }
        return "the value '\(value.erlangText)' of type '\(value.erlangTypeName)'"
    }

    private static func failure(_ name: String, received: String, current: String,
                                _ kind: AMQPError.ResourceKind, _ resource: String, vhost: String) -> AMQPError {
        AMQPError(.preconditionFailed,
                  "inequivalent arg '\(name)' for \(AMQPError.resource(kind, resource, vhost: vhost)): "
                  + "received \(received) but current is \(current)")
    }
}
