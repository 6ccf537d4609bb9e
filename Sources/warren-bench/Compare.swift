import Glibc

/// `warren-bench compare`: the same scenarios against Warren and RabbitMQ,
/// `--runs` times each, alternating which broker goes first, reporting medians.
struct CompareRunner {
    let options: CompareOptions

    /// Per broker name, per scenario id, the results of each run.
    typealias Collected = [String: [String: [ScenarioResult]]]

    func run() throws(BenchError) -> Int32 {
        ProcStats.raiseOpenFileLimit()
        let catalog = ScenarioCatalog(options: options.run)
        let scenarios = try catalog.select(options.run.scenarios, sinkOnly: false)
        var report = CompareReport(options: options)
        report.machine = MachineInfo.collect()

        // The tool's own ceiling, once: it does not depend on the broker.
        let sinkScenarios = scenarios.filter(\.usesSink)
        report.sink = runScenarios(options.run, scenarios: sinkScenarios, brokerName: "sink")

        var brokers: [ManagedBroker] = []
        var warren: WarrenControl?
        defer { warren?.stop() }
        if options.brokers.contains("warren") {
            let control = WarrenControl(binary: options.warrenBinary, port: options.warrenPort)
            do throws(BenchError) {
                try control.buildIfMissing()
                for _ in 1...options.runs { report.startupMilliseconds.append(try control.start()) }
                log("compare: Warren started in \(report.startupMilliseconds.map { formatNumber($0) }.joined(separator: ", ")) ms; its log: \(control.logPath)")
                guard let pid = control.pid else { throw .broker("Warren exited right after starting") }
                let version = probeBrokerVersion(control.url)
                report.warrenVersion = version
                brokers.append(ManagedBroker(name: "Warren", url: control.url, pid: pid, version: version))
                warren = control
            } catch {
                control.stop()
                report.warrenUnavailable = error.description
                log("compare: Warren not measured: \(error)")
            }
        }
        let rabbitWasRunning = RabbitMQControl.isRunning
        defer {
            if !rabbitWasRunning {
                log("compare: stopping the RabbitMQ it started")
                RabbitMQControl.stopIfRunning()
            }
        }
        if options.brokers.contains("rabbitmq") {
            do throws(BenchError) {
                let rabbit = try RabbitMQControl.ensureRunning(url: options.rabbitURL, neededSockets: options.run.idleConnections)
                report.rabbitVersion = rabbit.version
                report.erlangVersion = RabbitMQControl.erlangVersion()
                brokers.append(rabbit)
            } catch {
                report.rabbitUnavailable = error.description
                log("compare: RabbitMQ not measured: \(error)")
            }
        }
        guard !brokers.isEmpty else { throw .broker("no broker to measure") }

        var collected: Collected = [:]
        for scenario in scenarios where !scenario.usesSink {
            for run in 1...options.runs {
                let order = run % 2 == 1 ? brokers : brokers.reversed()
                for var broker in order {
                    if case .memory = scenario {
                        // "Idle" means a fresh broker, not one still digesting the last run.
                        guard let fresh = restartForMemory(broker, warren: warren, &report) else { continue }
                        broker = fresh
                        if let index = brokers.firstIndex(where: { $0.name == fresh.name }) { brokers[index] = fresh }
                    }
                    var runOptions = options.run
                    runOptions.url = broker.url
                    runOptions.brokerPID = brokerPID(broker, warren: warren)
                    // The other broker is frozen meanwhile: an idle Erlang VM still wakes its
                    // schedulers, which would show up in the measured broker's latency.
                    let others = brokers.filter { $0.name != broker.name }.compactMap { brokerPID($0, warren: warren) }
                    for pid in others { kill(pid, SIGSTOP) }
                    let results = runScenarios(runOptions, scenarios: [scenario], brokerName: broker.name, run: run)
                    for pid in others { kill(pid, SIGCONT) }
                    collected[broker.name, default: [:]][scenario.id, default: []] += results
                    restartWarrenIfItDied(warren, &report)
                }
            }
        }
        report.machine.loadAtEnd = MachineInfo.loadAverage()
        report.medians = Self.medians(collected)
        report.scenarioOrder = scenarios.filter { !$0.usesSink }.map(\.id)
        report.brokerNames = brokers.map(\.name)

        print("")
        print(Output.table(report.sink + report.medians.flatMap { $0.value.values }.sorted(by: report.ordering)))
        let markdown = report.markdown()
        if options.writeDocs {
            try DocsSection.replace(heading: CompareReport.heading, with: markdown, in: options.docsPath)
            log("compare: wrote the \(CompareReport.heading) section of \(options.docsPath)")
        } else {
            print("\n" + markdown)
        }
        let failed = report.medians.values.flatMap(\.values).contains { $0.error != nil }
        return failed ? 1 : 0
    }

    /// Restarts a broker before a memory run; nil (and a note) if it will not come back.
    private func restartForMemory(_ broker: ManagedBroker, warren: WarrenControl?, _ report: inout CompareReport) -> ManagedBroker? {
        do throws(BenchError) {
            if broker.name == "Warren" {
                try warren?.start()
                return broker
            }
            return try RabbitMQControl.restart(url: broker.url, neededSockets: options.run.idleConnections)
        } catch {
            log("compare: restarting \(broker.name) for scenario 8 failed: \(error)")
            report.restartFailures.append("\(broker.name): \(error)")
            return nil
        }
    }

    /// Warren's pid follows restarts; RabbitMQ's comes with the broker.
    private func brokerPID(_ broker: ManagedBroker, warren: WarrenControl?) -> Int32? {
        broker.name == "Warren" ? warren?.pid : broker.pid
    }

    /// A crash must not silently turn the remaining runs into failures:
    /// it is noted, and Warren is started again for the next scenario.
    private func restartWarrenIfItDied(_ warren: WarrenControl?, _ report: inout CompareReport) {
        guard let warren, warren.pid == nil else { return }
        report.warrenRestarts += 1
        log("compare: Warren is not running any more; restarting it")
        do { try warren.start() } catch { log("compare: Warren restart failed: \(error)") }
    }

    private func probeBrokerVersion(_ url: AMQPURL) -> String {
        guard let connection = try? AMQPConnection.open(url, name: "warren-bench probe") else { return "unknown" }
        defer { connection.close() }
        return connection.version
    }

    /// Per broker and scenario, each metric's median over the runs that
    /// succeeded; failed runs are counted in a note, and a scenario whose
    /// runs all failed keeps the first error.
    static func medians(_ collected: Collected) -> [String: [String: ScenarioResult]] {
        var medians: [String: [String: ScenarioResult]] = [:]
        for (broker, byScenario) in collected {
            for (id, runs) in byScenario {
                let succeeded = runs.filter { $0.error == nil }
                guard let first = succeeded.first ?? runs.first else { continue }
                var median = ScenarioResult(id: id, title: first.title, broker: broker, notes: succeeded.last?.notes ?? [])
                if succeeded.isEmpty { median.error = first.error }
                for metric in first.metrics where !succeeded.isEmpty {
                    median[metric.name] = Statistics.median(succeeded.compactMap { $0[metric.name] })
                }
                if succeeded.count < runs.count {
                    median.notes.append("\(runs.count - succeeded.count)_of_\(runs.count)_runs_failed")
                }
                medians[broker, default: [:]][id] = median
            }
        }
        return medians
    }
}
