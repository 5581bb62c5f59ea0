import BatchSenderCore

/// A batch payload compiled once, rendered per recipient.
public struct PayloadTemplates: Sendable {
    private let render: @Sendable (_ to: String, _ variables: [String: JSONValue]) -> RenderedMessage

    /// Compiles `payload` for `module`; throws `TemplateError` naming the field that does not parse.
    /// `settings` are the send config's: an email payload without `unsubscribeUrl` takes theirs.
    public init(module: Module, payload: JSONValue, settings: [String: JSONValue] = [:]) throws {
        var fields = payload.objectValue ?? [:]
        if module == .email, fields["unsubscribeUrl"] == nil, let fallback = settings["unsubscribeUrl"] {
            fields["unsubscribeUrl"] = fallback
        }
        func compile(_ key: String, _ escaping: Template.Escaping = .none) throws -> Template? {
            guard let text = fields[key]?.stringValue else { return nil }
            do { return try Template(text, escaping: escaping) } catch { throw TemplateError(field: "payload.\(key)", error) }
        }
        func compileHeaders(_ key: String) throws -> [(String, Template)] {
            try (fields[key]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, value in
                guard let text = value.stringValue else { return nil }
                do { return (name, try Template(text, escaping: .none)) } catch {
                    throw TemplateError(field: "payload.\(key).\(name)", error)
                }
            }
        }
        switch module {
        case .email:
            let from = try compile("from"), fromName = try compile("fromName"), replyTo = try compile("replyTo")
            let subject = try compile("subject"), html = try compile("html", .html), text = try compile("text")
            let headers = try compileHeaders("headers"), unsubscribe = try compile("unsubscribeUrl")
            render = { to, variables in
                let context = TemplateContext(to: to, variables: variables)
                var rendered = Dictionary(headers.map { ($0.0, $0.1.render(context)) }, uniquingKeysWith: { $1 })
                if let unsubscribe {
                    rendered.merge(UnsubscribeLink.headers(for: unsubscribe.render(context))) { _, link in link }
                }
                return .email(EmailMessage(
                    to: to, from: from?.render(context) ?? "", fromName: fromName?.render(context),
                    replyTo: replyTo?.render(context), subject: subject?.render(context) ?? "",
                    html: html?.render(context), text: text?.render(context), headers: rendered))
            }
        case .sms:
            let from = try compile("from"), message = try compile("message")
            render = { to, variables in
                let context = TemplateContext(to: to, variables: variables)
                return .sms(SMSMessage(to: to, from: from?.render(context) ?? "", message: message?.render(context) ?? ""))
            }
        case .webhook:
            let url = try compile("url"), headers = try compileHeaders("headers")
            let method = (fields["method"]?.stringValue ?? "POST").uppercased()
            let body = try fields["body"].map { try BodyTemplate($0, path: "payload.body") }
            let timeoutMs = fields["timeoutMs"]?.numberValue.map { Int($0) }
            render = { to, variables in
                let context = TemplateContext(to: to, variables: variables)
                return .webhook(WebhookMessage(
                    url: url?.render(context) ?? to, method: method,
                    headers: Dictionary(headers.map { ($0.0, $0.1.render(context)) }, uniquingKeysWith: { $1 }),
                    body: body?.render(context), timeoutMs: timeoutMs))
            }
        case .crm:
            let object = fields["object"]?.stringValue ?? ""
            let operation = fields["operation"]?.stringValue.flatMap(CRMOperation.init(rawValue:)) ?? .upsert
            let externalIdField = fields["externalIdField"]?.stringValue
            render = { to, variables in
                .crm(CRMRecord(key: to, object: object, operation: operation, externalIdField: externalIdField, fields: variables))
            }
        }
    }

    /// The message for one recipient.
    public func message(to: String, variables: [String: JSONValue]) -> RenderedMessage {
        render(to, variables)
    }
}

/// A template in a payload that does not parse.
public struct TemplateError: Error, CustomStringConvertible {
    public var field: String
    public var message: String

    init(field: String, _ error: any Error) {
        self.field = field
        self.message = "\(error)"
    }

    public var description: String { "\(field) is not a valid template: \(message)" }
}

/// A webhook body: any JSON value whose strings are templates.
struct BodyTemplate: Sendable {
    private indirect enum Node: Sendable {
        case literal(JSONValue)
        case string(Template)
        case array([Node])
        case object([(String, Node)])
    }

    private let root: Node

    init(_ value: JSONValue, path: String) throws {
        root = try Self.compile(value, path: path)
    }

    private static func compile(_ value: JSONValue, path: String) throws -> Node {
        switch value {
        case .string(let text):
            do { return .string(try Template(text, escaping: .none)) } catch { throw TemplateError(field: path, error) }
        case .array(let items):
            return .array(try items.enumerated().map { try compile($1, path: "\(path)[\($0)]") })
        case .object(let members):
            return .object(try members.map { ($0, try compile($1, path: "\(path).\($0)")) })
        default:
            return .literal(value)
        }
    }

    func render(_ context: TemplateContext) -> JSONValue { Self.render(root, context) }

    private static func render(_ node: Node, _ context: TemplateContext) -> JSONValue {
        switch node {
        case .literal(let value): value
        case .string(let template): .string(template.render(context))
        case .array(let items): .array(items.map { render($0, context) })
        case .object(let members): .object(Dictionary(members.map { ($0, render($1, context)) }, uniquingKeysWith: { $1 }))
        }
    }
}
