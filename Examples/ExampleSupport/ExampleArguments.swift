import Foundation

/// The command line of an example: `--url`, the example's own options and
/// flags, and its positional arguments.
///
/// The broker URL is `--url URL`, else `$AMQP_URL`, else
/// `amqp://guest:guest@localhost:5672/`. `--help` prints the usage and exits 0;
/// a mistake prints it to stderr and exits 2.
public struct ExampleArguments: Sendable {
    public static let defaultURL = "amqp://guest:guest@localhost:5672/"

    public let url: String
    public let positional: [String]
    private let values: [String: String]
    private let flags: Set<String>

    /// The value of a `--name VALUE` option (its default when not given).
    public func value(_ option: String) -> String {
        values[option] ?? ""
    }

    /// A `--name VALUE` option read as a whole number; exits 2 if it is not one.
    public func number(_ option: String) -> Int {
        guard let number = Int(value(option)), number >= 0 else {
            complain("\(option) needs a whole number, not \"\(value(option))\"")
            exit(2)
        }
        return number
    }

    public func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// Parses `CommandLine.arguments`.
    /// - Parameters:
    ///   - usage: the help text, starting with the usage line.
    ///   - options: options that take a value, with their defaults (`["--queue": "hello"]`).
    ///   - flags: options without a value (`["--auto-delete"]`).
    ///   - positional: how many positional arguments are allowed.
    public static func parse(
        usage: String, options: [String: String] = [:], flags allowedFlags: Set<String> = [],
        positional allowed: ClosedRange<Int> = 0...0, arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) -> ExampleArguments {
        var values = options
        var flags: Set<String> = []
        var positional: [String] = []
        var url = ProcessInfo.processInfo.environment["AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultURL
        var remaining = arguments[...]
        func misuse(_ problem: String) -> Never {
            complain("\(problem)\n\(usage)")
            exit(2)
        }
        while let argument = remaining.popFirst() {
            if argument == "--help" || argument == "-h" {
                say(usage)
                exit(0)
            } else if argument == "--" {
                positional += remaining
                break
            } else if argument == "--url" || options[argument] != nil {
                guard let value = remaining.popFirst() else { misuse("\(argument) needs a value") }
                if argument == "--url" { url = value } else { values[argument] = value }
            } else if allowedFlags.contains(argument) {
                flags.insert(argument)
            } else if argument.hasPrefix("--") {
                misuse("unknown option \(argument)")
            } else {
                positional.append(argument)
            }
        }
        guard allowed.contains(positional.count) else {
            misuse(positional.count < allowed.lowerBound ? "missing arguments" : "too many arguments")
        }
        return ExampleArguments(url: url, positional: positional, values: values, flags: flags)
    }
}
