import BatchSenderCore

/// One documented HTTP operation: what `/openapi.json` lists under `paths` and `/docs` shows.
///
/// The error responses most operations share are not listed by hand: `problemStatuses` derives
/// them from what the operation does (authenticates, reads a body, takes a path id, pages,
/// honours `Idempotency-Key`), the same way the code paths that produce them are shared.
public struct APIOperation: Sendable {
    /// How a caller is authenticated.
    public enum Access: Sendable, Equatable {
        /// No credentials (`/health`, `/docs`, …).
        case open
        /// `Authorization: Bearer <api key>` with at least this scope (CONTRACT §10).
        case apiKey(Scope)
        /// The metrics bearer token, when `BATCHSENDER_METRICS_TOKEN` is set.
        case metricsToken
        /// The provider's own signature scheme (CONTRACT §6); no API key.
        case providerSignature
    }

    public var method: String
    /// The path in OpenAPI form, `/v1/batches/{id}`.
    public var path: String
    public var operationID: String
    public var tag: String
    public var summary: String
    public var description: String
    public var access: Access
    public var parameters: [APIParameter]
    public var body: APIRequestBody?
    public var responses: [APIResponse]
    /// Error statuses this operation answers beyond the derived ones.
    public var extraProblems: Set<Int>
    /// Whether `Idempotency-Key` is honoured (every POST that goes through `jsonPOST`).
    public var idempotent: Bool

    init(
        _ method: String, _ path: String, id: String, tag: String, summary: String, description: String = "",
        access: Access, parameters: [APIParameter] = [], body: APIRequestBody? = nil, responses: [APIResponse],
        problems: Set<Int> = [], idempotent: Bool = false
    ) {
        self.method = method
        self.path = path
        self.operationID = id
        self.tag = tag
        self.summary = summary
        self.description = description
        self.access = access
        self.parameters = parameters + (idempotent ? [.idempotencyKey] : [])
        self.body = body
        self.responses = responses
        self.extraProblems = problems
        self.idempotent = idempotent
    }

    /// `METHOD /path`, as the router lists routes.
    public var route: String { "\(method) \(path)" }

    /// Whether the operation sits behind the API rate limit (every API-key operation, CONTRACT §11).
    public var isRateLimited: Bool { if case .apiKey = access { true } else { false } }

    /// Every problem+json status this operation can answer, sorted.
    public var problemStatuses: [Int] {
        var statuses = extraProblems
        switch access {
        case .apiKey:
            // 503: every API-key operation reads the database, which may be unreachable.
            statuses.formUnion([401, 403, 429, 503])
        case .metricsToken, .providerSignature:
            statuses.insert(401)
        case .open:
            break
        }
        if parameters.contains(where: { $0.location == .path }) { statuses.insert(404) }
        // A query value out of its enum or range, or a cursor we did not issue.
        if parameters.contains(where: { $0.location == .query }) { statuses.insert(400) }
        if body != nil { statuses.formUnion([400, 413]) }
        if let body, !body.acceptsAnyType { statuses.insert(415) }
        // A malformed key is 400, a key still running is 409, the same key with another request 422.
        if idempotent { statuses.formUnion([400, 409, 422]) }
        return statuses.sorted()
    }
}

extension APIOperation {
    /// The least API key scope an operation needs (CONTRACT §10): `admin` allows everything;
    /// `send` sends (batches, recipients, suppressions, and send-config tests); `read` allows
    /// every `GET` except the audit log.
    public enum Scope: String, Sendable, CaseIterable {
        case read, send, admin
    }
}

/// A path, query or header parameter.
public struct APIParameter: Sendable {
    public enum Location: String, Sendable { case path, query, header }

    public var name: String
    public var location: Location
    public var schema: APISchema
    public var required: Bool
    public var description: String

    init(_ name: String, in location: Location, _ schema: APISchema, required: Bool = false, _ description: String) {
        self.name = name
        self.location = location
        self.schema = schema
        self.required = required || location == .path
        self.description = description
    }

    static func path(_ name: String, _ description: String, example: String? = nil) -> APIParameter {
        APIParameter(name, in: .path, example.map { APISchema.nonEmptyString.example(.string($0)) } ?? .nonEmptyString, description)
    }

    static func query(_ name: String, _ schema: APISchema, _ description: String) -> APIParameter {
        APIParameter(name, in: .query, schema, description)
    }

    /// An enum filter such as `?status=` (`ListQuery.filter`): an empty value means no filter.
    static func filter<T: CaseIterable & RawRepresentable>(
        _ name: String, _: T.Type, _ description: String, empty: String = "Empty or absent: no filter."
    ) -> APIParameter where T.RawValue == String {
        query(name, .oneOf(T.allCases.map(\.rawValue) + [""]), description + " " + empty)
    }

    /// `?limit=` and `?cursor=` of every list (CONTRACT §2).
    static var paging: [APIParameter] {
        [
            query("limit", APISchema(.integer(minimum: 1, maximum: nil)),
                  "Items per page: default \(ListQuery.defaultLimit), values above \(ListQuery.maxLimit) are treated as \(ListQuery.maxLimit). Zero, negative or non-numeric: 400."),
            query("cursor", .string,
                  "The `nextCursor` of the previous page; omit for the first page. A cursor the API did not issue: 400."),
        ]
    }

    static var idempotencyKey: APIParameter {
        APIParameter(
            "Idempotency-Key", in: .header, APISchema(.string(format: nil, values: nil, minLength: 1, maxLength: 255)),
            "1 to 255 printable ASCII characters. The same key within 24 h in this workspace replays the first "
                + "successful response (with `Idempotent-Replayed: true`) and creates nothing; the same key with a "
                + "different request is 422; while the first request still runs, 409.")
    }
}

/// A request body: its media types, each with a schema, and an example.
public struct APIRequestBody: Sendable {
    public var required: Bool
    public var description: String
    public var content: [(mediaType: String, schema: APISchema)]
    public var example: JSONValue?

    init(required: Bool = true, _ description: String = "", _ content: [(String, APISchema)], example: JSONValue? = nil) {
        self.required = required
        self.description = description
        self.content = content.map { (mediaType: $0.0, schema: $0.1) }
        self.example = example
    }

    /// A JSON object body of component schema `name`.
    static func json(_ name: String, required: Bool = true, example: JSONValue? = nil) -> APIRequestBody {
        APIRequestBody(required: required, "", [("application/json", .ref(name))], example: example)
    }

    /// Whether any content type is accepted (provider events), so there is no 415.
    var acceptsAnyType: Bool { content.contains { $0.mediaType == "*/*" } }
}

/// A successful response.
public struct APIResponse: Sendable {
    public var status: Int
    public var description: String
    /// `nil` for a response without a body (204).
    public var mediaType: String?
    public var schema: APISchema?
    public var example: JSONValue?

    init(_ status: Int, _ description: String, _ mediaType: String? = "application/json", _ schema: APISchema? = nil,
         example: JSONValue? = nil) {
        self.status = status
        self.description = description
        self.mediaType = schema == nil && mediaType == "application/json" ? nil : mediaType
        self.schema = schema
        self.example = example
    }

    static func json(_ status: Int, _ description: String, _ name: String, example: JSONValue? = nil) -> APIResponse {
        APIResponse(status, description, "application/json", .ref(name), example: example)
    }

    static func noContent(_ description: String) -> APIResponse { APIResponse(204, description, nil) }
}
