import BatchSenderCore
import Mustache

// The JSON values templates see, wrapped so that printing and iterating them is charged to the
// recipient's `RenderBudget`.

/// A string variable whose every printing is charged to the render budget.
final class BudgetedText: MustacheCustomRenderable, MustacheParent, MustacheTransformable {
    let text: String
    let budget: RenderBudget

    init(_ text: String, budget: RenderBudget) {
        self.text = text
        self.budget = budget
    }

    var renderText: String { budget.spend(text.utf8.count) ? text : "" }
    var isNull: Bool { false }
    func child(named: String) -> Any? { nil }

    /// swift-mustache's string transforms (`uppercased(x)`, …), their results charged too.
    func transform(_ name: String) -> Any? {
        switch text.transform(name) {
        case let string as String: BudgetedText(string, budget: budget)
        case let substring as Substring: BudgetedText(String(substring), budget: budget)
        case let other: other
        }
    }
}

/// A JSON array as a Mustache section: each item rendered is charged to the budget; printed as a
/// variable it is its JSON text.
final class BudgetedList: MustacheSequence, MustacheCustomRenderable, MustacheParent, MustacheTransformable {
    let items: [Any]
    let json: JSONValue
    let budget: RenderBudget
    /// The name this list was just looked up by: swift-mustache looks a section's value up,
    /// then iterates it at once, so the iterator knows which section bodies it renders.
    var lookedUpAs: String?

    init(items: [Any], json: JSONValue, budget: RenderBudget, lookedUpAs: String? = nil) {
        self.items = items
        self.json = json
        self.budget = budget
        self.lookedUpAs = lookedUpAs
    }

    struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Any]>
        let budget: RenderBudget
        let bodyBytes: Int
        mutating func next() -> Any? {
            guard let item = base.next(), budget.iterate(bodyBytes: bodyBytes) else { return nil }
            return item
        }
    }

    func makeIterator() -> Iterator {
        defer { lookedUpAs = nil }
        return Iterator(base: items.makeIterator(), budget: budget, bodyBytes: budget.iterationBytes(section: lookedUpAs))
    }

    var renderText: String { JSONCost.print(json, budget) }
    var isNull: Bool { false }
    func child(named: String) -> Any? { nil }

    /// `first`, `last`, `count`, `empty`, and `reversed` (a budgeted list again).
    func transform(_ name: String) -> Any? {
        switch name {
        case "first": items.first
        case "last": items.last
        case "count": items.count
        case "empty": items.isEmpty
        case "reversed":
            BudgetedList(
                items: items.reversed(), json: .array((json.arrayValue ?? []).reversed()), budget: budget,
                lookedUpAs: lookedUpAs)
        default: nil
        }
    }
}

/// A JSON object: its members for lookups, its JSON text when printed.
final class BudgetedObject: MustacheParent, MustacheCustomRenderable {
    let members: [String: Any]
    let json: JSONValue
    let budget: RenderBudget

    init(members: [String: Any], json: JSONValue, budget: RenderBudget) {
        self.members = members
        self.json = json
        self.budget = budget
    }

    func child(named: String) -> Any? {
        let child = members[named]
        (child as? BudgetedList)?.lookedUpAs = named
        return child
    }

    var renderText: String { JSONCost.print(json, budget) }
    var isNull: Bool { false }
}

/// Charges a list or object's printing before writing it.
enum JSONCost {
    static func print(_ value: JSONValue, _ budget: RenderBudget) -> String {
        guard !budget.exceeded, budget.spend(upperBound(value)) else { return "" }
        return value.jsonText()
    }

    /// An upper bound of the JSON text's length, in one pass and without writing it (a string's
    /// bytes can grow sixfold as `\u00XX` escapes).
    static func upperBound(_ value: JSONValue) -> Int {
        switch value {
        case .null, .bool: 5
        case .int, .double: 32
        case .string(let s): 6 * s.utf8.count + 2
        case .array(let items): items.reduce(2) { $0 + upperBound($1) + 1 }
        case .object(let members): members.reduce(2) { $0 + 6 * $1.key.utf8.count + 4 + upperBound($1.value) }
        }
    }
}
