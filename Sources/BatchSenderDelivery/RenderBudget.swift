import BatchSenderCore
import Mustache

/// The work one recipient's message may still do while rendering; shared by all its fields.
///
/// The bound: every array item a section renders costs one iteration plus the bytes of the
/// largest body of the sections that look that list up by its name (the most literal text one
/// iteration can add; the template's largest section body when the list is reached some other
/// way, such as `{{#.}}` over a list of lists); every string,
/// list or object a tag prints costs its length (an upper bound of it for lists and objects,
/// charged before they are written). Numbers and booleans are not charged: a tag prints at most
/// 24 bytes for a 5-byte `{{n}}`, so they add at most a small multiple of the literal text. A
/// render therefore produces about `maxOutputBytes` and performs at most `maxIterations` section
/// iterations however the variables nest — a few milliseconds of CPU, so it is safe to run on the
/// cooperative pool. Once either is spent, sections stop iterating and values print as nothing,
/// and `exceeded` tells the caller to refuse the message rather than send it cut short.
final class RenderBudget {
    private(set) var iterations: Int
    private(set) var bytes: Int
    /// The template being rendered: its section bodies by lookup name, and its largest.
    var sectionBytes: [String: Int] = [:]
    var largestSectionBytes = 0
    private(set) var exceeded = false

    init(_ limits: TemplateLimits) {
        iterations = limits.maxIterations
        bytes = limits.maxOutputBytes
    }

    /// The literal bytes one iteration over a list looked up as `name` can add.
    func iterationBytes(section name: String?) -> Int {
        name.flatMap { sectionBytes[$0] } ?? largestSectionBytes
    }

    /// Charges one section iteration of `bodyBytes`; `false` once the budget is spent.
    func iterate(bodyBytes: Int) -> Bool {
        guard !exceeded else { return false }
        iterations -= 1
        bytes -= bodyBytes
        if iterations < 0 || bytes < 0 { exceeded = true }
        return !exceeded
    }

    /// Charges `count` output bytes; `false` (print nothing) once the budget is spent.
    func spend(_ count: Int) -> Bool {
        guard !exceeded else { return false }
        bytes -= count
        if bytes < 0 { exceeded = true }
        return !exceeded
    }
}

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
