import BatchSenderCore

/// The description of the HTTP API: every operation the router serves and the schemas of its
/// bodies. `/openapi.json` is this rendered as OpenAPI 3.1 (`OpenAPIDocument`), `/docs` is this
/// rendered as HTML (`ReferencePage`).
///
/// Written by hand in Swift rather than generated: swift-openapi-generator is spec-first (the
/// document is the source and the server conforms to generated protocols), which would mean
/// rewriting every controller, its streaming CSV upload and its problem responses. Drift is caught
/// instead by a test that compares `operations` with the routes the router really has, both ways,
/// and by schemathesis holding the running server to the document.
public enum APIReference {
    /// Every operation, grouped by tag in the order `/docs` shows them.
    public static var operations: [APIOperation] {
        sendConfigOperations + batchOperations + recipientOperations + apiKeyOperations + userOperations
            + suppressionOperations + eventOperations + operationsEndpoints
    }

    /// The tags, in order, with a line about each.
    static let tags: [(name: String, description: String)] = [
        ("Send configs", "A provider and its credentials, settings and limits (CONTRACT §3)."),
        ("Batches", "Messages to many recipients through one send config (CONTRACT §4)."),
        ("Recipients", "The recipients of a batch: add them as JSON or CSV, list them, export them."),
        ("API keys", "Keys of the workspace and their scopes (CONTRACT §7, §10)."),
        ("Users", "Dashboard users of the workspace and their roles (CONTRACT §10); admin keys only."),
        ("Suppressions", "Addresses the workspace never sends to."),
        ("Provider events", "Delivery events posted by providers, authenticated by their signatures (CONTRACT §6)."),
        ("Operations", "Health, readiness, metrics and this reference; no API key."),
    ]

    static let title = "BatchSender API"
    static let version = "1"

    /// The introduction of the document and the page: the conventions every operation shares.
    static let introduction = """
        BatchSender delivers large batches of personalized messages (email, SMS, webhooks, CRM \
        records) through real providers, with rate limits, retries and delivery tracking.

        Authenticate with `Authorization: Bearer <api key>` (the first start prints an admin key). \
        A missing or invalid key is 401, a key without the scope an operation needs is 403, another \
        workspace's resource is 404. Bodies are JSON with camelCase fields; timestamps are RFC 3339 \
        UTC; ids are opaque strings. Strings may not contain NUL (U+0000).

        Errors are `application/problem+json` (RFC 9457) with `type`, `title`, `status`, `detail` and, \
        for validation, `errors` naming each `field`, `index` or CSV `row`. Bad input is always 4xx. \
        Lists take `?limit=` (default 50, at most 500) and `?cursor=` and answer \
        `{data, nextCursor}`. Every create honours `Idempotency-Key`. Every response carries \
        `X-Request-Id`; API-key requests are rate limited per key, with `RateLimit-*` headers and \
        429 + `Retry-After` over the limit.
        """
}
