import BatchSenderCore
import Foundation

/// Reads Resend's answer to a batch call into one outcome per email.
///
/// Success: `{"data": [{"id": …}], "errors": [{"index": n, "message": …}]}` (`errors` only in
/// permissive mode). Failure: `{"statusCode", "message", "name"}` with the names of
/// https://resend.com/docs/api-reference/errors (also resend/resend-rust `src/error.rs`).
enum ResendAnswer {
    static func outcomes(_ answer: ProviderHTTP.Answer, count: Int, now: Date) -> [DeliveryOutcome] {
        let json = answer.json
        guard answer.isSuccess else {
            return Array(repeating: failure(answer, json: json, now: now), count: count)
        }
        var failed: [Int: String] = [:]
        for error in json?["errors"]?.arrayValue ?? [] {
            guard let index = error["index"]?.intValue, (0..<count).contains(index) else { continue }
            failed[index] = error["message"]?.stringValue ?? "rejected"
        }
        let ids = (json?["data"]?.arrayValue ?? []).map { $0["id"]?.stringValue }
        // `data` lists every email, or (permissive mode) only the accepted ones, in order.
        let positional = ids.count == count
        var outcomes: [DeliveryOutcome] = []
        var next = 0
        for index in 0..<count {
            if let message = failed[index] {
                outcomes.append(.reject(reason: "resend: \(WebhookClassifier.excerpt(message))"))
                continue
            }
            let id = positional ? ids[index] : (next < ids.count ? ids[next] : nil)
            next += 1
            if let id, !id.isEmpty {
                outcomes.append(.accepted(providerMessageID: id, delivered: false))
            } else {
                // Accepted but unidentified: retrying under the same idempotency key returns the ids.
                outcomes.append(.retry(reason: "resend: answer \(answer.status) has no id for this email", after: nil))
            }
        }
        return outcomes
    }

    /// The outcome for every email of a call Resend refused as a whole.
    static func failure(_ answer: ProviderHTTP.Answer, json: JSONValue?, now: Date) -> DeliveryOutcome {
        let name = json?["name"]?.stringValue ?? ""
        let message = json?["message"]?.stringValue ?? answer.text
        let detail = name.isEmpty ? message : "\(name): \(message)"
        switch (answer.status, name) {
        case (409, "concurrent_idempotent_requests"), (409, "resource_locked"):
            return .retry(reason: "resend HTTP 409: \(WebhookClassifier.excerpt(detail))", after: answer.retryAfter(now: now) ?? 1)
        case (429, "daily_quota_exceeded"):
            // Not worth trying again within seconds: wait for the quota window.
            return .retry(reason: "resend HTTP 429: \(WebhookClassifier.excerpt(detail))", after: max(answer.retryAfter(now: now) ?? 0, 3600))
        case (429, "monthly_quota_exceeded"):
            return .reject(reason: "resend HTTP 429: \(WebhookClassifier.excerpt(detail))")
        default:
            return answer.failure(provider: "resend", detail: detail, now: now)
        }
    }
}
