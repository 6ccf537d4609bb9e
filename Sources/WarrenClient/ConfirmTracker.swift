/// Publisher-confirm bookkeeping for one channel in confirm mode.
///
/// The broker numbers publishes 1, 2, 3... from `confirm.select` on, in the
/// order it reads them. The client numbers them in the order it writes them
/// (under the writer's lock), so the two agree.
///
/// A `basic.return` carries no sequence number. RabbitMQ sends it just before
/// the ack of the publish it returns, so it is matched to the oldest
/// unsettled mandatory publish with the same exchange and routing key; that
/// publish then fails with `ClientError.publishReturned` when its ack comes.
struct ConfirmTracker {
    typealias Waiter = CheckedContinuation<Result<Void, ClientError>, Never>

    struct Pending {
        let sequenceNumber: UInt64
        /// Nil for a publish sent by a caller that did not wait for its confirm.
        let waiter: Waiter?
        let mandatory: Bool
        let exchange: String
        let routingKey: String
        var returned: ReturnedMessage?

        /// The outcome once the broker has acked (or nacked) this publish.
        func outcome(nacked: Bool) -> Result<Void, ClientError> {
            if nacked { return .failure(.publishNacked(sequenceNumber: sequenceNumber)) }
            if let returned { return .failure(.publishReturned(returned)) }
            return .success(())
        }
    }

    private(set) var nextSequenceNumber: UInt64 = 1
    /// Unsettled publishes in ascending sequence order.
    private var pending: [Pending] = []

    var unsettledCount: Int { pending.count }

    mutating func register(_ waiter: Waiter?, mandatory: Bool, exchange: String, routingKey: String) -> UInt64 {
        let number = nextSequenceNumber
        nextSequenceNumber += 1
        pending.append(Pending(sequenceNumber: number, waiter: waiter, mandatory: mandatory,
                               exchange: exchange, routingKey: routingKey))
        return number
    }

    /// Takes back one publish (whose write failed), if still unsettled.
    mutating func remove(_ sequenceNumber: UInt64) -> Pending? {
        guard let index = pending.firstIndex(where: { $0.sequenceNumber == sequenceNumber }) else { return nil }
        return pending.remove(at: index)
    }

    /// The publishes an ack or nack with this delivery tag settles.
    mutating func settle(deliveryTag: UInt64, multiple: Bool) -> [Pending] {
        if multiple {
            let end = pending.firstIndex { $0.sequenceNumber > deliveryTag } ?? pending.endIndex
            let settled = Array(pending[..<end])
            pending.removeSubrange(..<end)
            return settled
        }
        return remove(deliveryTag).map { [$0] } ?? []
    }

    /// Notes a `basic.return` against the publish it most likely answers.
    mutating func markReturned(_ message: ReturnedMessage) {
        guard let index = pending.firstIndex(where: {
            $0.mandatory && $0.returned == nil && $0.exchange == message.exchange && $0.routingKey == message.routingKey
        }) else { return }
        pending[index].returned = message
    }

    mutating func takeAll() -> [Pending] {
        defer { pending = [] }
        return pending
    }
}
