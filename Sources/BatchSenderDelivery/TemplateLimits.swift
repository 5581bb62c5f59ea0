/// How big and how deep a template may be, and how much work one recipient's render may do.
///
/// swift-mustache parses and renders sections by recursion with no limit (10,000 nested
/// `{{#a}}` crashed the process) and a section over an array renders its body once per item, so
/// nested sections over arrays cost `n^depth`. These limits are checked on the template text
/// before swift-mustache sees it (`TemplateShape`) and enforced while rendering (`RenderBudget`).
public struct TemplateLimits: Hashable, Sendable {
    /// Largest template text with tags in bytes (Gmail clips HTML emails beyond 102 KB); text
    /// without tags is not a template and has no limit here.
    public var maxTemplateBytes: Int
    /// Deepest nesting of sections (`{{#…}}`, `{{^…}}`).
    public var maxDepth: Int
    /// Longest tag between `{{` and `}}` (comments aside): names are looked up one dotted part at
    /// a time, recursively.
    public var maxTagBytes: Int
    /// Most section iterations (array items rendered) in one recipient's message, all fields together.
    public var maxIterations: Int
    /// Most output bytes of one recipient's message, all fields together.
    public var maxOutputBytes: Int

    public init(
        maxTemplateBytes: Int = 256 << 10, maxDepth: Int = 16, maxTagBytes: Int = 256,
        maxIterations: Int = 10_000, maxOutputBytes: Int = 4 << 20
    ) {
        self.maxTemplateBytes = maxTemplateBytes
        self.maxDepth = maxDepth
        self.maxTagBytes = maxTagBytes
        self.maxIterations = maxIterations
        self.maxOutputBytes = maxOutputBytes
    }

    /// The limits of every batch.
    public static let standard = TemplateLimits()
}

/// A template refused by `TemplateLimits`, or a render that ran out of its budget.
public struct TemplateLimitError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
