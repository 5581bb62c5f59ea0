import BatchSenderCore

/// One recipient's message, rendered from the batch payload and ready for a provider.
public enum RenderedMessage: Hashable, Sendable {
    case email(EmailMessage)
    case sms(SMSMessage)
    case webhook(WebhookMessage)
    case crm(CRMRecord)
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
}

public struct SMSMessage: Hashable, Sendable {
    public var to: String
    public var from: String
    public var message: String
}

public struct WebhookMessage: Hashable, Sendable {
    public var url: String
    public var method: String
    public var headers: [String: String]
    /// The JSON body with every string rendered; serialized as JSON when sent, so any value a
    /// variable holds stays inside its JSON string.
    public var body: JSONValue?
    public var timeoutMs: Int?
}

public struct CRMRecord: Hashable, Sendable {
    public var key: String
    public var object: String
    public var operation: CRMOperation
    public var externalIdField: String?
    public var fields: [String: JSONValue]
}
