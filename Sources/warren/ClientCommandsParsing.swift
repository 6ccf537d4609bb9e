import WarrenClient

extension ClientCommands {
    /// A command-line mistake; printed with a pointer to `--help`, exit status 2.
    struct UsageError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Options as given: `--name VALUE` (or `--name=VALUE`, repeatable), flags, positionals.
    struct ParsedOptions: Sendable {
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var positional: [String] = []
        var wantsHelp = false

        func value(_ name: String) -> String? { values[name]?.last }
        func all(_ name: String) -> [String] { values[name] ?? [] }
        func has(_ flag: String) -> Bool { flags.contains(flag) }

        /// A whole-number option, or `defaultValue` when absent.
        func number<N: FixedWidthInteger>(_ name: String, default defaultValue: N) throws(UsageError) -> N {
            guard let text = value(name) else { return defaultValue }
            guard let number = N(text), number >= 0 else {
                throw UsageError("\(name) needs a whole number from 0 to \(N.max), not \"\(text)\"")
            }
            return number
        }

        /// Exactly `range` positional arguments, named in the error by `what`.
        func positionals(_ range: ClosedRange<Int>, _ what: String) throws(UsageError) -> [String] {
            guard range.contains(positional.count) else {
                throw UsageError(positional.count < range.lowerBound ? "missing \(what)" : "too many arguments")
            }
            return positional
        }
    }

    /// Hand-written parsing: `--url` and `--help` are always known; anything
    /// else starting with `--` must be declared; `--` ends the options.
    enum OptionParser {
        static func parse(
            _ arguments: ArraySlice<String>, values: Set<String>, flags: Set<String>
        ) throws(UsageError) -> ParsedOptions {
            let values = values.union(["--url"])
            var parsed = ParsedOptions()
            var remaining = arguments
            while let argument = remaining.popFirst() {
                if argument == "--help" || argument == "-h" {
                    parsed.wantsHelp = true
                } else if argument == "--" {
                    parsed.positional += remaining
                    break
                } else if argument.hasPrefix("--") {
                    let parts = argument.split(separator: "=", maxSplits: 1)
                    let name = String(parts[0])
                    if values.contains(name) {
                        let value: String
                        if parts.count == 2 {
                            value = String(parts[1])
                        } else if let next = remaining.popFirst() {
                            value = next
                        } else {
                            throw UsageError("\(name) needs a value")
                        }
                        parsed.values[name, default: []].append(value)
                    } else if flags.contains(name), parts.count == 1 {
                        parsed.flags.insert(name)
                    } else {
                        throw UsageError("unknown option \(argument)")
                    }
                } else {
                    parsed.positional.append(argument)
                }
            }
            return parsed
        }
    }

    /// `NAME=VALUE` pairs from `--arg`/`--header` as a field table. A value that
    /// reads as a whole number becomes a long, `true`/`false` a boolean,
    /// anything else a string; the `--arg-string`/`--header-string` forms keep
    /// the value a string whatever it looks like.
    static func fieldTable(typed: [String], strings: [String]) throws(UsageError) -> FieldTable {
        var table = FieldTable()
        for pair in typed {
            let (name, value) = try split(pair)
            if let number = Int64(value) {
                table[name] = .int64(number)
            } else if value == "true" || value == "false" {
                table[name] = .boolean(value == "true")
            } else {
                table[name] = .string(value)
            }
        }
        for pair in strings {
            let (name, value) = try split(pair)
            table[name] = .string(value)
        }
        return table
    }

    private static func split(_ pair: String) throws(UsageError) -> (String, String) {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw UsageError("expected NAME=VALUE, got \"\(pair)\"")
        }
        return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
    }
}
