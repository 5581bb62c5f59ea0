import BatchSenderCore

/// A batch payload compiled once, rendered per recipient.
public struct PayloadTemplates: Sendable {
    /// One recipient's message, and whether its render ran out of budget.
    private let render: @Sendable (_ to: String, _ variables: [String: JSONValue]) -> (RenderedMessage, exceeded: Bool)
    private let limits: TemplateLimits

    /// Compiles `payload` for `module`; throws `TemplateError` naming the field that does not parse
    /// or breaks `limits`. `settings` are the send config's: an email payload without
    /// `unsubscribeUrl` takes theirs.
    public init(
        module: Module, payload: JSONValue, settings: [String: JSONValue] = [:], limits: TemplateLimits = .standard
    ) throws {
        self.limits = limits
        var fields = payload.objectValue ?? [:]
        if module == .email, fields["unsubscribeUrl"] == nil, let fallback = settings["unsubscribeUrl"] {
            fields["unsubscribeUrl"] = fallback
        }
        func compile(_ key: String, _ escaping: Template.Escaping = .none) throws -> Template? {
            guard let text = fields[key]?.stringValue else { return nil }
            do { return try Template(text, escaping: escaping, limits: limits) } catch {
                throw TemplateError(field: "payload.\(key)", error)
            }
        }
        func compileHeaders(_ key: String) throws -> [(String, Template)] {
            try (fields[key]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, value in
                guard let text = value.stringValue else { return nil }
                do { return (name, try Template(text, escaping: .none, limits: limits)) } catch {
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
                let context = TemplateContext(to: to, variables: variables, limits: limits)
                var rendered = Dictionary(headers.map { ($0.0, $0.1.render(context)) }, uniquingKeysWith: { $1 })
                if let unsubscribe {
                    rendered.merge(UnsubscribeLink.headers(for: unsubscribe.render(context))) { _, link in link }
                }
                let email = EmailMessage(
                    to: to, from: from?.render(context) ?? "", fromName: fromName?.render(context),
                    replyTo: replyTo?.render(context), subject: subject?.render(context) ?? "",
                    html: html?.render(context), text: text?.render(context), headers: rendered)
                return (.email(email), context.exceeded)
            }
        case .sms:
            let from = try compile("from"), message = try compile("message")
            render = { to, variables in
                let context = TemplateContext(to: to, variables: variables, limits: limits)
                let sms = SMSMessage(to: to, from: from?.render(context) ?? "", message: message?.render(context) ?? "")
                return (.sms(sms), context.exceeded)
            }
        case .webhook:
            let url = try compile("url"), headers = try compileHeaders("headers")
            let method = (fields["method"]?.stringValue ?? "POST").uppercased()
            let body = try fields["body"].map { try BodyTemplate($0, path: "payload.body", limits: limits) }
            let timeoutMs = fields["timeoutMs"]?.intValue
            render = { to, variables in
                let context = TemplateContext(to: to, variables: variables, limits: limits)
                let hook = WebhookMessage(
                    url: url?.render(context) ?? to, method: method,
                    headers: Dictionary(headers.map { ($0.0, $0.1.render(context)) }, uniquingKeysWith: { $1 }),
                    body: body?.render(context), timeoutMs: timeoutMs)
                return (.webhook(hook), context.exceeded)
            }
        case .crm:
            let object = fields["object"]?.stringValue ?? ""
            let operation = fields["operation"]?.stringValue.flatMap(CRMOperation.init(rawValue:)) ?? .upsert
            let externalIdField = fields["externalIdField"]?.stringValue
            render = { to, variables in
                let record = CRMRecord(
                    key: to, object: object, operation: operation, externalIdField: externalIdField, fields: variables)
                return (.crm(record), false)
            }
        }
    }

    /// The message for one recipient; throws when rendering it needs more work or output than
    /// `TemplateLimits` allows (sections over large arrays nested deep), so it is refused rather
    /// than sent cut short.
    public func render(to: String, variables: [String: JSONValue]) throws(TemplateLimitError) -> RenderedMessage {
        let (message, exceeded) = render(to, variables)
        guard !exceeded else {
            throw TemplateLimitError(
                "rendering this recipient's message needs more than \(limits.maxIterations) section iterations "
                    + "or \(limits.maxOutputBytes) bytes")
        }
        return message
    }

    /// The message for one recipient. Its work is bounded the same way, but over the limits its
    /// fields are cut short (sections stop, values print empty): prefer `render(to:variables:)`.
    public func message(to: String, variables: [String: JSONValue]) -> RenderedMessage {
        render(to, variables).0
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

    init(_ value: JSONValue, path: String, limits: TemplateLimits) throws {
        root = try Self.compile(value, path: path, limits: limits)
    }

    private static func compile(_ value: JSONValue, path: String, limits: TemplateLimits) throws -> Node {
        switch value {
        case .string(let text):
            do { return .string(try Template(text, escaping: .none, limits: limits)) } catch {
                throw TemplateError(field: path, error)
            }
        case .array(let items):
            return .array(try items.enumerated().map { try compile($1, path: "\(path)[\($0)]", limits: limits) })
        case .object(let members):
            return .object(try members.map { ($0, try compile($1, path: "\(path).\($0)", limits: limits)) })
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
