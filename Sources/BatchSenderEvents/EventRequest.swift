import BatchSenderCore
import Foundation

/// An events request as it reached us: what verification and parsing need.
public struct EventRequest: Sendable {
    public var method: String
    /// The URL the provider called, as the provider sees it (`BATCHSENDER_PUBLIC_URL` + path +
    /// query when we sit behind a proxy): Twilio signs it.
    public var url: String
    /// Query parameters, decoded, in order.
    public var query: [(String, String)]
    /// Header names lowercased; repeated headers joined with ", ".
    public var headers: [String: String]
    /// The raw body, exactly as received: every scheme signs these bytes.
    public var body: [UInt8]

    public init(method: String, url: String, query: [(String, String)], headers: [String: String], body: [UInt8]) {
        self.method = method
        self.url = url
        self.query = query
        self.headers = headers
        self.body = body
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body's `application/x-www-form-urlencoded` fields, decoded, in order.
    var formFields: [(String, String)] { FormDecoding.decode(bodyText) }
}

/// Decoding of `application/x-www-form-urlencoded` text (`+` is a space).
public enum FormDecoding {
    public static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            func decode(_ s: String) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

/// What an accepted request carries.
public enum EventIntakeResult: Sendable {
    /// Verified events to record.
    case events([ProviderEvent])
    /// A verified SNS subscription to confirm by calling `subscribeURL` (an allowed URL).
    case confirmSubscription(subscribeURL: String)
    /// Verified, but nothing to record (an event type we do not track).
    case nothing(reason: String)
}

/// Why a request is refused.
public enum EventIntakeError: Error, Equatable, Sendable {
    /// Unverified: missing, stale or wrong signature, or no secret to check it with (401).
    case unauthorized(String)
    /// Verified but unreadable (422).
    case unreadable(String)
}
