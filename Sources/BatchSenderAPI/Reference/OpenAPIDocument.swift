import BatchSenderCore

/// `APIReference` as an OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0), served at
/// `/openapi.json` (CONTRACT §12).
public enum OpenAPIDocument {
    /// The document's text, rendered once: it depends on nothing but the code.
    public static let text: String = document.jsonText()

    public static var document: JSONValue {
        [
            "openapi": "3.1.0",
            "info": [
                "title": .string(APIReference.title), "version": .string(APIReference.version),
                "description": .string(APIReference.introduction),
            ],
            "tags": .array(APIReference.tags.map { ["name": .string($0.name), "description": .string($0.description)] }),
            "paths": paths,
            "components": [
                "schemas": .object(Dictionary(APIReference.schemas.map { ($0.name, $0.schema.json) }, uniquingKeysWith: { a, _ in a })),
                "responses": .object(Dictionary(uniqueKeysWithValues: ProblemResponse.all.map { ($0.name, $0.json) })),
                "headers": headers,
                "securitySchemes": [
                    "apiKey": [
                        "type": "http", "scheme": "bearer",
                        "description": "An API key (`bsk_…`): `batchsender keys create`, `POST /v1/api-keys`, or the `admin api key:` line of the first start.",
                    ],
                    "metricsToken": [
                        "type": "http", "scheme": "bearer",
                        "description": "`BATCHSENDER_METRICS_TOKEN`, when it is set.",
                    ],
                ],
            ],
        ]
    }

    static var paths: JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in APIReference.operations {
            paths[operation.path, default: [:]][operation.method.lowercased()] = json(operation)
        }
        return .object(paths.mapValues(JSONValue.object))
    }

    static func json(_ operation: APIOperation) -> JSONValue {
        var object: [String: JSONValue] = [
            "operationId": .string(operation.operationID), "tags": [.string(operation.tag)],
            "summary": .string(operation.summary), "responses": responses(operation),
        ]
        var description = operation.description
        switch operation.access {
        case .apiKey(let scope):
            object["security"] = [["apiKey": []]]
            object["x-required-scope"] = .string(scope.rawValue)
            description += (description.isEmpty ? "" : "\n\n") + "Requires scope `\(scope.rawValue)` (or a broader one)."
        case .metricsToken:
            // Either nothing (the default) or the metrics token, when one is configured.
            object["security"] = [[:], ["metricsToken": []]]
        case .open, .providerSignature:
            object["security"] = []
        }
        if !description.isEmpty { object["description"] = .string(description) }
        if !operation.parameters.isEmpty { object["parameters"] = .array(operation.parameters.map(json)) }
        if let body = operation.body {
            var content: [String: JSONValue] = [:]
            for (type, schema) in body.content {
                var media: [String: JSONValue] = ["schema": schema.json]
                if type == "application/json", let example = body.example { media["example"] = example }
                content[type] = .object(media)
            }
            var requestBody: [String: JSONValue] = ["required": .bool(body.required), "content": .object(content)]
            if !body.description.isEmpty { requestBody["description"] = .string(body.description) }
            object["requestBody"] = .object(requestBody)
        }
        return .object(object)
    }

    static func json(_ parameter: APIParameter) -> JSONValue {
        [
            "name": .string(parameter.name), "in": .string(parameter.location.rawValue),
            "required": .bool(parameter.required), "description": .string(parameter.description),
            "schema": parameter.schema.json,
        ]
    }

    /// The success responses as listed, then a reference to the shared problem response of
    /// every error status the operation can answer.
    static func responses(_ operation: APIOperation) -> JSONValue {
        var responses: [String: JSONValue] = [:]
        for response in operation.responses {
            var object: [String: JSONValue] = ["description": .string(response.description)]
            var headers = ["X-Request-Id": header("X-Request-Id")]
            if operation.isRateLimited {
                for name in rateLimitHeaders { headers[name] = header(name) }
            }
            if operation.idempotent { headers["Idempotent-Replayed"] = header("Idempotent-Replayed") }
            object["headers"] = .object(headers)
            if let type = response.mediaType, let schema = response.schema {
                var media: [String: JSONValue] = ["schema": schema.json]
                if let example = response.example { media["example"] = example }
                object["content"] = [type: .object(media)]
            }
            responses[String(response.status)] = .object(object)
        }
        for status in operation.problemStatuses where responses[String(status)] == nil {
            guard let problem = ProblemResponse.all.first(where: { $0.status == status }) else { continue }
            responses[String(status)] = ["$ref": .string("#/components/responses/\(problem.name)")]
        }
        return .object(responses)
    }

    static let rateLimitHeaders = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]

    static func header(_ name: String) -> JSONValue { ["$ref": .string("#/components/headers/\(name)")] }

    /// Response headers. Only `X-Request-Id` is marked required (every response carries it); the
    /// others may be left out (a request refused before the rate limiter runs has no `RateLimit-*`),
    /// and schemathesis counts a required header that is missing as a broken promise.
    static var headers: JSONValue {
        let seconds = APISchema(.integer(minimum: 0, maximum: nil))
        let entries: [(String, APISchema, String)] = [
            ("X-Request-Id", .string, "The request's id: the client's `X-Request-Id` when it is valid, else a new one. Logged with every line of the request."),
            ("RateLimit-Limit", seconds, "Requests this key may make at once (the burst of `BATCHSENDER_API_RATE_LIMIT`)."),
            ("RateLimit-Remaining", seconds, "Requests left before the limit applies."),
            ("RateLimit-Reset", seconds, "Seconds until the allowance is full again."),
            ("Retry-After", seconds, "Seconds to wait before trying again (RFC 9110 §10.2.3)."),
            ("WWW-Authenticate", .string, "`Bearer` (RFC 6750)."),
            ("Idempotent-Replayed", APISchema.oneOf(["true"]), "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`."),
        ]
        return .object(Dictionary(uniqueKeysWithValues: entries.map { name, schema, description in
            (name, ["description": .string(description), "required": .bool(name == "X-Request-Id"), "schema": schema.json] as JSONValue)
        }))
    }
}

