import BatchSenderCore
import BatchSenderDelivery

/// Schemas of batches, payloads and recipients (CONTRACT §4).
extension APIReference {
    static var batchCounts: APISchema {
        .object([APIProperty("total", .count, required: true)]
            + RecipientStatus.allCases.map { APIProperty($0.rawValue, .count, required: true) })
            .describe("Recipients by status; once the batch is `completed` they add up to `total`.")
    }

    static var batchFields: [APIProperty] {
        [
            APIProperty("id", id, required: true),
            APIProperty("name", .string, required: true),
            APIProperty("status", .cases(of: BatchStatus.self), required: true),
            APIProperty("module", .cases(of: Module.self), required: true),
            APIProperty("provider", .cases(of: Provider.self), required: true),
            APIProperty("sendConfigId", id, required: true),
            APIProperty("dryRun", .boolean, required: true),
            APIProperty("maxAttempts", .integer(1...20), required: true),
            APIProperty("payload", APISchema.any.describe("The payload as given at creation."), required: true),
            APIProperty("createdAt", .dateTime, required: true),
            APIProperty("scheduledAt", APISchema.dateTime.orNull, required: true),
            APIProperty("startedAt", APISchema.dateTime.orNull, required: true),
            APIProperty("completedAt", APISchema.dateTime.orNull, required: true),
            APIProperty("updatedAt", .dateTime, required: true),
            APIProperty("counts", .ref("BatchCounts"), required: true),
            APIProperty("engagement", .object([
                APIProperty("opened", .count, required: true), APIProperty("clicked", .count, required: true),
            ]), required: true),
        ]
    }

    static var batch: APISchema { APISchema.object(batchFields).example(batchExample) }

    static var batchCreated: APISchema {
        APISchema.object(batchFields + [
            APIProperty("duplicates", APISchema.count.describe("Recipients given more than once, stored once."), required: true),
        ]).describe("The new batch, status `draft`.")
    }

    static var batchExample: JSONValue {
        var counts: [String: JSONValue] = ["total": 2]
        for status in RecipientStatus.allCases { counts[status.rawValue] = 0 }
        counts["delivered"] = 1
        counts["sending"] = 1
        return [
            "id": "bat_01JD4M7T3K9P2Q8R5S6V7W8X9Y", "name": "November", "status": "processing", "module": "email",
            "provider": "resend", "sendConfigId": "sc_01JD4M3Q8W2B7N5X9Y6Z0A1B2C", "dryRun": false, "maxAttempts": 5,
            "payload": ["from": "news@example.com", "subject": "Hi {{name}}", "html": "<p>Hello {{name}}</p>"],
            "createdAt": "2026-11-30T09:00:00Z", "scheduledAt": nil, "startedAt": "2026-11-30T09:01:00Z",
            "completedAt": nil, "updatedAt": "2026-11-30T09:01:02Z", "counts": .object(counts),
            "engagement": ["opened": 0, "clicked": 0],
        ]
    }

    static var batchCreate: APISchema {
        .object([
            APIProperty("name", APISchema.nonEmptyString.orNull.describe("Defaults to `Batch <timestamp>`.")),
            APIProperty("sendConfigId", id, required: true),
            APIProperty("payload", APISchema.anyOf([.ref("EmailPayload"), .ref("SMSPayload"), .ref("WebhookPayload"), .ref("CRMPayload")])
                .describe("By the send config's module. String fields are Mustache templates over the recipient's `variables` plus `to`."),
                required: true),
            APIProperty("recipients", APISchema.array(.ref("RecipientInput"), maxItems: Limits().maxRecipientsPerRequest).orNull.describe(
                "Optional: add more later with `POST /v1/batches/{id}/recipients`. Any invalid recipient rejects the request whole (422, errors carry `index`).")),
            APIProperty("scheduledAt", APISchema.dateTime.orNull.describe("When given, must be in the future (else 422).")),
            APIProperty("dryRun", APISchema.boolean.orNull.describe("Everything but the provider call; recipients end `sent` with a `dryrun_` message id.")),
            APIProperty("maxAttempts", APISchema.integer(1...20).orNull.describe("Default 5.")),
        ]).example([
            "name": "November", "sendConfigId": "sc_01JD4M3Q8W2B7N5X9Y6Z0A1B2C",
            "payload": ["from": "news@example.com", "subject": "Hi {{name}}", "html": "<p>Hello {{name}}</p>"],
            "recipients": [["to": "ann@example.com", "variables": ["name": "Ann"]]],
            "scheduledAt": nil, "dryRun": false, "maxAttempts": 5,
        ])
    }

    static var retryRequest: APISchema {
        .object([
            APIProperty("statuses", APISchema(.array(.oneOf(RecipientStatus.retryable.map(\.rawValue).sorted()), minItems: 1, maxItems: nil)).orNull
                .describe("Which recipients to re-queue; default `[\"failed\"]`."))
        ]).example(["statuses": ["failed", "bounced"]])
    }

    static var headers: APISchema { APISchema.map(.string).orNull.describe("Extra headers; values are templates.") }

