import AsyncHTTPClient
import BatchSenderCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP plumbing every API provider (Resend, SES, Twilio, Vonage, Telnyx) shares: one call
/// with one time budget for the head and the body, the answer read up to a bound, and transport
/// failures classified the same way for all of them.
struct ProviderHTTP: Sendable {
    /// Most bytes of an answer we read: a Resend batch answer for 100 messages is ~6 KiB.
    static let maxResponseBytes = 256 * 1024
    static let userAgent = "BatchSender/1.0"

    let client: HTTPClient
    let logger: Logger
    var timeout: Duration = .seconds(30)
    /// Every call's endpoint is checked first (CONTRACT §5: `baseUrl` may not reach private
    /// networks unless allowed), and the connection pinned to the address that was checked.
    let guardrail: DestinationGuard
    let pins: PinnedClients

    /// - Parameters:
    ///   - client: the process-wide delivery client (used as is for literal hosts).
    ///   - policy: the send config's `networkPolicy`.
    ///   - resolver: resolves endpoint names for the guard.
    init(
        client: HTTPClient, logger: Logger, policy: NetworkPolicy, resolver: any HostResolver = CachingHostResolver(),
        pins: PinnedClients = PinnedClients(capacity: 2)
    ) {
        self.client = client
        self.logger = logger
        self.guardrail = DestinationGuard(policy: policy, resolver: resolver)
        self.pins = pins
    }

    /// A provider's answer.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { JSONValue.parse(text) }
        var isSuccess: Bool { (200...299).contains(status) }

        /// `Retry-After` in seconds (digits only, bounded), when given.
        func retryAfter(now: Date = Date()) -> TimeInterval? {
            headers.first(name: "retry-after").flatMap { WebhookClassifier.parseRetryAfter($0, now: now) }
        }
    }

    /// Sends one request. A transport failure is returned as the outcome it means (always a
    /// retry, or a reject for a URL that can never work), so callers only classify answers.
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)], body: [UInt8]? = nil
    ) async -> Result<Answer, TransportFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = ContinuousClock.now + timeout
        let address: IPAddress?
        switch await guardrail.check(url, lookupTimeout: timeout) {
        case .allowed(let approved): address = approved
        case .refused(let reason): return .failure(TransportFailure(outcome: .reject(reason: reason)))
        case .unresolved(let reason): return .failure(TransportFailure(outcome: .retry(reason: reason, after: nil)))
        }
        let remaining = max(.milliseconds(1), ContinuousClock.now.duration(to: deadline))
        let logger = self.logger
        do {
            return try await pins.withClient(url: url, address: address, base: client) { client in
                let response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(remaining)), logger: logger)
                let bytes = try await withDeadline(deadline) { [response] in
                    var collected: [UInt8] = []
                    for try await chunk in response.body {
                        collected.append(contentsOf: chunk.readableBytesView.prefix(Self.maxResponseBytes - collected.count))
                        if collected.count >= Self.maxResponseBytes { break }
                    }
                    return collected
                }
                return .success(Answer(status: Int(response.status.code), headers: response.headers, body: bytes))
            }
        } catch {
            return .failure(TransportFailure(outcome: WebhookClassifier.outcome(error: error, timeout: timeout)))
        }
    }

    /// `base` without a trailing slash, followed by `path`.
    static func url(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// `path` under the configured `settings.baseUrl`, or under the provider's public endpoint.
    static func endpoint(_ settings: [String: JSONValue], default fallback: String, path: String) -> String {
        url(baseURL(settings, default: fallback), path)
    }

    /// The configured `settings.baseUrl`, or the provider's public endpoint.
    static func baseURL(_ settings: [String: JSONValue], default fallback: String) -> String {
        guard let configured = settings["baseUrl"]?.stringValue, !configured.isEmpty else { return fallback }
        return configured
    }

    /// The host of `url`, lowercased: the circuit breaker's key for API providers.
    static func host(of url: String) -> String {
        URLComponents(string: url)?.host?.lowercased() ?? url
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// A call that got no answer: what that means for every message in it.
struct TransportFailure: Error, Sendable {
    var outcome: DeliveryOutcome
}

extension ProviderHTTP.Answer {
    /// The usual outcome of a failed answer, for all messages of a call: 408/425/429/5xx are
    /// transient (honouring `Retry-After`), 401/403 mean the credentials were refused, other 4xx
    /// are permanent. `detail` is the provider's own explanation, already extracted.
    func failure(provider: String, detail: String, now: Date = Date()) -> DeliveryOutcome {
        let reason = "\(provider) HTTP \(status)" + (detail.isEmpty ? "" : ": \(WebhookClassifier.excerpt(detail))")
        switch status {
        case 401, 403:
            return .reject(reason: "\(reason) (the provider rejected the credentials)")
        default:
            switch FailureClass.of(httpStatus: status) {
            case .transient: return .retry(reason: reason, after: retryAfter(now: now))
            case .permanent: return .reject(reason: reason)
            }
        }
    }
}

/// `application/x-www-form-urlencoded` bodies (Twilio, Vonage).
enum FormEncoding {
    /// RFC 3986 unreserved characters stay; everything else is percent-encoded (spaces as %20,
    /// which every form parser accepts, and `+` encoded so it never turns into a space).
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding: unreserved characters (and `/` when kept) stay, every other
    /// byte is `%XX` in uppercase hex — also AWS SigV4's `UriEncode`.
    static func escape(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
