import BatchSenderCore
import BatchSenderEvents

/// `/v1/api-keys`, `/v1/suppressions`, provider events and the operations endpoints
/// (CONTRACT §6–§8, §12).
extension APIReference {
    static var apiKeyOperations: [APIOperation] {
        let tag = "API keys"
        return [
            APIOperation(
                "POST", "/v1/api-keys", id: "createAPIKey", tag: tag, summary: "Create an API key",
                description: "The plaintext `key` is in this response only (and in a replay of it with the same `Idempotency-Key`).",
                access: .apiKey(.admin), body: .json("APIKeyCreate"),
                responses: [.json(201, "The key, with its plaintext.", "APIKeyCreated")], problems: [422], idempotent: true),
            APIOperation(
                "GET", "/v1/api-keys", id: "listAPIKeys", tag: tag, summary: "List API keys",
                description: "Revoked keys too; never the key itself.",
                access: .apiKey(.read), parameters: APIParameter.paging,
                responses: [.json(200, "A page of keys, newest first.", "APIKeyList")]),
            APIOperation(
                "DELETE", "/v1/api-keys/{id}", id: "revokeAPIKey", tag: tag, summary: "Revoke an API key",
                description: "Takes effect at once, for every process.",
                access: .apiKey(.admin), parameters: [.path("id", "The key's id (not the key).", example: "key_01JD4M9A1B2C3D4E5F6G7H8J9K")],
                responses: [.noContent("Revoked.")]),
        ]
    }

    static var suppressionOperations: [APIOperation] {
        let tag = "Suppressions"
        let address = APIParameter.path("address", "The address, percent-encoded; email addresses match case-insensitively.",
                                        example: "ann@example.com")
        return [
            APIOperation(
                "POST", "/v1/suppressions", id: "createSuppression", tag: tag, summary: "Suppress an address",
                description: "Recipients with this `to` are never sent to: checked when they are added and again before each send.",
                access: .apiKey(.send), body: .json("SuppressionCreate"),
                responses: [.json(201, "Suppressed.", "Suppression"), .json(200, "The address was suppressed already; the existing entry.", "Suppression")],
                problems: [422], idempotent: true),
            APIOperation(
                "GET", "/v1/suppressions", id: "listSuppressions", tag: tag, summary: "List suppressions",
                access: .apiKey(.read), parameters: APIParameter.paging,
                responses: [.json(200, "A page of suppressions, newest first.", "SuppressionList")]),
            APIOperation(
                "GET", "/v1/suppressions/{address}", id: "getSuppression", tag: tag, summary: "Check an address",
                description: "404 when the address is not suppressed.",
                access: .apiKey(.read), parameters: [address], responses: [.json(200, "The entry.", "Suppression")]),
            APIOperation(
                "DELETE", "/v1/suppressions/{address}", id: "deleteSuppression", tag: tag, summary: "Unsuppress an address",
                access: .apiKey(.send), parameters: [address], responses: [.noContent("Removed.")]),
        ]
    }

    static var eventOperations: [APIOperation] {
        let names = Provider.allCases.compactMap(EventIntake.pathName(of:))
        let parameters = [
            APIParameter("provider", in: .path, .oneOf(names), "The send config's provider (`webhook` for `http`)."),
            APIParameter.path("sendConfigId", "The send config whose credentials verify the signature.",
                              example: "sc_01JD4M3Q8W2B7N5X9Y6Z0A1B2C"),
        ]
        let description = """
            No API key: the provider's own signature is the authentication, checked with the secret in the \
            send config's credentials — Resend: Svix headers and `webhookSecret`; SES: the SNS message signature \
            (only from `settings.snsTopicArn`); Twilio: `X-Twilio-Signature` with `authToken` over \
            `BATCHSENDER_PUBLIC_URL` + path + query; Vonage: `signatureSecret`; Telnyx: Ed25519 with `publicKey`; \
            webhook: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with `signingSecret` \
            and the body `{"type": "delivered|bounced|complained|failed|opened|clicked", "messageId": "...", "hard"?: bool}`. \
            A missing or invalid signature, or a timestamp more than 5 minutes off, is 401 and records nothing. \
            Events are deduplicated and matched to recipients by provider message id; hard bounces and complaints \
            suppress the address. Not rate limited.
            """
        let tag = "Provider events"
        return [
            APIOperation(
                "POST", "/v1/events/{provider}/{sendConfigId}", id: "receiveProviderEvent", tag: tag,
                summary: "Receive provider events",
                description: description + " Any content type is accepted (SNS posts `text/plain`); at most 1 MiB.",
                access: .providerSignature, parameters: parameters,
                body: APIRequestBody("The provider's own format.", [("*/*", .any)]),
                responses: [.json(200, "Accepted.", "EventReceipt")], problems: [422, 502, 503]),
            APIOperation(
                "GET", "/v1/events/{provider}/{sendConfigId}", id: "receiveProviderEventByQuery", tag: tag,
                summary: "Receive provider events as query parameters",
                description: "Vonage can deliver receipts as GET query parameters; verified the same way.",
                access: .providerSignature, parameters: parameters,
                responses: [.json(200, "Accepted.", "EventReceipt")], problems: [422, 502, 503]),
        ]
    }

    static var operationsEndpoints: [APIOperation] {
        let tag = "Operations"
        return [
            APIOperation(
                "GET", "/health", id: "health", tag: tag, summary: "Liveness",
                description: "200 while the process runs.", access: .open,
                responses: [.json(200, "Running.", "Health", example: ["status": "ok"])]),
            APIOperation(
                "GET", "/ready", id: "ready", tag: tag, summary: "Readiness",
                description: "200 when the database is reachable and migrated, else 503.", access: .open,
                responses: [
                    .json(200, "Ready.", "Readiness", example: ["status": "ready"]),
                    .json(503, "The database is unreachable or not migrated.", "Readiness",
                          example: ["status": "unavailable", "detail": "database not ready"]),
                ]),
            APIOperation(
                "GET", "/metrics", id: "metrics", tag: tag, summary: "Prometheus metrics",
                description: "Prometheus text format. With `BATCHSENDER_METRICS_TOKEN` set, requires it as a bearer token.",
                access: .metricsToken,
                responses: [APIResponse(200, "The metrics.", "text/plain", .string)]),
            APIOperation(
                "GET", "/openapi.json", id: "openAPIDocument", tag: tag, summary: "This API as OpenAPI 3.1",
                access: .open, responses: [APIResponse(200, "The OpenAPI document.", "application/json", .any)]),
            APIOperation(
                "GET", "/docs", id: "apiReference", tag: tag, summary: "This API reference as a web page",
                access: .open, responses: [APIResponse(200, "The reference page.", "text/html", .string)]),
        ]
    }
}
