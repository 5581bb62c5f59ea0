import BatchSenderCore

/// Schemas of API keys, suppressions, provider events and the operations endpoints (CONTRACT §6–§8, §10).
extension APIReference {
    static var scopes: APISchema {
        APISchema(.array(.oneOf(APIOperation.Scope.allCases.reversed().map(\.rawValue)), minItems: 1, maxItems: nil))
    }

    static var apiKeyFields: [APIProperty] {
        [
            APIProperty("id", id, required: true),
            APIProperty("name", .string, required: true),
            APIProperty("prefix", APISchema.string.describe("The first characters of the key, to recognise it."), required: true),
            APIProperty("scopes", scopes.describe("What the key may do: `admin` everything; `send` batches, recipients, suppressions and send-config tests (send configs read-only); `read` every GET except the audit log."), required: true),
            APIProperty("createdAt", .dateTime, required: true),
            APIProperty("revokedAt", APISchema.dateTime.orNull, required: true),
        ]
    }

    static var apiKey: APISchema {
        APISchema.object(apiKeyFields).describe("An API key; the key itself is never listed.").example([
            "id": "key_01JD4M9A1B2C3D4E5F6G7H8J9K", "name": "reporting", "prefix": "bsk_Zx81Qa2b",
            "scopes": ["read"], "createdAt": "2026-11-30T09:00:00Z", "revokedAt": nil,
        ])
    }

    static var apiKeyCreate: APISchema {
        .object([
            APIProperty("name", APISchema.string(maxLength: 200), required: true),
            APIProperty("scopes", scopes.orNull.describe("Default `[\"admin\"]`.")),
        ]).example(["name": "reporting", "scopes": ["read"]])
    }

    static var apiKeyCreated: APISchema {
        APISchema.object(apiKeyFields + [
            APIProperty("key", APISchema.string.describe("The plaintext key (`bsk_…`), shown only in this response."), required: true),
        ]).example([
            "id": "key_01JD4M9A1B2C3D4E5F6G7H8J9K", "name": "reporting", "prefix": "bsk_Zx81Qa2b",
            "key": "bsk_Zx81Qa2b…", "scopes": ["read"], "createdAt": "2026-11-30T09:00:00Z", "revokedAt": nil,
        ])
    }

    static var suppression: APISchema {
        .object([
            APIProperty("address", APISchema.string.describe("Email addresses are stored lowercased."), required: true),
            APIProperty("reason", .cases(of: SuppressionReason.self), required: true),
            APIProperty("createdAt", .dateTime, required: true),
        ]).example(["address": "ann@example.com", "reason": "unsubscribe", "createdAt": "2026-11-30T09:00:00Z"])
    }

    static var suppressionCreate: APISchema {
        .object([
            APIProperty("address", APISchema.nonEmptyString.describe("Any recipient `to`, at most 2048 bytes."), required: true),
            APIProperty("reason", APISchema.cases(of: SuppressionReason.self).orNull.describe("Default `manual`.")),
        ]).example(["address": "ann@example.com", "reason": "unsubscribe"])
    }

    static var eventReceipt: APISchema {
        .object([
            APIProperty("received", APISchema.count.describe("Events in the request.")),
            APIProperty("recorded", APISchema.count.describe("New events stored.")),
            APIProperty("duplicates", APISchema.count.describe("Events seen before.")),
            APIProperty("applied", APISchema.count.describe("Events that changed a recipient's status.")),
            APIProperty("pending", APISchema.count.describe("Events whose message id matches no recipient yet.")),
            APIProperty("subscribed", APISchema.boolean.describe("SES: an SNS subscription was confirmed.")),
            APIProperty("note", APISchema.string.describe("Why nothing was recorded (an event type that changes nothing).")),
        ]).describe("What was done with a provider's request.")
    }

    static var readiness: APISchema {
        .object([
            APIProperty("status", .oneOf(["ready", "unavailable"]), required: true),
            APIProperty("detail", .string),
        ])
    }
}
