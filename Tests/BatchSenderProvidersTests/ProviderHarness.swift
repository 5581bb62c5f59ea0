import BatchSenderCore
import BatchSenderDelivery
import BatchSenderEvents
import BatchSenderTestServers
import Foundation

@testable import BatchSenderProviders

/// Builders for API-provider tests (Resend, SES, Twilio, Vonage, Telnyx).
enum Provide {
    /// A configuration of `provider` with the given credentials and settings.
    static func configuration(
        _ provider: Provider, credentials: [String: String], settings: [String: JSONValue] = [:]
    ) -> ProviderConfiguration {
        var config = Make.fixtures.sendConfig(in: Make.fixtures.id(), module: provider.module, name: provider.rawValue)
        config.provider = provider
        config.settings = settings
        return ProviderConfiguration(sendConfig: config, credentials: credentials, blockPrivateNetworks: false)
    }

    /// The message a batch with `payload` renders for recipient `row`, as the engine builds it.
    static func message(
        _ module: Module, payload: JSONValue, to: String, variables: [String: JSONValue] = [:], row: Int = 1
    ) throws -> OutboundMessage {
        let templates = try PayloadTemplates(module: module, payload: payload)
        let recipient = Recipient.ID(rawValue: "rcp_\(row)")
        return OutboundMessage(
            recipientID: recipient, batchID: Make.batchID,
            idempotencyKey: OutboundMessage.idempotencyKey(batch: Make.batchID, recipient: recipient), attempt: 1,
            message: templates.message(to: to, variables: variables))
    }

    /// `count` emails to `user<row>@example.com`.
    static func emails(_ count: Int, payload: JSONValue? = nil) throws -> [OutboundMessage] {
        let payload = payload ?? [
            "from": "news@example.com", "fromName": "Example News", "subject": "Hi {{name}}",
            "html": "<p>Hello {{name}}</p>", "text": "Hello {{name}}",
        ]
        return try (1...count).map { row in
            try message(.email, payload: payload, to: "user\(row)@example.com", variables: ["name": .string("N\(row)")], row: row)
        }
    }

    /// An SMS to `to`.
    static func sms(_ text: String = "Hello {{name}}", to: String = "+14155550100", from: String = "+14155550199", row: Int = 1)
        throws -> OutboundMessage
    {
        try message(.sms, payload: ["from": .string(from), "message": .string(text)], to: to, variables: ["name": "Ann"], row: row)
    }
}

/// Form fields of a recorded `application/x-www-form-urlencoded` body, decoded (the events
/// endpoint's own decoder).
func formFields(_ body: String) -> [String: String] {
    Dictionary(FormDecoding.decode(body), uniquingKeysWith: { first, _ in first })
}

extension Provider {
    /// The module this provider belongs to (sandbox: email).
    var module: Module {
        switch self {
        case .sandbox, .resend, .ses, .smtp: .email
        case .twilio, .vonage, .telnyx: .sms
        case .http: .webhook
        case .hubspot, .salesforce, .pipedrive: .crm
        }
    }
}
