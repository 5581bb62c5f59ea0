/// The work one recipient's message may still do while rendering; shared by all its fields.
///
/// The bound: every array item a section renders costs one iteration plus the bytes of the
/// largest body of the sections that look that list up by its name (the most literal text one
/// iteration can add; the template's largest section body when the list is reached some other
/// way, such as `{{#.}}` over a list of lists); every string, list or object a tag prints costs
/// its length (an upper bound of it for lists and objects, charged before they are written).
/// Numbers and booleans are not charged: a tag prints at most 24 bytes for a 5-byte `{{n}}`, so
/// they add at most a small multiple of the literal text. A render therefore produces about
/// `maxOutputBytes` (4 MiB) and performs at most `maxIterations` (10,000) section iterations
/// however the variables nest — milliseconds of CPU, so it may run on the cooperative pool. Once either is spent, sections stop iterating and values print as nothing,
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
