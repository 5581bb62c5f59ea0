import BatchSenderCore

/// `/v1/batches` and their recipients (CONTRACT §4; `BatchesController`, `RecipientsController`).
extension APIReference {
    static let batchID = APIParameter.path("id", "The batch's id.", example: "bat_01JD4M7T3K9P2Q8R5S6V7W8X9Y")

    static var batchOperations: [APIOperation] {
        let tag = "Batches"
        return [
            APIOperation(
                "POST", "/v1/batches", id: "createBatch", tag: tag, summary: "Create a batch",
                description: "Creates a `draft` batch, optionally with its first recipients (at most "
                    + "\(Limits().maxRecipientsPerRequest) per request; add more with `POST /v1/batches/{id}/recipients`). "
                    + "Recipients on the suppression list are stored as `suppressed`; a `to` given twice is stored once.",
                access: .apiKey(.send), body: .json("BatchCreate"),
                responses: [.json(201, "The new batch.", "BatchCreated")], problems: [404, 422], idempotent: true),
            APIOperation(
                "GET", "/v1/batches", id: "listBatches", tag: tag, summary: "List batches",
                access: .apiKey(.read),
                parameters: [
                    .filter("status", BatchStatus.self, "Only batches in this status."),
                    .filter("module", Module.self, "Only batches of this module."),
                ] + APIParameter.paging,
                responses: [.json(200, "A page of batches, newest first.", "BatchList")]),
            APIOperation(
                "GET", "/v1/batches/{id}", id: "getBatch", tag: tag, summary: "Get a batch",
                description: "A batch is `completed` exactly when no recipient is `pending`, `queued` or `sending`.",
                access: .apiKey(.read), parameters: [batchID], responses: [.json(200, "The batch.", "Batch")]),
            command("send", "sendBatch", "Send a batch", 202,
                    "Queues a `draft` batch (status `queued`, or `scheduled` when `scheduledAt` is in the future). "
                        + "A batch without recipients is 422; a batch that is not a draft is 409."),
            command("pause", "pauseBatch", "Pause a batch", 200, "No new provider calls start within a second."),
            command("resume", "resumeBatch", "Resume a paused batch", 200, ""),
            command("cancel", "cancelBatch", "Cancel a batch", 200,
                    "Every recipient not yet handed to a provider becomes `cancelled`; calls already in flight record their real outcome."),
            APIOperation(
                "POST", "/v1/batches/{id}/retry", id: "retryBatch", tag: tag, summary: "Retry recipients",
                description: "Re-queues exactly the recipients in the given statuses (`failed`, `bounced`, `cancelled`; "
                    + "default `failed`). 409 when the batch's send config is gone or the batch was never sent.",
                access: .apiKey(.send), parameters: [batchID],
                body: APIRequestBody(required: false, "", [("application/json", .ref("RetryRequest"))]),
                responses: [.json(202, "The batch, re-queued.", "Batch")], problems: [409, 422], idempotent: true),
        ]
    }

    /// A state change without a body (`send`, `pause`, `resume`, `cancel`).
    static func command(_ verb: String, _ id: String, _ summary: String, _ status: Int, _ description: String) -> APIOperation {
        APIOperation(
            "POST", "/v1/batches/{id}/\(verb)", id: id, tag: "Batches", summary: summary,
            description: description + (description.isEmpty ? "" : " ") + "Takes no body (an empty JSON object is accepted).",
            access: .apiKey(.send), parameters: [batchID],
            body: APIRequestBody(required: false, "", [("application/json", APISchema.object([]))]),
            responses: [.json(status, "The batch.", "Batch")], problems: [409, 422], idempotent: true)
    }

    static var recipientOperations: [APIOperation] {
        let tag = "Recipients"
        let status = APIParameter.filter("status", RecipientStatus.self, "Only recipients in this status.")
        return [
            APIOperation(
                "POST", "/v1/batches/{id}/recipients", id: "addRecipients", tag: tag, summary: "Add recipients",
                description: "Only while the batch is a `draft` (else 409). JSON `{recipients: [...]}` (at most "
                    + "\(Limits().maxRecipientsPerRequest)), or `text/csv` with a header row: the column `to` (or `email`, "
                    + "`phone`, `url`) is the address and every other column a string variable; CSV is read streaming, "
                    + "up to 256 MiB. Rows are numbered as in a spreadsheet: the header is row 1.",
                access: .apiKey(.send),
                parameters: [batchID, .filter("onInvalid", OnInvalid.self,
                    "`reject`: any invalid row or recipient stores nothing and answers 422 listing them. `skip`: valid ones are stored, the response lists the rejected.",
                    empty: "Empty or absent: `reject`.")],
                body: APIRequestBody(
                    "", [("application/json", .ref("RecipientsAdd")),
                         ("text/csv", APISchema.string.example("email,name\nann@example.com,Ann\nbob@example.com,Bob\n"))]),
                responses: [.json(200, "What was added.", "RecipientsAdded")], problems: [409, 422], idempotent: true),
            APIOperation(
                "GET", "/v1/batches/{id}/recipients", id: "listRecipients", tag: tag, summary: "List a batch's recipients",
                access: .apiKey(.read), parameters: [batchID, status] + APIParameter.paging,
                responses: [.json(200, "A page of recipients, in the order they were added.", "RecipientList")]),
            APIOperation(
                "GET", "/v1/batches/{id}/recipients.csv", id: "exportRecipients", tag: tag,
                summary: "Export a batch's recipients as CSV",
                description: "Streamed. Columns: `\(RecipientCSV.header.trimmingCharacters(in: .whitespacesAndNewlines))`; "
                    + "`variables` as JSON. Cells a spreadsheet would run as a formula are prefixed with `'`.",
                access: .apiKey(.read), parameters: [batchID, status],
                responses: [APIResponse(200, "The recipients as CSV (RFC 4180).", "text/csv", .string)]),
            APIOperation(
                "GET", "/v1/batches/{id}/recipients/{recipientId}/events", id: "listRecipientEvents", tag: tag,
                summary: "A recipient's provider events", description: "Oldest first.",
                access: .apiKey(.read),
                parameters: [batchID, .path("recipientId", "The recipient's id.", example: "rcp_1")],
                responses: [.json(200, "The recipient's events.", "RecipientEventList")]),
        ]
    }
}
