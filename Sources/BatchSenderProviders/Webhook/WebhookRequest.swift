import BatchSenderSignatures
import AsyncHTTPClient
import BatchSenderDelivery
import Foundation
import NIOCore

/// One webhook call, rendered to the exact bytes and headers that go on the wire.
struct WebhookRequest: Sendable {
    static let userAgent = "BatchSender/1.0"
    static let defaultTimeout: Duration = .seconds(10)
    static let maxTimeout: Duration = .seconds(120)

    /// Headers we always set ourselves; a user header of the same name is ignored.
    static let reservedHeaders: Set<String> = ["webhook-id", "webhook-timestamp", "webhook-signature", "user-agent"]
    /// Framing and hop-by-hop headers belong to the HTTP client; sending a user's value could
    /// desynchronize the framing (a wrong `Content-Length`), so they are dropped.
    static let clientOwnedHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
        "proxy-connection", "expect",
    ]

    var url: String
    var method: String
    /// In sending order; names as the user wrote them.
    var headers: [(String, String)]
    var body: [UInt8]?
    var timeout: Duration

    /// Renders `message` for `idempotencyKey`, or explains why it can never be sent.
    static func make(
        _ message: WebhookMessage, idempotencyKey: String, timestamp: Int, signer: StandardWebhookSigner?
    ) -> Result<WebhookRequest, WebhookRequestError> {
        let method = message.method.isEmpty ? "POST" : message.method.uppercased()
        guard method.utf8.allSatisfy(isTokenByte) else { return .failure(.init("invalid HTTP method \(method)")) }
        // The body is serialized once; these exact bytes are both signed and sent.
        let body = message.body.map { Array($0.jsonText().utf8) }

        var headers: [(String, String)] = []
        var userSetContentType = false
        for (name, value) in message.headers.sorted(by: { $0.key < $1.key }) {
            let lower = name.lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                return .failure(.init("invalid header name \(name.debugDescription)"))
            }
            // A variable holding a line break must not be able to inject headers.
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                return .failure(.init("header \(name) contains a line break"))
            }
            if reservedHeaders.contains(lower) || clientOwnedHeaders.contains(lower) { continue }
            if lower == "content-type" { userSetContentType = true }
            headers.append((name, value))
        }
        if !userSetContentType { headers.append(("Content-Type", "application/json")) }
        headers.append(("User-Agent", userAgent))
        headers.append(("webhook-id", idempotencyKey))
        headers.append(("webhook-timestamp", String(timestamp)))
        if let signer {
            headers.append(("webhook-signature", signer.signature(id: idempotencyKey, timestamp: timestamp, body: body ?? [])))
        }

        let timeout: Duration
        if let millis = message.timeoutMs, millis > 0 {
            timeout = min(.milliseconds(millis), maxTimeout)
        } else {
            timeout = defaultTimeout
        }
        return .success(WebhookRequest(url: message.url, method: method, headers: headers, body: body, timeout: timeout))
    }

    /// The AsyncHTTPClient request.
    var clientRequest: HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// Why a rendered webhook can never be sent as it is (a permanent failure).
struct WebhookRequestError: Error, Hashable, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
