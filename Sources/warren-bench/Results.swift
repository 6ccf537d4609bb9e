/// One named figure of a scenario, e.g. `msgs_per_s`.
struct Metric: Sendable {
    var name: String
    var value: Double
}

/// What one run of one scenario against one broker measured.
struct ScenarioResult: Sendable {
    var id: String
    var title: String
    var broker: String
    var metrics: [Metric] = []
    /// Free-form facts worth a line in the table, e.g. the per-consumer split.
    var notes: [String] = []
    var error: String?

    subscript(name: String) -> Double? {
        get { metrics.first { $0.name == name }?.value }
        set {
            metrics.removeAll { $0.name == name }
            if let newValue { metrics.append(Metric(name: name, value: newValue)) }
        }
    }

    static func failed(_ id: String, _ title: String, broker: String, _ error: BenchError) -> ScenarioResult {
        ScenarioResult(id: id, title: title, broker: broker, error: error.description)
    }
}

enum Statistics {
    /// Nearest-rank percentile of an ascending array (`fraction` in 0...1).
    static func percentile(_ sorted: [UInt64], _ fraction: Double) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Numbers as people read them: no decimals for big figures, three significant digits for small ones.
func formatNumber(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let magnitude = abs(value)
    if magnitude >= 1000 || value == value.rounded() && magnitude >= 10 { return String(Int(value.rounded())) }
    if magnitude >= 100 { return fixed(value, decimals: 1) }
    if magnitude >= 1 { return fixed(value, decimals: 2) }
    return fixed(value, decimals: 3)
}

/// As `formatNumber`, with thousands separated by commas (for the docs).
func grouped(_ value: Double) -> String {
    let text = formatNumber(value)
    guard text.count > 4, !text.contains(".") else { return text }
    var digits = Array(text.hasPrefix("-") ? text.dropFirst() : Substring(text))
    var index = digits.count - 3
    while index > 0 {
        digits.insert(",", at: index)
        index -= 3
    }
    return (text.hasPrefix("-") ? "-" : "") + String(digits)
}

func fixed(_ value: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    var digits = String(fraction)
    while digits.count < decimals { digits = "0" + digits }
    let sign = value < 0 && scaled > 0 ? "-" : ""
    return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(digits)"
}
