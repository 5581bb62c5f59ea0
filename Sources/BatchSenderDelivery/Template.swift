import BatchSenderCore
import Mustache

/// A compiled Mustache template. Parsed once per batch, rendered once per recipient.
public struct Template: Sendable {
    /// How `{{x}}` values are escaped: `html` only for an email's HTML part (CONTRACT §4).
    public enum Escaping: Sendable {
        case none
        case html
    }

    private let compiled: MustacheTemplate?
    private let literal: String

    public init(_ text: String, escaping: Escaping) throws {
        literal = text
        // Text without tags needs no template machinery (the common case for `from`, URLs, …).
        guard text.contains("{{") else {
            compiled = nil
            return
        }
        let source = escaping == .none ? "{{% CONTENT_TYPE: TEXT}}" + text : text
        compiled = try MustacheTemplate(string: source)
    }

    public func render(_ context: TemplateContext) -> String {
        compiled?.render(context.root) ?? literal
    }
}

/// The values a recipient's templates see: its `variables` plus `to`.
public struct TemplateContext {
    let root: [String: Any]

    public init(to: String, variables: [String: JSONValue]) {
        var root = variables.mapValues(Self.native)
        root["to"] = to
        self.root = root.compactMapValues { $0 }
    }

    /// JSON as the plain Swift values Mustache understands (dictionaries are Mustache parents).
    static func native(_ value: JSONValue) -> Any? {
        switch value {
        case .null: nil
        case .bool(let b): b
        case .int(let i): i
        case .double(let d): d
        case .string(let s): s
        case .array(let a): a.compactMap(native)
        case .object(let o): o.compactMapValues(native)
        }
    }
}
