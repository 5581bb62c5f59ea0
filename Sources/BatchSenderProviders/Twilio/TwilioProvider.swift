import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging

/// The `twilio` SMS provider: Programmable Messaging's Create Message, one call per message
/// (CONTRACT §3, issue #4).
///
/// Source: twilio/twilio-oai `spec/yaml/twilio_api_v2010.yaml`,
/// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` — form fields `To`, `From`,
/// `MessagingServiceSid`, `Body`, `StatusCallback`; HTTP Basic auth with the account SID and
/// auth token; `201` with the message resource (`sid`, `status`, `num_segments`).
public struct TwilioProvider: PerMessageAPI {
    static let defaultBaseURL = "https://api.twilio.com"

    let http: ProviderHTTP
    let endpoint: String
    let authorization: String
    let messagingServiceSid: String?
    let statusCallback: String?
    let now: @Sendable () -> Date

    /// - Parameter configuration: `credentials.accountSid` and `authToken`; `settings.baseUrl`,
    ///   `settings.messagingServiceSid`; with a public URL, Twilio reports delivery to our
    ///   events endpoint (`StatusCallback`).
    public init(
        configuration: ProviderConfiguration, client: HTTPClient,
        logger: Logger = Logger(label: "batchsender.twilio"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        http = ProviderHTTP(client: client, logger: logger, policy: configuration.networkPolicy)
        let sid = configuration.credentials["accountSid"] ?? ""
        let escaped = FormEncoding.escape(sid)
        endpoint = ProviderHTTP.endpoint(configuration.settings, default: Self.defaultBaseURL, path: "/2010-04-01/Accounts/\(escaped)/Messages.json")
        let token = configuration.credentials["authToken"] ?? ""
        authorization = "Basic " + Data("\(sid):\(token)".utf8).base64EncodedString()
        messagingServiceSid = configuration.settings["messagingServiceSid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        statusCallback = configuration.eventsURL(for: "twilio")
        self.now = now
    }

    public var maxBatchSize: Int { 1 }
    public func destination(of message: OutboundMessage) -> String { apiHost }
    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] { await sendEach(messages) }

    func request(for message: OutboundMessage) -> Result<APIRequest, RequestRefusal> {
        guard case .sms(let sms) = message.message else { return .failure(RequestRefusal(reason: "the twilio provider sends SMS messages only")) }
        var fields = [("To", sms.to), ("Body", sms.message)]
        if !sms.from.isEmpty { fields.append(("From", sms.from)) }
        if let messagingServiceSid { fields.append(("MessagingServiceSid", messagingServiceSid)) }
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }
        return .success(APIRequest(
            headers: [
                ("Authorization", authorization), ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            body: Array(FormEncoding.encode(fields).utf8)))
    }

    func outcome(of answer: ProviderHTTP.Answer) -> DeliveryOutcome { TwilioAnswer.outcome(answer, now: now()) }
}

/// Reads Twilio's answer: the message resource, or `{code, message, more_info, status}`.
enum TwilioAnswer {
    /// Error codes that mean "later", not "never" (https://www.twilio.com/docs/api/errors):
    /// 20429 too many requests, 21611 the sender's queue is full, 30001 queue overflow.
    static let transientCodes: Set<Int> = [20429, 21611, 30001]

    static func outcome(_ answer: ProviderHTTP.Answer, now: Date) -> DeliveryOutcome {
        let json = answer.json
        if answer.isSuccess {
            guard let sid = json?["sid"]?.stringValue, !sid.isEmpty else {
                return .retry(reason: "twilio HTTP \(answer.status) without a message sid", after: nil)
            }
            if json?["status"]?.stringValue == "failed" {
                let code = json?["error_code"]?.numberText ?? "?"
                return .reject(reason: "twilio: message \(sid) failed at once (error \(code))")
            }
            return .accepted(providerMessageID: sid, delivered: false)
        }
        let code = json?["code"]?.intValue
        let message = json?["message"]?.stringValue ?? answer.text
        let detail = code.map { "\($0) \(message)" } ?? message
        if let code, transientCodes.contains(code) {
            return .retry(reason: "twilio HTTP \(answer.status): \(WebhookClassifier.excerpt(detail))", after: answer.retryAfter(now: now))
        }
        if code == 21610 {
            return .optedOut(reason: "twilio HTTP \(answer.status): \(WebhookClassifier.excerpt(detail)) (the recipient replied STOP)")
        }
        return answer.failure(provider: "twilio", detail: detail, now: now)
    }
}
