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
    private let shape: TemplateShape

    /// Throws `TemplateLimitError` for a template over `limits` (checked before swift-mustache
    /// parses it), or swift-mustache's error for one that does not parse.
    public init(_ text: String, escaping: Escaping, limits: TemplateLimits = .standard) throws {
        literal = text
        shape = try TemplateShape.scan(text, limits: limits)
        // Text without tags needs no template machinery (the common case for `from`, URLs, …).
        guard text.contains("{{") else {
            compiled = nil
            return
        }
        let source = escaping == .none ? "{{% CONTENT_TYPE: TEXT}}" + text : text
        compiled = try MustacheTemplate(string: source)
    }

    /// The text for `context`; its work is charged to the context's budget (cut short, and the
    /// budget marked exceeded, when it runs out).
    public func render(_ context: TemplateContext) -> String {
        guard let compiled else { return literal }
        context.budget.sectionBytes = shape.sectionBytes
        context.budget.largestSectionBytes = shape.largestSectionBytes
        guard context.budget.spend(literal.utf8.count) else { return "" }
        return compiled.render(context.root)
    }
}

/// The values a recipient's templates see: its `variables` plus `to`, and the budget of work its
/// render may do (`RenderBudget`).
public struct TemplateContext {
    let root: BudgetedObject
    let budget: RenderBudget

    public init(to: String, variables: [String: JSONValue], limits: TemplateLimits = .standard) {
        let budget = RenderBudget(limits)
        var members = variables.compactMapValues { Self.native($0, budget) }
        members["to"] = BudgetedText(to, budget: budget)
        root = BudgetedObject(members: members, json: .object(variables), budget: budget)
        self.budget = budget
    }

    /// Whether some render ran out of budget: its output was cut short and must not be sent.
    public var exceeded: Bool { budget.exceeded }

    /// JSON as the values Mustache understands: strings, lists and objects wrapped so that their
    /// printing and iteration are charged to the budget.
    static func native(_ value: JSONValue, _ budget: RenderBudget) -> Any? {
        switch value {
        case .null: nil
        case .bool(let b): b
        case .int(let i): i
        case .double(let d): d
        case .string(let s): BudgetedText(s, budget: budget)
        case .array(let a): BudgetedList(items: a.compactMap { native($0, budget) }, json: value, budget: budget)
        case .object(let o): BudgetedObject(members: o.compactMapValues { native($0, budget) }, json: value, budget: budget)
        }
    }
}
