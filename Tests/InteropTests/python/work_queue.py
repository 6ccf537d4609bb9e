"""work queue: 1 publisher, 3 worker processes with prefetch 1 and manual acks.

Phase 1 (fair dispatch): one worker is slow; the two fast ones must get more tasks.
Phase 2 (crash): one worker dies mid-task (os._exit, connection dropped without ack);
its message must be redelivered to another worker with redelivered=True. No message is
lost and none is processed twice by the live workers; the queue ends empty.

Workers are this script run as `worker QUEUE DELAY CRASH`; they print READY once the
consumer is registered, `GOT body redelivered` when a task arrives and `DONE body`
after acking it, or `CRASH body` right before dying.
"""

import faulthandler
import os
import sys
import time

import common
from common import check, check_eq, step


def worker(queue_name, delay, crash):
    faulthandler.dump_traceback_later(60, exit=True)
    conn = common.connect()
    ch = conn.channel()
    ch.basic_qos(prefetch_count=1)

    def on_message(channel, method, _props, body):
        task = body.decode()
        print("GOT %s %s" % (task, method.redelivered), flush=True)
        if crash:
            print("CRASH %s" % task, flush=True)
            os._exit(3)  # dies holding the unacked task; the kernel drops the connection
        time.sleep(delay)
        channel.basic_ack(method.delivery_tag)
        print("DONE %s" % task, flush=True)

    ch.basic_consume(queue_name, on_message, auto_ack=False)  # returns after consume-ok
    print("READY", flush=True)
    while True:  # the parent kills us when the work is done
        conn.process_data_events(time_limit=1)


def run_phase(admin_ch, label, specs, n_tasks, timeout):
    """specs: [(name, delay, crash)]. Returns (per-worker events, children)."""
    queue_name = common.unique("work." + label)
    admin_ch.queue_declare(queue_name, durable=False)
    children = {}
    try:
        for name, delay, crash in specs:
            children[name] = common.Child("worker " + name,
                                          [__file__, "worker", queue_name, str(delay), "1" if crash else "0"])
        for child in children.values():
            child.wait_for("READY", 30)

        producer = common.connect()
        pch = producer.channel()
        pch.confirm_delivery()
        tasks = ["task-%02d" % i for i in range(n_tasks)]
        for t in tasks:
            pch.basic_publish("", queue_name, t.encode())
        producer.close()

        events = {name: [] for name in children}
        done = []
        deadline = common.Deadline(timeout)
        while len(set(done)) < n_tasks:
            check(not deadline.expired(), "%s: only %d of %d tasks done within %.0fs; events %r"
                  % (label, len(set(done)), n_tasks, timeout, events))
            for name, child in children.items():
                line = child.poll_line(0.02)
                while line is not None:
                    kind, _, rest = line.partition(" ")
                    events[name].append((kind, rest))
                    if kind == "DONE":
                        done.append(rest)
                    line = child.poll_line(0)
        # Give any stray (duplicate) delivery a moment to show up before judging.
        time.sleep(0.3)
        for name, child in children.items():
            line = child.poll_line(0)
            while line is not None:
                kind, _, rest = line.partition(" ")
                events[name].append((kind, rest))
                if kind == "DONE":
                    done.append(rest)
                line = child.poll_line(0)

        check_eq(sorted(done), tasks, "%s: tasks acked by live workers (each exactly once)" % label)
        remaining = admin_ch.queue_declare(queue_name, passive=True).method.message_count
        check_eq(remaining, 0, "%s: messages left in the queue" % label)
        return events, children, tasks
    finally:
        for child in children.values():
            child.kill()
        # Killing the workers must not bring anything back: everything was acked.
        time.sleep(0.2)
        try:
            left = admin_ch.queue_delete(queue_name).method.message_count
            check_eq(left, 0, "%s: messages in the queue after the workers were killed" % label)
        except common.ScenarioFailure:
            raise
        except Exception:
            pass


def scenario():
    admin = common.connect()
    ach = admin.channel()

    # Phase 1: fair dispatch with prefetch 1.
    events, _, tasks = run_phase(ach, "fair",
                                 [("fast-1", 0.01, False), ("fast-2", 0.01, False), ("slow", 0.5, False)],
                                 n_tasks=30, timeout=40)
    counts = {name: sum(1 for kind, _ in ev if kind == "DONE") for name, ev in events.items()}
    step("fair dispatch: tasks per worker %r" % counts)
    check(counts["slow"] >= 1, "the slow worker should have been given at least one task: %r" % counts)
    check(counts["fast-1"] > counts["slow"] and counts["fast-2"] > counts["slow"],
          "with prefetch 1 both fast workers must process more than the slow one: %r" % counts)
    for name, ev in events.items():
        for kind, rest in ev:
            if kind == "GOT":
                check(rest.endswith(" False"), "%s: unexpected redelivery in phase 1: %r" % (name, rest))

    # Phase 2: a worker dies mid-task.
    events, children, tasks = run_phase(ach, "crash",
                                        [("a", 0.05, False), ("b", 0.05, False), ("crasher", 0, True)],
                                        n_tasks=12, timeout=40)
    crashed = [rest for kind, rest in events["crasher"] if kind == "CRASH"]
    check_eq(len(crashed), 1, "tasks the crashing worker died holding")
    check_eq(children["crasher"].proc.wait(5), 3, "crasher exit status")
    lost_task = crashed[0]
    step("crasher died holding %s" % lost_task)
    redelivered = [(name, rest) for name in ("a", "b") for kind, rest in events[name]
                   if kind == "GOT" and rest.startswith(lost_task + " ")]
    check_eq(len(redelivered), 1, "deliveries of %s to the live workers" % lost_task)
    check(redelivered[0][1].endswith(" True"),
          "%s should arrive at the live worker with redelivered=True, got %r" % (lost_task, redelivered))
    step("%s redelivered to worker %s with redelivered=True" % (lost_task, redelivered[0][0]))
    for name in ("a", "b"):
        for kind, rest in events[name]:
            if kind == "GOT" and not rest.startswith(lost_task + " "):
                check(rest.endswith(" False"), "only %s should be redelivered, but %s got %r"
                      % (lost_task, name, rest))
    step("all %d tasks acked exactly once by live workers; queue empty" % len(tasks))
    admin.close()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1")
    else:
        common.run("work_queue", scenario, timeout=110)
