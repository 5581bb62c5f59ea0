import BatchSenderCore
import Foundation
import Mustache

/// A compiled Mustache template. Parsed once per batch, rendered once per recipient.
///
/// Templates made only of text and variables (`{{name}}`, `{{{name}}}`, `{{&name}}`,
/// `{{user.first}}`) — nearly all of them — render by plain concatenation; anything else
/// (sections, partials, comments, lambdas) goes through swift-mustache. The micro benchmark showed
/// swift-mustache at ~50 µs per webhook body, a large share of a delivery's CPU.
public struct Template: Sendable {
    /// How `{{x}}` values are escaped: `html` only for an email's HTML part (CONTRACT §4).
    public enum Escaping: Sendable {
        case none
        case html
    }

    private enum Part: Sendable {
        case literal(String)
        case variable(path: [String], escaped: Bool)
    }

    /// The fast form, when the template has one.
    private let parts: [Part]?
    private let compiled: MustacheTemplate?
    private let literal: String

    public init(_ text: String, escaping: Escaping) throws {
        literal = text
        // Text without tags needs no template machinery (the common case for `from`, URLs, …).
        guard text.contains("{{") else {
            compiled = nil
            parts = nil
            return
        }
        let source = escaping == .none ? "{{% CONTENT_TYPE: TEXT}}" + text : text
        // Always parsed by swift-mustache too: it is the judge of what is a valid template.
        compiled = try MustacheTemplate(string: source)
        parts = Self.simpleParts(of: text, escaping: escaping)
    }

    public func render(_ context: TemplateContext) -> String {
        guard let compiled else { return literal }
        if let parts, let fast = Self.render(parts, context) { return fast }
        return compiled.render(context.root)
    }

    /// Splits a template of text and variables only; `nil` when it uses anything else.
    private static func simpleParts(of text: String, escaping: Escaping) -> [Part]? {
        var parts: [Part] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            var after = rest[open.upperBound...]
            var escaped = escaping == .html
            let name: Substring
            if after.first == "{" {
                after = after.dropFirst()
                guard let close = after.range(of: "}}}") else { return nil }
                name = after[..<close.lowerBound]
                escaped = false
                rest = after[close.upperBound...]
            } else {
                guard let close = after.range(of: "}}") else { return nil }
                var inner = after[..<close.lowerBound].drop(while: { $0 == " " })
                if inner.first == "&" {
                    inner = inner.dropFirst()
                    escaped = false
                }
                name = inner
                rest = after[close.upperBound...]
            }
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed != ".",
                trimmed.allSatisfy({ !$0.isWhitespace && !"#^/>!=$<%&(){}".contains($0) })
            else { return nil }
            parts.append(.variable(path: trimmed.split(separator: ".").map(String.init), escaped: escaped))
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return parts
    }

    /// `nil` when a variable holds a list or an object: swift-mustache decides how those render.
    private static func render(_ parts: [Part], _ context: TemplateContext) -> String? {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text):
                out += text
            case .variable(let path, let escaped):
                // `to` is always the recipient's address, as in the swift-mustache context.
                var value: JSONValue? = path[0] == "to" ? .string(context.to) : context.variables[path[0]]
                for key in path.dropFirst() { value = value?.objectValue?[key] }
                let text: String
                switch value {
                case nil, .null?: text = ""
                case .string(let s)?: text = s
                case .int(let i)?: text = String(i)
                case .double(let d)?: text = "\(d)"
                case .bool(let b)?: text = b ? "true" : "false"
                case .array?, .object?: return nil
                }
                out += escaped ? htmlEscape(text) : text
            }
        }
        return out
    }

    /// The same five characters swift-mustache escapes.
    private static func htmlEscape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for c in text.unicodeScalars {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// The values a recipient's templates see: its `variables` plus `to`.
public struct TemplateContext {
    let to: String
    let variables: [String: JSONValue]

    public init(to: String, variables: [String: JSONValue]) {
        self.to = to
        self.variables = variables
    }

    /// The context as plain Swift values for swift-mustache (dictionaries are Mustache parents).
    var root: [String: Any] {
        var root = variables.compactMapValues(Self.native)
        root["to"] = to
        return root
    }

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
