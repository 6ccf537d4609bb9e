import Glibc
import WarrenStore

// `warren-bench store`: the store's own figures, and the broker's restart time with a
// large persistent backlog (docs/benchmarks.md, "Durability"; docs/storage.md §11).

let storeHelpText = """
warren-bench store: WarrenStore throughput and the broker's recovery time.

USAGE
  warren-bench store [--messages N] [--body-size N] [--warren PATH] [--keep DIR]

  1. appends N persistent messages (default 1,000,000, 100-byte bodies) to a durable
     queue with the store alone, as the broker does (.onRequest, requestSync every 256)
  2. reopens the store: recovery time of the store alone
  3. starts `warren serve` on that data directory and times it until it listens with
     the backlog rebuilt (skipped when no warren binary is found next to warren-bench
     or at --warren)
  4. 100,000 appends under .afterEveryAppend: appends per fdatasync
  The data directory is under /tmp and removed afterwards unless --keep names one.
  Build with -c release for meaningful figures.
"""

struct StoreBenchmarkOptions {
    var messages = 1_000_000
    var bodySize = 100
    var warren: String?
    var keep: String?
}

func runStoreBenchmark(_ arguments: ArraySlice<String>) -> Int32 {
    var options = StoreBenchmarkOptions()
    var rest = arguments
    while let flag = rest.popFirst() {
        switch flag {
        case "--messages": options.messages = rest.popFirst().flatMap { Int($0) } ?? -1
        case "--body-size": options.bodySize = rest.popFirst().flatMap { Int($0) } ?? -1
        case "--warren": options.warren = rest.popFirst()
        case "--keep": options.keep = rest.popFirst()
        case "-h", "--help":
            print(storeHelpText)
            return 0
        default:
            log("warren-bench store: unknown option \(flag)\n\(storeHelpText)")
            return 2
        }
    }
    guard options.messages > 0, options.bodySize >= 0 else {
        log("warren-bench store: --messages and --body-size take positive numbers")
        return 2
    }
    let directory = options.keep ?? "/tmp/warren-bench-store-\(getpid())"
    defer { if options.keep == nil { _ = runCommand("/bin/rm", ["-rf", directory], timeoutSeconds: 120) } }
    do throws(StoreError) {
        try fillStore(directory, options)
        try reopenStore(directory, expected: options.messages)
        restartBroker(directory, options)
        try syncEveryAppend(directory + "-every-append")
        _ = runCommand("/bin/rm", ["-rf", directory + "-every-append"], timeoutSeconds: 60)
        return 0
    } catch {
        log("warren-bench store: \(error)")
        return 1
    }
}

private func seconds(since start: UInt64) -> Double { Double(monotonicNanos() - start) / 1e9 }

private func format(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
}

/// Step 1: the backlog, written as the broker writes it (one durable queue "bench" in vhost "/").
private func fillStore(_ directory: String, _ options: StoreBenchmarkOptions) throws(StoreError) {
    var storeOptions = StoreOptions()
    storeOptions.syncPolicy = .onRequest
    let (store, _) = try MessageStore.open(directory: directory, options: storeOptions)
    defer { store.close() }
    _ = try store.appendDefinition(.declareQueue(QueueDefinition(vhost: "/", name: "bench")))
    let key = MessageStore.queueKey(vhost: "/", queue: "bench")
    let body = [UInt8](repeating: 0x61, count: options.bodySize)
    let properties: [UInt8] = [0x10, 0x00, 2]  // delivery-mode 2
    var last = SyncTicket.none
    let start = monotonicNanos()
    for id in 1...options.messages {
        let message = StoredMessage(id: UInt64(id), exchange: "", routingKey: "bench", properties: properties, body: body)
        last = try store.appendMessage(message, queues: [key])
        if id % 256 == 0 {
            store.requestSync()
            _ = store.drainCompletions()
        }
    }
    store.requestSync()
    let appendSeconds = seconds(since: start)
    let settled = store.waitUntilSettled(last, timeoutMilliseconds: 120_000)
    let durableSeconds = seconds(since: start)
    let statistics = store.statistics
    print("""
        store append: \(options.messages) x \(options.bodySize)-byte messages in \(format(appendSeconds)) s \
        (\(Int(Double(options.messages) / appendSeconds)) msg/s on the calling thread), \
        all durable after \(format(durableSeconds)) s\(settled.isDurable(last) ? "" : " (NOT all durable)")
          syncer: \(statistics.syncRounds) rounds, \(statistics.fdatasyncCalls) fdatasync calls, \(statistics.segmentFiles) segments
        """)
}

