import Mustache

/// Checks that template strings parse, so a broken `{{` is refused when the batch is created
/// rather than discovered recipient by recipient.
public enum TemplateCheck {
    /// The parser's complaint, or `nil` when `text` is a valid Mustache template.
    public static func problem(in text: String) -> String? {
        guard text.contains("{{") else { return nil }
        do {
            _ = try MustacheTemplate(string: text)
            return nil
        } catch {
            return "is not a valid template: \(error)"
        }
    }
}
