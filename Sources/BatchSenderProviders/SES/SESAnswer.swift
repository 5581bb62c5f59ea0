import BatchSenderCore
import Foundation

/// Reads an SES v2 answer into an outcome.
///
/// Errors follow restJson1 (smithy `aws-restjson1-protocol`): the type comes from the
/// `X-Amzn-Errortype` header, else the body's `__type` or `code`, trimmed at `:` and after `#`;
/// the text from `message` or `Message` (botocore `parsers.py` does the same).
enum SESAnswer {
    static func outcome(_ answer: ProviderHTTP.Answer, now: Date) -> DeliveryOutcome {
        let json = answer.json
        if answer.isSuccess {
            guard let id = json?["MessageId"]?.stringValue, !id.isEmpty else {
                return .retry(reason: "ses HTTP \(answer.status) without a MessageId", after: nil)
            }
            return .accepted(providerMessageID: id, delivered: false)
        }
        let type = errorType(answer, json)
        let message = json?["message"]?.stringValue ?? json?["Message"]?.stringValue ?? ""
        let reason = "ses HTTP \(answer.status) \(type ?? "error")" + (message.isEmpty ? "" : ": \(WebhookClassifier.excerpt(message))")
        switch type {
        case "TooManyRequestsException", "Throttling", "ThrottlingException":
            // "Maximum sending rate exceeded" and "Daily message quota exceeded" (SES developer
            // guide, "Errors related to sending quotas": wait, then retry).
            let daily = message.localizedCaseInsensitiveContains("daily")
            return .retry(reason: reason, after: daily ? 3600 : answer.retryAfter(now: now))
        case "LimitExceededException":
            return .retry(reason: reason, after: max(answer.retryAfter(now: now) ?? 0, 60))
        case "SendingPausedException":
            // The account's sending is paused by its owner or by AWS: worth trying later, not at once.
            return .retry(reason: reason + " (sending is paused for this SES account)", after: 900)
        case "AccountSuspendedException":
            return .reject(reason: reason + " (the SES account is suspended)")
        case "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "AccessDeniedException",
            "InvalidClientTokenId", "ExpiredTokenException":
            return .reject(reason: reason + " (the provider rejected the credentials)")
        default:
            return answer.failure(provider: "ses", detail: [type, message].compactMap { $0 }.joined(separator: ": "), now: now)
        }
    }

    /// The sanitized restJson1 error type, if the answer names one.
    static func errorType(_ answer: ProviderHTTP.Answer, _ json: JSONValue?) -> String? {
        let raw = answer.headers.first(name: "x-amzn-errortype") ?? json?["__type"]?.stringValue
            ?? json?["code"]?.stringValue ?? json?["Code"]?.stringValue
        guard var type = raw, !type.isEmpty else { return nil }
        if let colon = type.firstIndex(of: ":") { type = String(type[..<colon]) }
        if let hash = type.lastIndex(of: "#") { type = String(type[type.index(after: hash)...]) }
        return type
    }
}
