/// `/v1/send-configs` (CONTRACT §3; `SendConfigsController`).
extension APIReference {
    static let sendConfigID = APIParameter.path("id", "The send config's id.", example: "sc_01JD4M3Q8W2B7N5X9Y6Z0A1B2C")

    static var sendConfigOperations: [APIOperation] {
        let tag = "Send configs"
        return [
            APIOperation(
                "POST", "/v1/send-configs", id: "createSendConfig", tag: tag, summary: "Create a send config",
                description: "`module` and `provider` pick the provider; `credentials` are encrypted at rest and never "
                    + "returned. Each HTTP-based provider honours `settings.baseUrl`. Provider endpoints on private "
                    + "addresses are refused (422) unless `BATCHSENDER_ALLOW_PRIVATE_NETWORKS` is set.",
                access: .apiKey(.admin), body: .json("SendConfigCreate"),
                responses: [.json(201, "The send config.", "SendConfig")], problems: [422], idempotent: true),
            APIOperation(
                "GET", "/v1/send-configs", id: "listSendConfigs", tag: tag, summary: "List send configs",
                access: .apiKey(.read), parameters: APIParameter.paging,
                responses: [.json(200, "A page of send configs, newest first.", "SendConfigList")]),
            APIOperation(
                "GET", "/v1/send-configs/{id}", id: "getSendConfig", tag: tag, summary: "Get a send config",
                access: .apiKey(.read), parameters: [sendConfigID],
                responses: [.json(200, "The send config.", "SendConfig")]),
            APIOperation(
                "PATCH", "/v1/send-configs/{id}", id: "updateSendConfig", tag: tag, summary: "Update a send config",
                description: "Changes only the fields given; `credentials` are merged (a `null` value removes one). "
                    + "`module` and `provider` cannot change (422). Workers see the change at once.",
                access: .apiKey(.admin), parameters: [sendConfigID], body: .json("SendConfigUpdate"),
                responses: [.json(200, "The updated send config.", "SendConfig")], problems: [415, 422]),
            APIOperation(
                "DELETE", "/v1/send-configs/{id}", id: "deleteSendConfig", tag: tag, summary: "Delete a send config",
                description: "409 while a batch in `draft`, `scheduled`, `queued`, `processing` or `paused` uses it.",
                access: .apiKey(.admin), parameters: [sendConfigID],
                responses: [.noContent("Deleted.")], problems: [409]),
            APIOperation(
                "POST", "/v1/send-configs/{id}/test", id: "testSendConfig", tag: tag, summary: "Send one test message",
                description: "Performs one real send through the config. Without `payload`, a short test message suited "
                    + "to the module. A failed send is still 200, with `ok: false` and the provider's reason.",
                access: .apiKey(.send), parameters: [sendConfigID], body: .json("TestSendRequest"),
                responses: [.json(200, "The outcome of the send.", "TestSendResult")], problems: [422],
                idempotent: true),
        ]
    }
}
