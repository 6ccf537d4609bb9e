/// A user who may open connections.
public struct User: Sendable {
    public let name: String
    private let password: [UInt8]
    public var tags: [String]
    /// May connect only from a loopback address; the server enforces this at login.
    public var loopbackOnly: Bool

    public init(name: String, password: String, tags: [String] = [], loopbackOnly: Bool = false) {
        self.name = name
        self.password = Array(password.utf8)
        self.tags = tags
        self.loopbackOnly = loopbackOnly
    }

    /// Compares in time that depends only on the lengths, not on where the
    /// first difference is.
    public func checkPassword(_ candidate: String) -> Bool {
        let given = Array(candidate.utf8)
        var difference = UInt8(truncatingIfNeeded: given.count ^ password.count)
        for index in 0..<Swift.max(given.count, password.count) {
            let left = index < given.count ? given[index] : 0
            let right = index < password.count ? password[index] : 0
            difference |= left ^ right
        }
        return difference == 0 && given.count == password.count
    }
}