/// The shared `application/problem+json` responses of `#/components/responses`.
struct ProblemResponse {
    var status: Int
    var name: String
    var description: String
    var headers: [String] = []

    static let all: [ProblemResponse] = [
        ProblemResponse(status: 400, name: "BadRequest", description: "Malformed request: a body that is not JSON or not an object, a bad `limit`, an unknown `cursor`, a malformed `Idempotency-Key`."),
        ProblemResponse(status: 401, name: "Unauthorized", description: "Missing, invalid or revoked credentials.", headers: ["WWW-Authenticate"]),
        ProblemResponse(status: 403, name: "Forbidden", description: "The API key lacks the scope this operation needs."),
        ProblemResponse(status: 404, name: "NotFound", description: "No such resource in this workspace."),
        ProblemResponse(status: 409, name: "Conflict", description: "The resource's state does not allow this now, or a request with the same `Idempotency-Key` is still running."),
        ProblemResponse(status: 413, name: "ContentTooLarge", description: "The body exceeds its limit (JSON 10 MiB, CSV 256 MiB by default)."),
        ProblemResponse(status: 415, name: "UnsupportedMediaType", description: "A content type this operation does not read."),
        ProblemResponse(status: 422, name: "UnprocessableContent", description: "Well-formed but invalid: `errors` names every field, recipient `index` or CSV `row`."),
        ProblemResponse(status: 429, name: "TooManyRequests", description: "Over this API key's rate limit.", headers: ["Retry-After"]),
        ProblemResponse(status: 502, name: "BadGateway", description: "A provider we had to call back failed (SNS subscription confirmation); the provider retries."),
        ProblemResponse(status: 503, name: "ServiceUnavailable", description: "The database is unreachable, or this process does not serve this operation.", headers: ["Retry-After"]),
    ]

    var json: JSONValue {
        var headers: [String: JSONValue] = ["X-Request-Id": OpenAPIDocument.header("X-Request-Id")]
        for name in self.headers + (status == 401 || status >= 500 ? [] : OpenAPIDocument.rateLimitHeaders) {
            headers[name] = OpenAPIDocument.header(name)
        }
        return [
            "description": .string(description), "headers": .object(headers),
            "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]],
        ]
    }
}
