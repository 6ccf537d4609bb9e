import Glibc
import WarrenCore

/// The broker's time-driven work on the event loop: message TTLs that run out
/// at the head of a queue, and queues unused for their `x-expires`.
///
/// One loop timer, armed for the broker's earliest deadline, which the core
/// keeps in a min-heap per vhost (`Broker.nextExpiryDeadline` is O(1) per
/// vhost). After every turn the timer checks whether that deadline moved
/// earlier — a message published into an empty TTL queue, a queue losing its
/// last consumer — and re-arms; when it fires it calls `Broker.expire(now:)`.
/// A deadline that moved later is left armed: firing early costs one visit
/// that finds nothing due, while following it would mean a timer change per
/// delivery. Compared with a periodic sweep this is exact to the millisecond
/// and costs nothing while no queue uses TTLs or expiry.
///
/// It also gives the broker its clock: the loop's per-turn monotonic reading
/// in milliseconds (no clock call per message), and wall-clock seconds for
/// the `time` of `x-death` entries.
final class ExpiryTimer {
    private let broker: Broker
    private unowned let loop: EventLoop
    private var armed: (deadline: UInt64, timer: TimerID)?

    private init(broker: Broker, loop: EventLoop) {
        self.broker = broker
        self.loop = loop
    }

    /// Gives `broker` the loop's clock and drives its deadlines from `loop`,
    /// which keeps the timer alive through its turn-end hook.
    static func install(on broker: Broker, loop: EventLoop) {
        let expiry = ExpiryTimer(broker: broker, loop: loop)
        broker.clock = BrokerClock { [unowned loop] in time(on: loop) }
        loop.onTurnEnd { expiry.rearm() }
    }

    /// The time at `loop`'s current turn.
    static func time(on loop: EventLoop) -> BrokerTime {
        BrokerTime(milliseconds: loop.now / 1_000_000, unixSeconds: Int64(Glibc.time(nil)))
    }

    private func rearm() {
        guard let deadline = broker.nextExpiryDeadline else { return }
        if let armed, armed.deadline <= deadline { return }
        if let armed { loop.cancel(armed.timer) }
        let now = loop.now / 1_000_000
        let (delay, overflow) = (deadline > now ? deadline - now : 0).multipliedReportingOverflow(by: 1_000_000)
        armed = (deadline, loop.schedule(after: overflow ? .max : delay) { [unowned self] in self.fire() })
    }

    private func fire() {
        armed = nil
        broker.expire(now: Self.time(on: loop))
    }
}
