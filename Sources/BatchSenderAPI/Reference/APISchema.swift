import BatchSenderCore

/// A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), limited to what this API's document
/// needs. Kept as a value rather than written as JSON so the OpenAPI document and the `/docs` page
/// are rendered from one description, and enums can be read from the core types (`Module.allCases`)
/// instead of being copied.
public struct APISchema: Sendable {
    public indirect enum Kind: Sendable {
        /// A named schema under `#/components/schemas`.
        case ref(String)
        case string(format: String?, values: [String]?, minLength: Int?, maxLength: Int?)
        case integer(minimum: Int?, maximum: Int?)
        case number(minimum: Double?, maximum: Double?)
        case boolean
        case array(APISchema, minItems: Int?, maxItems: Int?)
        /// An object with named properties; `additional` describes any other property (`nil`: anything).
        case object([APIProperty], additional: APISchema?)
        /// An object whose properties are all of one kind (a dictionary).
        case map(APISchema)
        /// Any JSON value.
        case any
        /// One of several shapes (JSON Schema `anyOf`).
        case anyOf([APISchema])
        /// No value at all: as `additional`, an object that refuses properties it does not name.
        case never
    }

    public var kind: Kind
    /// Whether `null` is allowed too. The API treats an explicit `null` like an absent field, so
    /// optional request fields say so; responses use it for values not set yet.
    public var nullable = false
    public var description: String?
    public var example: JSONValue?

    public init(_ kind: Kind, nullable: Bool = false, description: String? = nil, example: JSONValue? = nil) {
        self.kind = kind
        self.nullable = nullable
        self.description = description
        self.example = example
    }
}

/// A named property of an object schema.
public struct APIProperty: Sendable {
    public var name: String
    public var schema: APISchema
    public var required: Bool

    public init(_ name: String, _ schema: APISchema, required: Bool = false) {
        self.name = name
        self.schema = schema
        self.required = required
    }
}

// MARK: - Building schemas

extension APISchema {
    static func ref(_ name: String) -> APISchema { APISchema(.ref(name)) }
    static var string: APISchema { APISchema(.string(format: nil, values: nil, minLength: nil, maxLength: nil)) }
    static var nonEmptyString: APISchema { APISchema(.string(format: nil, values: nil, minLength: 1, maxLength: nil)) }
    static func string(maxLength: Int) -> APISchema {
        APISchema(.string(format: nil, values: nil, minLength: 1, maxLength: maxLength))
    }
    static var dateTime: APISchema { APISchema(.string(format: "date-time", values: nil, minLength: nil, maxLength: nil)) }
    static var uri: APISchema { APISchema(.string(format: "uri", values: nil, minLength: nil, maxLength: nil)) }
    static func oneOf(_ values: [String]) -> APISchema {
        APISchema(.string(format: nil, values: values, minLength: nil, maxLength: nil))
    }
    /// The raw values of a string enum of the core, so a new case reaches the document by itself.
    static func cases<T: CaseIterable & RawRepresentable>(of _: T.Type) -> APISchema where T.RawValue == String {
        oneOf(T.allCases.map(\.rawValue))
    }
    static var integer: APISchema { APISchema(.integer(minimum: nil, maximum: nil)) }
    static func integer(_ range: ClosedRange<Int>) -> APISchema {
        APISchema(.integer(minimum: range.lowerBound, maximum: range.upperBound))
    }
    static var count: APISchema { APISchema(.integer(minimum: 0, maximum: nil)) }
    static var boolean: APISchema { APISchema(.boolean) }
    static func number(_ range: ClosedRange<Double>) -> APISchema {
        APISchema(.number(minimum: range.lowerBound, maximum: range.upperBound))
    }
    static func array(_ items: APISchema, maxItems: Int? = nil) -> APISchema {
        APISchema(.array(items, minItems: nil, maxItems: maxItems))
    }
    static func object(_ properties: [APIProperty], additional: APISchema? = nil) -> APISchema {
        APISchema(.object(properties, additional: additional))
    }
    static func map(_ values: APISchema) -> APISchema { APISchema(.map(values)) }
    static var any: APISchema { APISchema(.any) }
    static func anyOf(_ shapes: [APISchema]) -> APISchema { APISchema(.anyOf(shapes)) }

    /// This schema, also allowing `null`.
    var orNull: APISchema {
        var copy = self
        copy.nullable = true
        return copy
    }

    func describe(_ text: String) -> APISchema {
        var copy = self
        copy.description = text
        return copy
    }

    func example(_ value: JSONValue) -> APISchema {
        var copy = self
        copy.example = value
        return copy
    }

    /// The component schema this refers to, if it is a reference.
    var referencedName: String? {
        if case .ref(let name) = kind { return name }
        return nil
    }
}

// MARK: - JSON Schema

extension APISchema {
    /// The schema as JSON Schema 2020-12; references point into `#/components/schemas`.
    public var json: JSONValue {
        var object = shape
        if let description { object["description"] = .string(description) }
        if let example { object["examples"] = .array([example]) }
        return .object(object)
    }

    private var shape: [String: JSONValue] {
        switch kind {
        case .ref(let name):
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(name)")]
            return nullable ? ["anyOf": [reference, ["type": "null"]]] : reference.objectValue ?? [:]
        case .string(let format, let values, let minLength, let maxLength):
            var object = typed("string")
            if let format { object["format"] = .string(format) }
            // With `null` allowed, the enum must list it too, or `null` would still be refused.
            if let values { object["enum"] = .array(values.map(JSONValue.string) + (nullable ? [.null] : [])) }
            if let minLength { object["minLength"] = .int(minLength) }
            if let maxLength { object["maxLength"] = .int(maxLength) }
            return object
        case .integer(let minimum, let maximum):
            var object = typed("integer")
            if let minimum { object["minimum"] = .int(minimum) }
            if let maximum { object["maximum"] = .int(maximum) }
            return object
        case .number(let minimum, let maximum):
            var object = typed("number")
            if let minimum { object["minimum"] = .double(minimum) }
            if let maximum { object["maximum"] = .double(maximum) }
            return object
        case .boolean:
            return typed("boolean")
        case .array(let items, let minItems, let maxItems):
            var object = typed("array")
            object["items"] = items.json
            if let minItems { object["minItems"] = .int(minItems) }
            if let maxItems { object["maxItems"] = .int(maxItems) }
            return object
        case .object(let properties, let additional):
            var object = typed("object")
            object["properties"] = .object(Dictionary(properties.map { ($0.name, $0.schema.json) }, uniquingKeysWith: { a, _ in a }))
            let required = properties.filter(\.required).map { JSONValue.string($0.name) }
            if !required.isEmpty { object["required"] = .array(required) }
            if let additional { object["additionalProperties"] = additional.json }
            return object
        case .map(let values):
            var object = typed("object")
            object["additionalProperties"] = values.json
            return object
        case .any:
            return [:]
        case .anyOf(let shapes):
            return ["anyOf": .array(shapes.map(\.json) + (nullable ? [["type": "null"]] : []))]
        case .never:
            return ["not": [:]]
        }
    }

    private func typed(_ name: String) -> [String: JSONValue] {
        ["type": nullable ? [.string(name), "null"] : .string(name)]
    }
}
