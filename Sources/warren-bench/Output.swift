import Glibc

/// Result lines and the closing table, on stdout.
enum Output {
    /// `RESULT scenario=1 broker=RabbitMQ msgs_per_s=41234 ...`: one line, key=value, no spaces in values.
    static func resultLine(_ result: ScenarioResult, run: Int? = nil) -> String {
        var fields = ["RESULT", "scenario=\(result.id)", "broker=\(token(result.broker))"]
        if let run { fields.append("run=\(run)") }
        for metric in result.metrics { fields.append("\(metric.name)=\(formatNumber(metric.value))") }
        for note in result.notes { fields.append(token(note)) }
        if let error = result.error { fields.append("error=\"\(error.replacingQuotes())\"") }
        return fields.joined(separator: " ")
    }

    static func printLine(_ text: String) {
        print(text)
        fflush(nil)
    }

    private static func token(_ text: String) -> String {
        String(text.map { $0 == " " ? "_" : $0 })
    }

    /// The table at the end of a run: one row per scenario and broker.
    static func table(_ results: [ScenarioResult]) -> String {
        let header = ["scenario", "broker", "msgs/s", "MB/s", "latency p50/p99/p99.9/max µs", "broker CPU µs/msg", "tool CPU %", "other"]
        var rows = [header]
        for result in results {
            rows.append([
                result.id, result.broker,
                result["msgs_per_s"].map(formatNumber) ?? "",
                result["mb_per_s"].map(formatNumber) ?? "",
                latencyCell(result),
                result["cpu_us_per_msg"].map(formatNumber) ?? "",
                result["tool_cpu_pct"].map(formatNumber) ?? "",
                otherCell(result),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, row in
            let line = row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
            return index == 0 ? line + "\n" + String(repeating: "-", count: line.count) : line
        }.joined(separator: "\n")
    }

    static func latencyCell(_ result: ScenarioResult) -> String {
        guard let p50 = result["p50_us"], let p99 = result["p99_us"], let p999 = result["p999_us"], let max = result["max_us"] else { return "" }
        return [p50, p99, p999, max].map(formatNumber).joined(separator: " / ")
    }

    /// Everything not in a column of its own: memory figures, spreads, errors.
    static func otherCell(_ result: ScenarioResult) -> String {
        if let error = result.error { return "FAILED: \(error)" }
        let shown: Set = ["msgs_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us", "max_us", "cpu_us_per_msg", "tool_cpu_pct"]
        var parts = result.metrics.filter { !shown.contains($0.name) }.map { "\($0.name)=\(formatNumber($0.value))" }
        parts += result.notes
        return parts.joined(separator: " ")
    }
}

private extension String {
    func replacingQuotes() -> String { String(map { $0 == "\"" ? "'" : $0 }) }
}
