import BatchSenderCore
import HTTPTypes

/// The one table of what each authenticated route requires (CONTRACT §10): `METHOD /path`, with
/// the path as the router spells it (`{id}` for a parameter), to a `Permission`.
/// `PermissionMiddleware` applies it to every request under `/v1`; a route missing from the table
/// is refused to everyone, so a new route cannot ship unguarded (the route-by-scope test walks the
/// router and fails on it). Unauthenticated routes — `/health`, `/ready`, `/metrics`, provider
/// events — are registered outside the guarded group and need no entry.
///
/// In scope terms: `read` keys may every `GET` except users and the audit log; `send` keys also
/// batches, recipients and suppressions in full, and test sends; only `admin` keys change send
/// configs, API keys and users.
public enum RoutePermissions {
    public static let table: [String: Permission] = [
        "GET /v1/send-configs": .read,
        "GET /v1/send-configs/{id}": .read,
        "POST /v1/send-configs": .configure,
        "PATCH /v1/send-configs/{id}": .configure,
        "DELETE /v1/send-configs/{id}": .configure,
        "POST /v1/send-configs/{id}/test": .send,

        "GET /v1/batches": .read,
        "GET /v1/batches/{id}": .read,
        "POST /v1/batches": .send,
        "POST /v1/batches/{id}/send": .send,
        "POST /v1/batches/{id}/pause": .send,
        "POST /v1/batches/{id}/resume": .send,
        "POST /v1/batches/{id}/cancel": .send,
        "POST /v1/batches/{id}/retry": .send,
        "GET /v1/batches/{id}/recipients": .read,
        "GET /v1/batches/{id}/recipients.csv": .read,
        "GET /v1/batches/{id}/recipients/{recipientId}/events": .read,
        "POST /v1/batches/{id}/recipients": .send,

        "GET /v1/suppressions": .read,
        "GET /v1/suppressions/{address}": .read,
        "POST /v1/suppressions": .send,
        "DELETE /v1/suppressions/{address}": .send,

        // Listing keys shows names, prefixes and scopes, never a secret: a read like any other.
        "GET /v1/api-keys": .read,
        "POST /v1/api-keys": .administer,
        "DELETE /v1/api-keys/{id}": .administer,

        // Users are people (emails): only admins see them (CONTRACT §10: "/v1/users for admins").
        "GET /v1/users": .administer,
        "GET /v1/users/{id}": .administer,
        "POST /v1/users": .administer,
        "PATCH /v1/users/{id}": .administer,
        "DELETE /v1/users/{id}": .administer,

        // CONTRACT §11: the audit log is for admin keys only (its route comes with the audit log).
        "GET /v1/audit-log": .administer,
    ]

    /// What `method` on the router path `path` requires; `nil` when the table has no rule for it.
    public static func required(_ method: HTTPRequest.Method, _ path: String) -> Permission? {
        table["\(method.rawValue) \(path)"]
    }

    /// The scopes whose keys may do `permission`, for the 403's explanation.
    public static func scopes(granting permission: Permission) -> [APIScope] {
        APIScope.allCases.filter { $0.permissions.contains(permission) }
    }
}
