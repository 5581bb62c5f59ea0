import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging

/// The `telnyx` SMS provider: Messaging API v2 `POST /v2/messages`, one call per message
/// (CONTRACT §3, issue #4).
///
/// Source: https://developers.telnyx.com/api-reference/messages/send-a-message and
/// team-telnyx/telnyx-python `types/message_send_params.py` — JSON `from`, `to`, `text`,
/// `messaging_profile_id`, `webhook_url`; Bearer API key; `{"data": {"id": …}}` on success and
/// `{"errors": [{"code", "title", "detail"}]}` on failure.
public struct TelnyxProvider: PerMessageAPI {
    static let defaultBaseURL = "https://api.telnyx.com"

    let http: ProviderHTTP
    let endpoint: String
    let apiKey: String
    let messagingProfileID: String?
    let webhookURL: String?
    let now: @Sendable () -> Date

    /// - Parameter configuration: `credentials.apiKey`; `settings.baseUrl`,
    ///   `settings.messagingProfileId`; with a public URL, delivery reports come to our events
    ///   endpoint (`webhook_url`).
    public init(
        configuration: ProviderConfiguration, client: HTTPClient,
        logger: Logger = Logger(label: "batchsender.telnyx"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        http = ProviderHTTP(client: client, logger: logger, policy: configuration.networkPolicy)
        endpoint = ProviderHTTP.endpoint(configuration.settings, default: Self.defaultBaseURL, path: "/v2/messages")
        apiKey = configuration.credentials["apiKey"] ?? ""
        messagingProfileID = configuration.settings["messagingProfileId"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        webhookURL = configuration.eventsURL(for: "telnyx")
        self.now = now
    }

    public var maxBatchSize: Int { 1 }
    public func destination(of message: OutboundMessage) -> String { apiHost }
    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] { await sendEach(messages) }

    func request(for message: OutboundMessage) -> Result<APIRequest, RequestRefusal> {
        guard case .sms(let sms) = message.message else { return .failure(RequestRefusal(reason: "the telnyx provider sends SMS messages only")) }
        var body: [String: JSONValue] = ["to": .string(sms.to), "text": .string(sms.message), "type": "SMS"]
        if !sms.from.isEmpty { body["from"] = .string(sms.from) }
        if let messagingProfileID { body["messaging_profile_id"] = .string(messagingProfileID) }
        if let webhookURL { body["webhook_url"] = .string(webhookURL) }
        return .success(APIRequest(
            headers: [("Authorization", "Bearer \(apiKey)"), ("Content-Type", "application/json"), ("Accept", "application/json")],
            body: Array(JSONValue.object(body).jsonText().utf8)))
    }

    func outcome(of answer: ProviderHTTP.Answer) -> DeliveryOutcome { TelnyxAnswer.outcome(answer, now: now()) }
}

/// Reads Telnyx's answer into an outcome.
enum TelnyxAnswer {
    /// https://developers.telnyx.com/development/api-fundamentals/api-errors: 10007 unexpected
    /// error ("may be the result of a temporary issue"), 10008 request timeout, 10011 too many
    /// requests.
    static let transientCodes: Set<String> = ["10007", "10008", "10011"]

    static func outcome(_ answer: ProviderHTTP.Answer, now: Date) -> DeliveryOutcome {
        let json = answer.json
        if answer.isSuccess {
            guard let id = json?["data"]?["id"]?.stringValue, !id.isEmpty else {
                return .retry(reason: "telnyx HTTP \(answer.status) without a message id", after: nil)
            }
            return .accepted(providerMessageID: id, delivered: false)
        }
        let first = json?["errors"]?.arrayValue?.first
        let code = first?["code"].flatMap { $0.stringValue ?? $0.numberText }
        let text = [first?["title"]?.stringValue, first?["detail"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        let detail = [code, text.isEmpty ? answer.text : text].compactMap { $0 }.joined(separator: " ")
        if let code, transientCodes.contains(code) {
            return .retry(reason: "telnyx HTTP \(answer.status): \(WebhookClassifier.excerpt(detail))", after: answer.retryAfter(now: now))
        }
        if code == "40300" {
            return .optedOut(reason: "telnyx HTTP \(answer.status): \(WebhookClassifier.excerpt(detail)) (the recipient replied STOP)")
        }
        return answer.failure(provider: "telnyx", detail: detail, now: now)
    }
}
