import BatchSenderSignatures
import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging

/// The `vonage` SMS provider: the SMS API, `POST /sms/json` with a form body, one call per
/// message (CONTRACT §3, issue #4).
///
/// Source: Nexmo/api-specification `definitions/sms.yml` (`NewMessage`: `api_key`,
/// `api_secret` or `sig` + `timestamp`, `from`, `to` as digits, `text`, `type`, `client-ref`,
/// `callback`, `status-report-req`); the answer is always HTTP 200 with a `status` per message
/// part (vonage-java-sdk `sms/MessageStatus.java`).
public struct VonageProvider: PerMessageAPI {
    static let defaultBaseURL = "https://rest.nexmo.com"

    let http: ProviderHTTP
    let endpoint: String
    let apiKey: String
    let apiSecret: String
    /// With a signature secret, requests are signed (`sig`) instead of carrying `api_secret`.
    let signing: (secret: String, method: VonageSignature.Method)?
    let callback: String?
    let now: @Sendable () -> Date

    public init(
        configuration: ProviderConfiguration, client: HTTPClient,
        logger: Logger = Logger(label: "batchsender.vonage"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        http = ProviderHTTP(client: client, logger: logger, policy: configuration.networkPolicy)
        endpoint = ProviderHTTP.endpoint(configuration.settings, default: Self.defaultBaseURL, path: "/sms/json")
        apiKey = configuration.credentials["apiKey"] ?? ""
        apiSecret = configuration.credentials["apiSecret"] ?? ""
        let method = configuration.settings["signatureMethod"]?.stringValue.flatMap(VonageSignature.Method.init(rawValue:))
        if let secret = configuration.credentials["signatureSecret"], !secret.isEmpty, configuration.settings["signRequests"]?.boolValue == true {
            signing = (secret, method ?? .md5hash)
        } else {
            signing = nil
        }
        callback = configuration.eventsURL(for: "vonage")
        self.now = now
    }

    /// The form fields for `message`, signed when configured.
    func fields(for message: OutboundMessage, sms: SMSMessage) -> [(String, String)] {
        // Vonage numbers are E.164 digits without the `+`.
        func digits(_ number: String) -> String { number.hasPrefix("+") ? String(number.dropFirst()) : number }
        var fields = [
            ("api_key", apiKey), ("from", digits(sms.from)), ("to", digits(sms.to)), ("text", sms.message),
            ("client-ref", message.idempotencyKey),
        ]
        if SMSSegments(sms.message).encoding == .ucs2 { fields.append(("type", "unicode")) }
        if let callback { fields += [("callback", callback), ("status-report-req", "1")] }
        if let signing {
            fields.append(("timestamp", String(Timestamp.unixSeconds(now()))))
            fields.append(("sig", VonageSignature.sign(fields, secret: signing.secret, method: signing.method)))
        } else {
            fields.append(("api_secret", apiSecret))
        }
        return fields
    }

    public var maxBatchSize: Int { 1 }
    public func destination(of message: OutboundMessage) -> String { apiHost }
    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] { await sendEach(messages) }

    func request(for message: OutboundMessage) -> Result<APIRequest, RequestRefusal> {
        guard case .sms(let sms) = message.message else { return .failure(RequestRefusal(reason: "the vonage provider sends SMS messages only")) }
        return .success(APIRequest(
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(FormEncoding.encode(fields(for: message, sms: sms)).utf8)))
    }

    func outcome(of answer: ProviderHTTP.Answer) -> DeliveryOutcome { VonageAnswer.outcome(answer, now: now()) }
}

/// Reads the SMS API's answer: one entry per message part, each with a `status` (0 = accepted).
enum VonageAnswer {
    /// 1 Throttled, 5 Internal Error, 10 Too Many Existing Binds: the official Java SDK's
    /// `isTemporaryError()`.
    static let transient: Set<String> = ["1", "5", "10"]

    static func outcome(_ answer: ProviderHTTP.Answer, now: Date) -> DeliveryOutcome {
        guard answer.isSuccess else { return answer.failure(provider: "vonage", detail: answer.text, now: now) }
        let parts = answer.json?["messages"]?.arrayValue ?? []
        guard !parts.isEmpty else { return .retry(reason: "vonage: answer without messages", after: nil) }
        let sent = parts.prefix { $0["status"]?.stringValue == "0" }
        guard let failed = parts.first(where: { $0["status"]?.stringValue != "0" }) else {
            guard let id = parts[0]["message-id"]?.stringValue, !id.isEmpty else {
                return .retry(reason: "vonage: accepted without a message-id", after: nil)
            }
            return .accepted(providerMessageID: id, delivered: false)
        }
        let status = failed["status"]?.stringValue ?? "?"
        let reason = "vonage status \(status): \(failed["error-text"]?.stringValue ?? "error")"
        if !sent.isEmpty {
            // Some parts are on their way: sending again would duplicate them.
            return .reject(reason: "\(reason) (part \(sent.count + 1) of \(parts.count); earlier parts were sent)")
        }
        switch status {
        case _ where transient.contains(status): return .retry(reason: reason, after: nil)
        case "9": return .retry(reason: reason + " (insufficient credit: top up the account)", after: 3600)
        case "4", "8": return .reject(reason: reason + " (the provider rejected the credentials or account)")
        default: return .reject(reason: reason)
        }
    }
}
