import BatchSenderCore

/// One recipient's message, rendered from the batch payload and ready for a provider.
public enum RenderedMessage: Hashable, Sendable {
    case email(EmailMessage)
    case sms(SMSMessage)
    case webhook(WebhookMessage)
    case crm(CRMRecord)
}

extension RenderedMessage {
    /// The segment count of an SMS; `nil` for other modules.
    public var smsSegments: SMSSegments? {
        if case .sms(let sms) = self { return SMSSegments(sms.message) }
        return nil
    }
}

public struct EmailMessage: Hashable, Sendable {
    public var to: String
    public var from: String
    public var fromName: String?
    public var replyTo: String?
    public var subject: String
    public var html: String?
    public var text: String?
    public var headers: [String: String]

    public init(
        to: String, from: String, fromName: String? = nil, replyTo: String? = nil, subject: String, html: String? = nil,
        text: String? = nil, headers: [String: String] = [:]
    ) {
        self.to = to
        self.from = from
        self.fromName = fromName
        self.replyTo = replyTo
        self.subject = subject
        self.html = html
        self.text = text
        self.headers = headers
    }
}

public struct SMSMessage: Hashable, Sendable {
    public var to: String
    public var from: String
    public var message: String

    public init(to: String, from: String, message: String) {
        self.to = to
        self.from = from
        self.message = message
    }
}

public struct WebhookMessage: Hashable, Sendable {
    public var url: String
    public var method: String
    public var headers: [String: String]
    /// The JSON body with every string rendered; serialized as JSON when sent, so any value a
    /// variable holds stays inside its JSON string.
    public var body: JSONValue?
    public var timeoutMs: Int?

    public init(url: String, method: String = "POST", headers: [String: String] = [:], body: JSONValue? = nil, timeoutMs: Int? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeoutMs = timeoutMs
    }
}

public struct CRMRecord: Hashable, Sendable {
    public var key: String
    public var object: String
    public var operation: CRMOperation
    public var externalIdField: String?
    public var fields: [String: JSONValue]

    public init(key: String, object: String, operation: CRMOperation, externalIdField: String? = nil, fields: [String: JSONValue]) {
        self.key = key
        self.object = object
        self.operation = operation
        self.externalIdField = externalIdField
        self.fields = fields
    }
}
