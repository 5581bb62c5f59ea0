import Foundation
import BatchSenderCore

/// `/docs`: `APIReference` as one self-contained HTML page (CONTRACT §12: no external assets; the
/// style is inline and the page needs no script). Rendered once, like the document beside it.
enum ReferencePage {
    static let html: String = render()

    static func render() -> String {
        let operations = APIReference.operations
        var out = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(APIReference.title)) reference</title>
            <style>\(style)</style>
            </head>
            <body>
            <nav aria-label="Operations">
            <p class="brand"><a href="#top">\(HTML.escape(APIReference.title))</a></p>
            """
        for tag in APIReference.tags {
            let members = operations.filter { $0.tag == tag.name }
            guard !members.isEmpty else { continue }
            out += "<h2>\(HTML.escape(tag.name))</h2><ul>"
            for operation in members {
                out += "<li><a href=\"#\(anchor(operation))\">\(methodBadge(operation.method))\(HTML.escape(operation.summary))</a></li>"
            }
            out += "</ul>"
        }
        out += "<h2>Reference</h2><ul><li><a href=\"#errors\">Errors</a></li><li><a href=\"#schemas\">Schemas</a></li>"
            + "<li><a href=\"/openapi.json\">openapi.json</a></li></ul></nav>\n<main id=\"top\">\n"
        out += "<header><h1>\(HTML.escape(APIReference.title))</h1><p class=\"muted\">Version \(APIReference.version) · "
            + "OpenAPI 3.1 document at <a href=\"/openapi.json\"><code>/openapi.json</code></a></p>"
            + HTML.paragraphs(APIReference.introduction) + "</header>\n"
        for tag in APIReference.tags {
            let members = operations.filter { $0.tag == tag.name }
            guard !members.isEmpty else { continue }
            out += "<section class=\"tag\"><h2>\(HTML.escape(tag.name))</h2>\(HTML.paragraphs(tag.description))"
            for operation in members { out += section(operation) }
            out += "</section>\n"
        }
        out += errorsSection + schemasSection
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    static func anchor(_ operation: APIOperation) -> String { "op-\(operation.operationID)" }

    static func methodBadge(_ method: String) -> String {
        "<span class=\"method \(method.lowercased())\">\(method)</span>"
    }

    // MARK: Operations

    static func section(_ operation: APIOperation) -> String {
        var out = "<article class=\"operation\" id=\"\(anchor(operation))\">"
        out += "<h3>\(methodBadge(operation.method))<code class=\"path\">\(HTML.escape(operation.path))</code></h3>"
        out += "<p class=\"summary\">\(HTML.escape(operation.summary))</p>"
        out += "<p class=\"access\">\(access(operation))</p>"
        if !operation.description.isEmpty { out += HTML.paragraphs(operation.description) }
        if !operation.parameters.isEmpty {
            out += "<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>"
            for parameter in operation.parameters {
                out += "<tr><td><code>\(HTML.escape(parameter.name))</code>\(parameter.required ? " <span class=\"req\">required</span>" : "")</td>"
                    + "<td>\(parameter.location.rawValue)</td><td>\(typeLabel(parameter.schema))</td>"
                    + "<td>\(HTML.inline(parameter.description))</td></tr>"
            }
            out += "</tbody></table>"
        }
        if let body = operation.body {
            out += "<h4>Request body\(body.required ? "" : " <span class=\"muted\">(optional)</span>")</h4>"
            if !body.description.isEmpty { out += HTML.paragraphs(body.description) }
            out += "<ul class=\"media\">"
            for (type, schema) in body.content {
                out += "<li><code>\(HTML.escape(type))</code>: \(typeLabel(schema))</li>"
            }
            out += "</ul>"
            // The fields of a JSON body right here; the schema's own section has the same table.
            if let name = body.content.lazy.compactMap({ $0.schema.referencedName }).first,
               let schema = APIReference.schemas.first(where: { $0.name == name })?.schema, case .object(let fields, _) = schema.kind,
               !fields.isEmpty {
                out += fieldsTable(schema)
            }
            let example = body.example ?? body.content.lazy.compactMap { $0.schema.referencedName.flatMap(schemaExample) }.first
                ?? body.content.lazy.compactMap(\.schema.example).first
            if let example { out += exampleBlock(example) }
        }
        out += "<h4>Responses</h4><table><thead><tr><th>Status</th><th>Description</th><th>Body</th></tr></thead><tbody>"
        for response in operation.responses {
            let body = response.schema.map { "<code>\(HTML.escape(response.mediaType ?? ""))</code> \(typeLabel($0))" } ?? "—"
            out += "<tr><td><span class=\"status ok\">\(response.status)</span></td><td>\(HTML.inline(response.description))</td><td>\(body)</td></tr>"
        }
        out += "</tbody></table>"
        // Errors share their meaning across operations: one line here, explained once in Errors.
        let documented = Set(operation.responses.map(\.status))
        let problems = operation.problemStatuses.filter { !documented.contains($0) }
        if !problems.isEmpty {
            out += "<p class=\"errors\">Errors (<a href=\"#schema-Problem\">Problem</a>): "
                + problems.map { "<a class=\"status problem\" href=\"#error-\($0)\">\($0)</a>" }.joined(separator: " ") + "</p>"
        }
        if let example = operation.responses.lazy.compactMap({ $0.example ?? $0.schema?.referencedName.flatMap(schemaExample) }).first {
            out += "<details><summary>Example response</summary>\(exampleBlock(example))</details>"
        }
        return out + "</article>\n"
    }

    static func access(_ operation: APIOperation) -> String {
        var parts: [String] = []
        switch operation.access {
        case .apiKey(let scope): parts.append("API key with scope <code>\(scope.rawValue)</code> (or broader)")
        case .open: parts.append("No API key")
        case .metricsToken: parts.append("No API key; the metrics token when one is set")
        case .providerSignature: parts.append("No API key: the provider's signature")
        }
        if operation.idempotent { parts.append("honours <code>Idempotency-Key</code>") }
        if operation.isRateLimited { parts.append("rate limited") }
        return parts.joined(separator: " · ")
    }

    static func schemaExample(_ name: String) -> JSONValue? {
        APIReference.schemas.first { $0.name == name }?.schema.example
    }

    static func exampleBlock(_ value: JSONValue) -> String {
        let text = value.stringValue ?? PrettyJSON.text(value)
        return "<pre><code>\(HTML.escape(text))</code></pre>"
    }

    // MARK: Errors and schemas

    static var errorsSection: String {
        var out = "<section class=\"tag\" id=\"errors\"><h2>Errors</h2>"
            + HTML.paragraphs("Every error is a `Problem` (`application/problem+json`, RFC 9457). Its `detail` says what went wrong; validation errors list each issue in `errors`.")
            + "<table><thead><tr><th>Status</th><th>Meaning</th></tr></thead><tbody>"
        for problem in ProblemResponse.all {
            out += "<tr id=\"error-\(problem.status)\"><td><span class=\"status problem\">\(problem.status)</span></td><td>\(HTML.inline(problem.description))"
            if !problem.headers.isEmpty { out += " Header: " + problem.headers.map { "<code>\($0)</code>" }.joined(separator: ", ") + "." }
            out += "</td></tr>"
        }
        return out + "</tbody></table></section>\n"
    }

    static var schemasSection: String {
        var out = "<section class=\"tag\" id=\"schemas\"><h2>Schemas</h2>"
        for (name, schema) in APIReference.schemas {
            out += "<article class=\"schema\" id=\"schema-\(name)\"><h3>\(HTML.escape(name))</h3>"
            if let description = schema.description { out += HTML.paragraphs(description) }
            if case .object = schema.kind {
                out += fieldsTable(schema)
            } else {
                out += "<p>\(typeLabel(schema))</p>"
            }
            if let example = schema.example { out += "<details><summary>Example</summary>\(exampleBlock(example))</details>" }
            out += "</article>\n"
        }
        return out + "</section>\n"
    }

    static func fieldsTable(_ schema: APISchema) -> String {
        "<table><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>"
            + rows(schema, prefix: "") + "</tbody></table>"
    }

    /// One row per property; properties of inline objects follow as `parent.child`.
    static func rows(_ schema: APISchema, prefix: String) -> String {
        guard case .object(let properties, _) = schema.kind else { return "" }
        var out = ""
        for property in properties {
            let name = prefix + property.name
            out += "<tr><td><code>\(HTML.escape(name))</code>\(property.required ? " <span class=\"req\">required</span>" : "")</td>"
                + "<td>\(typeLabel(property.schema))</td><td>\(HTML.inline(property.schema.description ?? ""))</td></tr>"
            if case .object(let nested, _) = property.schema.kind, !nested.isEmpty {
                out += rows(property.schema, prefix: name + ".")
            }
        }
        return out
    }

    /// A short, linked description of a schema's type: `array of Recipient`, `integer 1–20`.
    static func typeLabel(_ schema: APISchema) -> String {
        let base: String
        switch schema.kind {
        case .ref(let name):
            base = "<a href=\"#schema-\(name)\">\(HTML.escape(name))</a>"
        case .string(let format, let values, let minLength, let maxLength):
            if let values {
                base = "one of " + values.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")
            } else {
                var text = "string"
                if let format { text += " (\(format))" }
                if let maxLength { text += ", \(minLength ?? 0)–\(maxLength) characters" }
                base = text
            }
        case .integer(let minimum, let maximum):
            base = "integer" + range(minimum.map(String.init), maximum.map(String.init))
        case .number(let minimum, let maximum):
            base = "number" + range(minimum.map { $0.formatted() }, maximum.map { $0.formatted() })
        case .boolean:
            base = "boolean"
        case .array(let items, _, let maxItems):
            base = "array of \(typeLabel(items))" + (maxItems.map { " (at most \($0))" } ?? "")
        case .object(let properties, _):
            base = properties.isEmpty ? "object" : "object (fields below)"
        case .map(let values):
            base = "object of \(typeLabel(values))"
        case .any:
            base = "any JSON"
        case .anyOf(let shapes):
            base = shapes.map(typeLabel).joined(separator: " or ")
        case .never:
            base = "nothing"
        }
        return schema.nullable ? base + " or null" : base
    }

    static func range(_ lower: String?, _ upper: String?) -> String {
        switch (lower, upper) {
        case let (lower?, upper?): " \(lower)–\(upper)"
        case let (lower?, nil): " ≥ \(lower)"
        case let (nil, upper?): " ≤ \(upper)"
        case (nil, nil): ""
        }
    }
}
