import Foundation

/// The machine-readable method table, `Protocol/amqp-0-9-1.json`, as values.
///
/// Decoding checks the shape; `validate()` checks that the table is
/// consistent (ids unique, domains resolve to the stated types, replies
/// exist) so that the generator never has to guess.
public struct ProtocolSpec: Decodable, Sendable {
    public var name: String
    /// Domain name → primitive type name, e.g. `"queue-name": "shortstr"`.
    public var domains: [String: String]
    public var constants: [ConstantSpec]
    public var classes: [ClassSpec]

    /// Decodes and validates the JSON table.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(ProtocolSpec.self, from: json)
        try validate()
    }
}

/// One of the nine wire types a method field or property can have.
public enum PrimitiveType: String, Decodable, Sendable, CaseIterable {
    case bit, octet, short, long, longlong, shortstr, longstr, timestamp, table
}

public struct ConstantSpec: Decodable, Sendable {
    public var name: String
    public var value: Int
    /// `frame-type`, `frame`, `reply`, `soft-error` or `hard-error`.
    public var kind: String
}

public struct ClassSpec: Decodable, Sendable {
    public var name: String
    public var id: UInt16
    public var methods: [MethodSpec]
    /// Content-header properties; only `basic` has any.
    public var properties: [PropertySpec]

    private enum CodingKeys: String, CodingKey { case name, id, methods, properties }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        id = try container.decode(UInt16.self, forKey: .id)
        methods = try container.decode([MethodSpec].self, forKey: .methods)
        properties = try container.decodeIfPresent([PropertySpec].self, forKey: .properties) ?? []
    }
}

public struct MethodSpec: Decodable, Sendable {
    public var name: String
    public var id: UInt16
    /// A request that waits for one of `response` (unless its no-wait bit is set).
    public var synchronous: Bool
    /// Names of the methods, in the same class, that answer this one.
    public var response: [String]
    /// Followed by a content header and body frames.
    public var content: Bool
    public var fields: [FieldSpec]
}

public struct FieldSpec: Decodable, Sendable {
    public var name: String
    public var domain: String
    public var type: PrimitiveType
    /// Reserved in 0-9-1 (`reserved-N`): carried only so bytes re-encode exactly.
    public var reserved: Bool
}

public struct PropertySpec: Decodable, Sendable {
    public var name: String
    public var type: PrimitiveType
    /// The bit of the 16-bit property flags that marks the property present.
    public var bit: Int
}

/// A reason the method table cannot be turned into code.
public struct CodegenError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension ProtocolSpec {
    /// Throws the first inconsistency found in the table.
    public func validate() throws {
        for (domain, type) in domains where PrimitiveType(rawValue: type) == nil {
            throw CodegenError("domain \(domain) maps to unknown type \(type)")
        }
        try requireUnique(classes.map(\.id), "class id")
        try requireUnique(classes.map(\.name), "class name")
        for spec in classes {
            try validate(spec)
        }
        try requireUnique(classes.flatMap { c in c.methods.map { SwiftNames.structName(c.name, $0.name) } }, "Swift type name")
    }

    private func validate(_ spec: ClassSpec) throws {
        try requireUnique(spec.methods.map(\.id), "method id in class \(spec.name)")
        try requireUnique(spec.methods.map(\.name), "method name in class \(spec.name)")
        let methodNames = Set(spec.methods.map(\.name))
        for method in spec.methods {
            let where_ = "\(spec.name).\(method.name)"
            guard method.synchronous == !method.response.isEmpty else {
                throw CodegenError("\(where_): synchronous must be true exactly when it names a response")
            }
            for reply in method.response where !methodNames.contains(reply) {
                throw CodegenError("\(where_): response \(reply) is not a method of class \(spec.name)")
            }
            try requireUnique(method.fields.map(\.name), "field name in \(where_)")
            for field in method.fields {
                try validate(field, in: where_)
            }
        }
        try requireUnique(spec.properties.map(\.bit), "property bit in class \(spec.name)")
        for property in spec.properties where !(0...15).contains(property.bit) {
            throw CodegenError("\(spec.name) property \(property.name): bit \(property.bit) is outside 0...15")
        }
    }

    private func validate(_ field: FieldSpec, in where_: String) throws {
        guard let domainType = domains[field.domain] else {
            throw CodegenError("\(where_).\(field.name): unknown domain \(field.domain)")
        }
        guard domainType == field.type.rawValue else {
            throw CodegenError("\(where_).\(field.name): domain \(field.domain) is \(domainType), not \(field.type.rawValue)")
        }
        guard field.reserved == field.name.hasPrefix("reserved-") else {
            throw CodegenError("\(where_).\(field.name): reserved fields, and only they, are named reserved-N")
        }
    }

    private func requireUnique<T: Hashable>(_ values: [T], _ what: String) throws {
        var seen = Set<T>()
        for value in values where !seen.insert(value).inserted {
            throw CodegenError("duplicate \(what): \(value)")
        }
    }
}
