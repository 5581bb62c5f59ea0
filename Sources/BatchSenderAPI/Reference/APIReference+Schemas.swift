import BatchSenderCore
import BatchSenderDelivery

/// The named schemas of `#/components/schemas`, in the order `/docs` shows them. The shapes are
/// those the presenters (`Present`) write and the input readers (`ObjectReader`) accept; the API
/// tests hold responses to them and schemathesis holds the running server to them.
extension APIReference {
    static var schemas: [(name: String, schema: APISchema)] {
        [
            ("Problem", problem),
            ("ProblemIssue", problemIssue),
            ("SendConfig", sendConfig),
            ("SendConfigCreate", sendConfigCreate),
            ("SendConfigUpdate", sendConfigUpdate),
            ("RateLimit", rateLimit),
            ("SendConfigList", list(of: "SendConfig")),
            ("TestSendRequest", testSendRequest),
            ("TestSendResult", testSendResult),
            ("Batch", batch),
            ("BatchCreate", batchCreate),
            ("BatchCreated", batchCreated),
            ("BatchCounts", batchCounts),
            ("BatchList", list(of: "Batch")),
            ("RetryRequest", retryRequest),
            ("EmailPayload", emailPayload),
            ("SMSPayload", smsPayload),
            ("WebhookPayload", webhookPayload),
            ("CRMPayload", crmPayload),
            ("RecipientInput", recipientInput),
            ("RecipientsAdd", recipientsAdd),
            ("RecipientsAdded", recipientsAdded),
            ("Recipient", recipient),
            ("RecipientList", list(of: "Recipient")),
            ("RecipientEvent", recipientEvent),
            ("RecipientEventList", .object([APIProperty("data", .array(.ref("RecipientEvent")), required: true)])),
            ("APIKey", apiKey),
            ("APIKeyCreate", apiKeyCreate),
            ("APIKeyCreated", apiKeyCreated),
            ("APIKeyList", list(of: "APIKey")),
        ] + userSchemas + [
            ("Suppression", suppression),
            ("SuppressionCreate", suppressionCreate),
            ("SuppressionList", list(of: "Suppression")),
            ("EventReceipt", eventReceipt),
            ("Health", .object([APIProperty("status", .oneOf(["ok"]), required: true)])),
            ("Readiness", readiness),
        ]
    }

    /// `{data: [...], nextCursor}` (CONTRACT §2).
    static func list(of item: String) -> APISchema {
        .object([
            APIProperty("data", .array(.ref(item)), required: true),
            APIProperty("nextCursor", APISchema.string.orNull.describe("Pass as `?cursor=` for the next page; `null` on the last page."),
                        required: true),
        ]).describe("A page of \(item) items, newest first.")
    }

    static var id: APISchema { .nonEmptyString }

    // MARK: Errors

    static var problem: APISchema {
        .object([
            APIProperty("type", APISchema.uri.describe("Identifies the kind of problem; one per status."), required: true),
            APIProperty("title", APISchema.string.describe("The status's reason phrase."), required: true),
            APIProperty("status", .integer(400...599), required: true),
            APIProperty("detail", APISchema.string.describe("What went wrong, for a person; always present."), required: true),
            APIProperty("errors", APISchema.array(.ref("ProblemIssue")).describe("Every validation issue, when there are several.")),
        ]).describe("An RFC 9457 problem (`application/problem+json`). Never carries stack traces, SQL or internal messages.")
        .example(["type": "https://batchsender.dev/problems/unprocessable-content", "title": "Unprocessable Content",
                  "status": 422, "detail": "invalid request: to recipient 0 is not a valid email address",
                  "errors": [["field": "to", "index": 0, "message": "is not a valid email address"]]])
    }

    static var problemIssue: APISchema {
        .object([
            APIProperty("field", APISchema.string.describe("The field, dotted for nested ones (`payload.subject`).")),
            APIProperty("index", APISchema.count.describe("The position of the recipient in a JSON `recipients` array.")),
            APIProperty("row", APISchema(.integer(minimum: 1, maximum: nil)).describe("The CSV row, numbered as in a spreadsheet (the header is row 1).")),
            APIProperty("message", .string, required: true),
        ])
    }

    // MARK: Send configs

    static var rateLimit: APISchema {
        .object([
            APIProperty("perSecond", APISchema.number(0.001...1_000_000).describe("Provider calls per second for this config across every worker."), required: true),
            APIProperty("burst", APISchema.integer(1...1_000_000).orNull.describe("Calls allowed at once after a quiet spell.")),
        ])
    }

