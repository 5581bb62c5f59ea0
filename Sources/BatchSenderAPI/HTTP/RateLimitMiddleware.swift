import BatchSenderCore
import HTTPTypes
import Hummingbird

/// The per-API-key request limit (CONTRACT §11). It runs after `AuthMiddleware`, so it is keyed
/// by the authenticated key's id: requests without a valid key were answered 401 before they
/// got here and leave no state behind, however many different bad keys arrive.
///
/// Every response it sees — success or problem — carries the three fields of
/// draft-ietf-httpapi-ratelimit-headers-06 (§3, the last revision with one integer field each;
/// -07 replaced them with the structured `RateLimit` and `RateLimit-Policy`):
/// - `RateLimit-Limit`: the burst, i.e. what a full bucket allows at once;
/// - `RateLimit-Remaining`: what is left of it after this request;
/// - `RateLimit-Reset`: whole seconds until the bucket is full again (not until the next
///   request is allowed: that is `Retry-After`, on a 429).
/// Over the limit: 429 `application/problem+json` with `Retry-After` in whole seconds (RFC 9110
/// §10.2.3), rounded up, at least 1.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = APIContext
    let limiter: KeyedRateLimiter<APIKey.ID>

    public init(limiter: KeyedRateLimiter<APIKey.ID>) {
        self.limiter = limiter
    }

    public func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let caller = context.caller else { return try await next(request, context) }
        let decision = limiter.acquire(caller.keyID)
        guard decision.allowed else { throw APIError.tooManyRequests(decision) }
        // Problems are turned into responses here, not further out, so they carry the fields too.
        var response = try await ProblemMiddleware<APIContext>().handle(request, context: context, next: next)
        response.headers.append(contentsOf: Self.fields(decision))
        return response
    }

    static func fields(_ decision: RateLimitDecision) -> HTTPFields {
        var fields = HTTPFields()
        fields[.rateLimitLimit] = String(decision.limit)
        fields[.rateLimitRemaining] = String(decision.remaining)
        fields[.rateLimitReset] = String(decision.resetSeconds)
        return fields
    }
}

extension APIError {
    /// 429 with `Retry-After` and the rate limit fields.
    static func tooManyRequests(_ decision: RateLimitDecision) -> APIError {
        let wait = decision.retryAfterSeconds ?? 1
        var error = APIError(
            .tooManyRequests,
            "this API key is over its rate limit (burst \(decision.limit)); retry in \(wait) s")
        error.headers = RateLimitMiddleware.fields(decision)
        error.headers[.retryAfter] = String(wait)
        return error
    }
}

extension HTTPField.Name {
    static var rateLimitLimit: Self { Self("RateLimit-Limit")! }
    static var rateLimitRemaining: Self { Self("RateLimit-Remaining")! }
    static var rateLimitReset: Self { Self("RateLimit-Reset")! }
}
