import Mustache

/// Checks that template strings are within `TemplateLimits` and parse, so a broken `{{` or a
/// 10,000-deep nest is refused when the batch is created rather than met recipient by recipient.
public enum TemplateCheck {
    /// What is wrong with `text` as a template, or `nil` when it is a valid one.
    public static func problem(in text: String, limits: TemplateLimits = .standard) -> String? {
        do {
            _ = try TemplateShape.scan(text, limits: limits)
        } catch {
            return error.message
        }
        guard text.contains("{{") else { return nil }
        do {
            _ = try MustacheTemplate(string: text)
            return nil
        } catch {
            return "is not a valid template: \(error)"
        }
    }
}
