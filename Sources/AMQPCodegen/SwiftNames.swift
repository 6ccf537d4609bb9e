/// How the spec's hyphenated names become Swift names.
///
/// `basic` + `recover-async` → type `BasicRecoverAsync`, case `basicRecoverAsync`;
/// field `routing-key` → `routingKey`, `reserved-1` → `reserved1`.
public enum SwiftNames {
    /// The struct for a method: class and method name in UpperCamelCase.
    public static func structName(_ className: String, _ methodName: String) -> String {
        upperCamelCase(className) + upperCamelCase(methodName)
    }

    /// The `Method` case for a method: the struct name in lowerCamelCase.
    public static func caseName(_ className: String, _ methodName: String) -> String {
        lowerCamelCase(className) + upperCamelCase(methodName)
    }

    /// The property for a field, as Swift reports it (no backticks).
    public static func propertyName(_ fieldName: String) -> String {
        lowerCamelCase(fieldName)
    }

    /// `name` as it must be written in source: in backticks when it is a keyword.
    public static func identifier(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    static func upperCamelCase(_ name: String) -> String {
        words(name).map(capitalized).joined()
    }

    static func lowerCamelCase(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return "" }
        return first.lowercased() + parts.dropFirst().map(capitalized).joined()
    }

    private static func words(_ name: String) -> [Substring] {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " })
    }

    private static func capitalized(_ word: Substring) -> String {
        guard let first = word.first else { return "" }
        return first.uppercased() + word.dropFirst().lowercased()
    }

    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "operator", "private", "precedencegroup", "protocol",
        "public", "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case",
        "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if",
        "in", "repeat", "return", "throw", "switch", "where", "while", "as", "false", "is", "nil",
        "self", "Self", "super", "throws", "true", "try", "Any",
    ]
}