    static var sendConfig: APISchema {
        .object([
            APIProperty("id", id, required: true),
            APIProperty("name", .string, required: true),
            APIProperty("module", .cases(of: Module.self), required: true),
            APIProperty("provider", .cases(of: Provider.self), required: true),
            APIProperty("credentials", APISchema.map(.string).describe("Masked hints of the stored credentials (such as `re_…1a2b`); the values are never returned."), required: true),
            APIProperty("settings", APISchema.map(.any), required: true),
            APIProperty("rateLimit", APISchema.ref("RateLimit").orNull, required: true),
            APIProperty("maxConcurrency", APISchema.integer(1...10_000).orNull.describe("In-flight provider calls at most."), required: true),
            APIProperty("createdAt", .dateTime, required: true),
            APIProperty("updatedAt", .dateTime, required: true),
        ]).example(sendConfigExample)
    }

    static var sendConfigExample: JSONValue {
        ["id": "sc_01JD4M3Q8W2B7N5X9Y6Z0A1B2C", "name": "Newsletter", "module": "email", "provider": "resend",
         "credentials": ["apiKey": "re_…1a2b"], "settings": ["baseUrl": "https://api.resend.com"],
         "rateLimit": ["perSecond": 10, "burst": 20], "maxConcurrency": 16,
         "createdAt": "2026-11-30T09:00:00Z", "updatedAt": "2026-11-30T09:00:00Z"]
    }

    static var sendConfigFields: [APIProperty] {
        [
            APIProperty("name", APISchema.nonEmptyString.orNull.describe("Defaults to `<provider> <module>`.")),
            APIProperty("settings", APISchema.map(.any).orNull.describe(
                "Per provider (CONTRACT §3): `baseUrl` for every HTTP provider; SES `region`, `snsTopicArn`; SMTP `host`, `port`, `security`; sandbox `latencyMs`, `failureRate`.")),
            APIProperty("rateLimit", APISchema.ref("RateLimit").orNull.describe("Without it, the provider's default applies; `null` in an update clears it.")),
            APIProperty("maxConcurrency", APISchema.integer(1...10_000).orNull),
        ]
    }

    static var sendConfigCreate: APISchema {
        .object([
            APIProperty("module", .cases(of: Module.self), required: true),
            APIProperty("provider", APISchema.cases(of: Provider.self).describe(
                "Per module: " + Module.allCases.map { "\($0.rawValue): \($0.providers.map(\.rawValue).joined(separator: ", "))" }
                    .joined(separator: "; ") + "."), required: true),
            APIProperty("credentials", APISchema.map(.string).orNull.describe(
                "Secrets, encrypted at rest and never returned: Resend `apiKey`, `webhookSecret`; SES `accessKeyId`, `secretAccessKey`; Twilio `accountSid`, `authToken`; webhook `signingSecret`; …")),
        ] + sendConfigFields).example([
            "name": "Newsletter", "module": "email", "provider": "resend", "credentials": ["apiKey": "re_123"],
            "settings": ["baseUrl": "https://api.resend.com"], "rateLimit": ["perSecond": 10, "burst": 20], "maxConcurrency": 16,
        ])
    }

    static var sendConfigUpdate: APISchema {
        .object([
            APIProperty("module", APISchema.cases(of: Module.self).orNull.describe("Cannot change: a different value is 422.")),
            APIProperty("provider", APISchema.cases(of: Provider.self).orNull.describe("Cannot change: a different value is 422.")),
            APIProperty("credentials", APISchema.map(APISchema.string.orNull).orNull.describe(
                "Merged into the stored credentials; a `null` value removes one.")),
        ] + sendConfigFields).describe("Only the fields given change.").example(["name": "Newsletter (EU)", "rateLimit": ["perSecond": 5]])
    }

    static var testSendRequest: APISchema {
        .object([
            APIProperty("to", APISchema.nonEmptyString.describe("An address valid for the config's module."), required: true),
            APIProperty("variables", APISchema.map(.any).orNull),
            APIProperty("payload", APISchema.any.describe("As in a batch; without it, a short test message for the module.")),
        ]).example(["to": "ann@example.com", "variables": ["name": "Ann"]])
    }

    static var testSendResult: APISchema {
        .object([
            APIProperty("ok", .boolean, required: true),
            APIProperty("providerMessageId", APISchema.string.orNull, required: true),
            APIProperty("error", APISchema.string.orNull.describe("The provider's reason when `ok` is false."), required: true),
            APIProperty("latencyMs", .count, required: true),
        ]).example(["ok": true, "providerMessageId": "4ef9a1b2", "error": nil, "latencyMs": 182])
    }
}