    static var emailPayload: APISchema {
        .object([
            APIProperty("from", .nonEmptyString, required: true),
            APIProperty("fromName", APISchema.string.orNull),
            APIProperty("replyTo", APISchema.string.orNull),
            APIProperty("subject", .nonEmptyString, required: true),
            APIProperty("html", APISchema.string.orNull.describe("HTML-escapes `{{x}}`; `{{{x}}}` inserts raw. `html` or `text` is required.")),
            APIProperty("text", APISchema.string.orNull),
            APIProperty("headers", headers),
            APIProperty("unsubscribeUrl", APISchema.string.orNull.describe("Sent as `List-Unsubscribe` (RFC 8058 one-click).")),
        ]).describe("Module `email`.")
    }

    static var smsPayload: APISchema {
        .object([
            APIProperty("from", APISchema.nonEmptyString.describe("An E.164 number or an alphanumeric sender id of 1 to 11 characters."), required: true),
            APIProperty("message", .nonEmptyString, required: true),
        ]).describe("Module `sms`.")
    }

    static var webhookPayload: APISchema {
        .object([
            APIProperty("url", APISchema.string.orNull.describe("Without it, the recipient's `to` is the URL.")),
            APIProperty("method", APISchema.string.orNull.describe("POST (default), PUT, PATCH, DELETE or GET.")),
            APIProperty("headers", headers),
            APIProperty("body", APISchema.any.describe("Any JSON; its strings are templates, JSON-escaped when rendered.")),
            APIProperty("timeoutMs", APISchema.integer(1...120_000).orNull),
        ]).describe("Module `webhook`.")
    }

    static var crmPayload: APISchema {
        .object([
            APIProperty("object", APISchema.nonEmptyString.describe("`contacts`, `Account`, `persons`, …"), required: true),
            APIProperty("operation", .cases(of: CRMOperation.self), required: true),
            APIProperty("externalIdField", APISchema.string.orNull.describe("For `upsert`: the field `to` is matched on.")),
        ]).describe("Module `crm`: each recipient is a record, its `variables` the fields.")
    }

    static var recipientInput: APISchema {
        .object([
            APIProperty("to", APISchema.string.describe("An email address, an E.164 phone number (`+` and 8–15 digits), an absolute http(s) URL, or a CRM record key, by module."), required: true),
            APIProperty("variables", APISchema.map(.any).orNull),
        ])
    }

    static var recipientsAdd: APISchema {
        .object([
            APIProperty("recipients", APISchema.array(.ref("RecipientInput"), maxItems: Limits().maxRecipientsPerRequest), required: true),
        ]).example(["recipients": [["to": "bob@example.com", "variables": ["name": "Bob"]]]])
    }

    static var recipientsAdded: APISchema {
        .object([
            APIProperty("added", .count, required: true),
            APIProperty("duplicates", .count, required: true),
            APIProperty("suppressed", APISchema.count.describe("Added as `suppressed`: on the suppression list."), required: true),
            APIProperty("total", APISchema.count.describe("Recipients in the batch now."), required: true),
            APIProperty("rejected", APISchema.array(.ref("ProblemIssue")).describe("With `onInvalid=skip`: the rows or indexes left out (at most 1,000 listed)."), required: true),
            APIProperty("rejectedCount", APISchema.count.describe("All rejected rows, when more than are listed.")),
        ]).example(["added": 2, "duplicates": 0, "suppressed": 0, "total": 3, "rejected": [["row": 4, "field": "email", "message": "is not a valid email address"]]])
    }

    static var recipient: APISchema {
        .object([
            APIProperty("id", id, required: true),
            APIProperty("to", .string, required: true),
            APIProperty("variables", APISchema.map(.any), required: true),
            APIProperty("status", .cases(of: RecipientStatus.self), required: true),
            APIProperty("attempts", .count, required: true),
            APIProperty("lastError", APISchema.string.orNull, required: true),
            APIProperty("providerMessageId", APISchema.string.orNull, required: true),
            APIProperty("nextAttemptAt", APISchema.dateTime.orNull, required: true),
            APIProperty("sentAt", APISchema.dateTime.orNull, required: true),
            APIProperty("deliveredAt", APISchema.dateTime.orNull, required: true),
            APIProperty("updatedAt", .dateTime, required: true),
            APIProperty("segments", APISchema.count.describe("SMS only: the segments the rendered message takes.")),
        ]).example([
            "id": "rcp_1", "to": "ann@example.com", "variables": ["name": "Ann"], "status": "delivered", "attempts": 1,
            "lastError": nil, "providerMessageId": "4ef9a1b2", "nextAttemptAt": nil, "sentAt": "2026-11-30T09:01:00Z",
            "deliveredAt": "2026-11-30T09:01:04Z", "updatedAt": "2026-11-30T09:01:04Z",
        ])
    }

    static var recipientEvent: APISchema {
        .object([
            APIProperty("id", APISchema.string.describe("The provider's event id, or a digest of the event."), required: true),
            APIProperty("provider", .cases(of: Provider.self), required: true),
            APIProperty("type", .cases(of: ProviderEvent.Kind.self), required: true),
            APIProperty("hard", APISchema.boolean.orNull.describe("For bounces: whether it was permanent."), required: true),
            APIProperty("detail", APISchema.string.orNull, required: true),
            APIProperty("occurredAt", .dateTime, required: true),
            APIProperty("receivedAt", .dateTime, required: true),
            APIProperty("effect", .cases(of: RecipientEvent.Effect.self), required: true),
        ])
    }
}
