import Glibc

// warren-bench: see Options.swift (helpText) and docs/benchmarks.md.

/// Runs the selected scenarios against one broker (or the sink) and returns
/// their results, printing a RESULT line after each.
func runScenarios(_ options: RunOptions, scenarios: [Scenario], brokerName: String?, run: Int? = nil) -> [ScenarioResult] {
    var results: [ScenarioResult] = []
    var sink: SinkServer?
    defer { sink?.shutdown() }
    let catalog = ScenarioCatalog(options: options)
    var resolvedName = brokerName
    for scenario in scenarios {
        var context = RunContext(url: options.url, brokerName: resolvedName ?? "broker", brokerPID: options.brokerPID,
                                 seconds: options.seconds, warmup: options.warmup, sink: nil)
        if scenario.usesSink {
            if sink == nil {
                do { sink = try SinkServer() } catch {
                    results.append(.failed(scenario.id, "sink", broker: "sink", error))
                    continue
                }
            }
            context.url = sink?.url ?? options.url
            context.brokerName = "sink"
            context.brokerPID = nil
            context.sink = sink
        } else if resolvedName == nil {
            resolvedName = probeBrokerName(options.url)
            context.brokerName = resolvedName ?? "broker"
        }
        if !options.quiet { log("scenario \(scenario.id) on \(context.brokerName): running") }
        let result: ScenarioResult
        switch scenario {
        case .flow(let flow):
            result = FlowRunner(scenario: flow, context: context).run()
        case .memory(let id, let title):
            result = MemoryRunner(id: id, title: title, context: context, options: options, queueName: "\(catalog.prefix)-memory").run()
        }
        Output.printLine(Output.resultLine(result, run: run))
        results.append(result)
    }
    return results
}

/// The broker's `product` property (e.g. "RabbitMQ"), or nil when it cannot be reached.
func probeBrokerName(_ url: AMQPURL) -> String? {
    guard let connection = try? AMQPConnection.open(url, name: "warren-bench probe", timeoutSeconds: 5) else { return nil }
    defer { connection.close() }
    return connection.product
}

func main() -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    var arguments = CommandLine.arguments.dropFirst()
    if arguments.first == "store" { return runStoreBenchmark(arguments.dropFirst()) }
    if arguments.contains("--help") || arguments.contains("-h") || arguments.first == "help" {
        print(helpText)
        return 0
    }
    do throws(BenchError) {
        switch arguments.first {
        case "compare":
            arguments = arguments.dropFirst()
            var options = CompareOptions()
            options.commandLine = (["warren-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            var parser = ArgumentParser(arguments)
            try parser.parseCompare(into: &options)
            return try CompareRunner(options: options).run()
        case "run":
            arguments = arguments.dropFirst()
        default:
            break
        }
        var options = RunOptions()
        var parser = ArgumentParser(arguments)
        try parser.parseRun(into: &options)
        guard options.url.host == "127.0.0.1" || options.url.host == "localhost" else {
            throw .usage("load only on loopback: --url must point at 127.0.0.1 or localhost")
        }
        let scenarios = try ScenarioCatalog(options: options).select(options.scenarios, sinkOnly: options.useSink)
        if scenarios.contains(where: { !$0.usesSink }) {
            // Fail once, clearly, rather than once per scenario.
            let probe = try AMQPConnection.open(options.url, name: "warren-bench probe", timeoutSeconds: 10)
            probe.close()
        }
        let results = runScenarios(options, scenarios: scenarios, brokerName: options.brokerName)
        print("")
        print(Output.table(results))
        return results.contains { $0.error != nil } ? 1 : 0
    } catch {
        log("warren-bench: \(error)")
        return error.exitCode
    }
}

exit(main())
