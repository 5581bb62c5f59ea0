import AsyncHTTPClient
import BatchSenderCore
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a webhook receiver's answer, or the error that prevented one, into a `DeliveryOutcome`
/// (CONTRACT §5; Standard Webhooks "Delivery success and failure").
enum WebhookClassifier {
    /// Longest `Retry-After` we honour; a receiver asking for more gets a day.
    static let maxRetryAfter: TimeInterval = 86_400

    /// Classifies an HTTP answer. `location` and `retryAfter` are the response headers' values.
    static func outcome(
        status: Int, body: String, location: String?, retryAfter: String?, messageID: String, now: Date
    ) -> DeliveryOutcome {
        switch status {
        case 200...299:
            return .accepted(providerMessageID: messageID, delivered: true)
        case 300...399:
            // Not followed: following would add load and could bounce past the SSRF guard.
            let target = location.map { " to \(excerpt($0))" } ?? ""
            return .reject(reason: "HTTP \(status): redirect\(target) not followed")
        default:
            let reason = "HTTP \(status)" + (body.isEmpty ? "" : ": \(excerpt(body))")
            switch FailureClass.of(httpStatus: status) {
            case .transient:
                return .retry(reason: reason, after: retryAfter.flatMap { parseRetryAfter($0, now: now) })
            case .permanent:
                return .reject(reason: reason)
            }
        }
    }

    /// `RetryPolicy.parseRetryAfter`, bounded: it accepts any non-negative `Double`, including
    /// `inf`, which must not park a recipient forever.
    static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        guard let seconds = RetryPolicy.parseRetryAfter(value, now: now), seconds.isFinite else { return nil }
        return min(seconds, maxRetryAfter)
    }

    /// Classifies a failure to get an answer: everything transient except a URL that can never work.
    static func outcome(error: any Error, timeout: Duration) -> DeliveryOutcome {
        if let error = error as? HTTPClientError {
            switch error {
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath:
                return .reject(reason: "invalid URL: \(error)")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .retry(reason: "timed out after \(seconds(timeout))", after: nil)
            case .connectTimeout, .getConnectionFromPoolTimeout:
                return .retry(reason: "connection timed out", after: nil)
            case .tlsHandshakeTimeout:
                return .retry(reason: "TLS handshake timed out", after: nil)
            case .remoteConnectionClosed:
                return .retry(reason: "connection closed by the receiver before it answered", after: nil)
            default:
                return .retry(reason: "HTTP client error: \(excerpt("\(error)"))", after: nil)
            }
        }
        if error is DeadlineExceeded {
            return .retry(reason: "timed out after \(seconds(timeout))", after: nil)
        }
        if let error = error as? NIOConnectionError {
            // DNS failures and refused/unreachable connections alike: the host may come back.
            return .retry(reason: "connection failed: \(excerpt(error.description))", after: nil)
        }
        if let error = error as? IOError {
            // A socket error: refused, reset, unreachable.
            return .retry(reason: "connection failed: \(String(cString: strerror(error.errnoCode)))", after: nil)
        }
        if error is CancellationError {
            return .retry(reason: "cancelled before the receiver answered", after: nil)
        }
        // TLS failures (NIOSSLError, BoringSSL verification errors) and socket errors land here.
        return .retry(reason: "request failed: \(excerpt(String(describing: error)))", after: nil)
    }

    /// The first ~200 characters of `text` on one line, for `lastError`.
    static func excerpt(_ text: String, limit: Int = 200) -> String {
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        return oneLine.count > limit ? String(oneLine.prefix(limit)) + "…" : oneLine
    }

    private static func seconds(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return millis % 1000 == 0 ? "\(millis / 1000) s" : "\(millis) ms"
    }
}
