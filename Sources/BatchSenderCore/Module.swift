/// The kind of message a send config delivers; decides how `to` and `payload` are validated.
public enum Module: String, CaseIterable, Codable, Sendable {
    case email, sms, webhook, crm

    /// The providers that can deliver this module (CONTRACT §3).
    public var providers: [Provider] {
        switch self {
        case .email: [.sandbox, .resend, .ses, .smtp]
        case .sms: [.sandbox, .twilio, .vonage, .telnyx]
        case .webhook: [.http]
        case .crm: [.hubspot, .salesforce, .pipedrive]
        }
    }
}

/// A delivery provider: the system a send config talks to.
public enum Provider: String, CaseIterable, Codable, Sendable {
    case sandbox, resend, ses, smtp, twilio, vonage, telnyx, http, hubspot, salesforce, pipedrive
}