/// Step 2: the store alone reopening the backlog.
private func reopenStore(_ directory: String, expected: Int) throws(StoreError) {
    let start = monotonicNanos()
    let (store, recovered) = try MessageStore.open(directory: directory)
    let elapsed = seconds(since: start)
    let count = recovered.queues.values.reduce(0) { $0 + $1.count }
    store.close()
    print("store recovery: \(count) of \(expected) messages in \(format(elapsed)) s")
}

/// Step 3: `warren serve` on the directory, timed from spawn to "listening" (the
/// listener opens only once recovery has rebuilt every queue), then SIGTERM.
private func restartBroker(_ directory: String, _ options: StoreBenchmarkOptions) {
    guard let warren = options.warren ?? siblingWarren() else {
        print("broker restart: skipped (no warren binary; pass --warren PATH)")
        return
    }
    let logPath = directory + ".log"
    let fd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer {
        close(fd)
        unlink(logPath)
    }
    let start = monotonicNanos()
    let child: ChildProcess
    do {
        child = try ChildProcess(warren, ["serve", "--bind", "127.0.0.1", "--port", "0", "--http-port", "off",
                                          "--data-dir", directory], stderrFD: fd)
    } catch {
        print("broker restart: cannot start \(warren): \(error)")
        return
    }
    defer { child.stop() }
    let listening = waitUntil(timeoutSeconds: 600) { (ProcStats.readText(logPath) ?? "").contains("listening on") || !child.isRunning }
    let elapsed = seconds(since: start)
    let text = ProcStats.readText(logPath) ?? ""
    guard listening, text.contains("listening on") else {
        print("broker restart: warren did not start\n\(text)")
        return
    }
    let summary = text.split(separator: "\n").first { $0.contains("recovery:") && $0.contains("messages") }
        .map { String($0.split(separator: " ", maxSplits: 1).last ?? "") } ?? "no recovery line"
    print("broker restart: listening \(format(elapsed)) s after spawn with the backlog rebuilt (\(summary))")
}

private func siblingWarren() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slash = path.lastIndex(of: "/") else { return nil }
    let candidate = String(path[..<slash]) + "/warren"
    return access(candidate, X_OK) == 0 ? candidate : nil
}

/// Step 4: every append hands off to the syncer at once (the store's default policy).
private func syncEveryAppend(_ directory: String) throws(StoreError) {
    let (store, _) = try MessageStore.open(directory: directory)
    defer { store.close() }
    let body = [UInt8](repeating: 0x61, count: 100)
    let count = 100_000
    var last = SyncTicket.none
    let start = monotonicNanos()
    for id in 1...count {
        last = try store.appendMessage(StoredMessage(id: UInt64(id), exchange: "", routingKey: "k",
                                                     properties: [0x10, 0, 2], body: body), queues: ["q"])
    }
    let appendSeconds = seconds(since: start)
    _ = store.waitUntilSettled(last)
    let statistics = store.statistics
    print("store .afterEveryAppend: \(count) appends at \(Int(Double(count) / appendSeconds)) msg/s, "
          + "\(statistics.fdatasyncCalls) fdatasync calls (\(count / max(1, statistics.fdatasyncCalls)) appends each)")
}
