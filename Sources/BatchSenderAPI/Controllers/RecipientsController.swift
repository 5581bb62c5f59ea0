import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Hummingbird
import NIOCore

/// `/v1/batches/{id}/recipients`: add (JSON or streamed CSV), list, and export as CSV (CONTRACT §4);
/// and one recipient's provider events (`…/recipients/{recipientId}/events`).
struct RecipientsController<Store: DataStore> {
    let services: APIServices<Store>
    var store: Store { services.store }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post(":id/recipients", use: add)
        group.get(":id/recipients", use: list)
        group.get(":id/recipients.csv", use: export)
        group.get(":id/recipients/:recipientId/events", use: timeline)
    }

    /// A recipient's provider events, oldest first.
    @Sendable func timeline(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let batch = try BatchesController<Store>.id(request, context)
        let recipient = Recipient.ID(rawValue: context.parameters.get("recipientId") ?? "")
        guard recipient.row != nil, let events = try await store.events(of: recipient, batch: batch, in: caller.workspaceID) else {
            throw APIError.notFound("recipient \(recipient) not found in batch \(batch)")
        }
        return JSONResponse(.ok, ["data": .array(events.map(Present.event))]).response
    }


    @Sendable func add(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try BatchesController<Store>.id(request, context)
        let mode: OnInvalid = try ListQuery.filter("onInvalid", of: request) ?? .reject
        let contentType = request.headers[.contentType] ?? "application/json"
        if Self.isCSV(contentType) {
            return try await addCSV(request, context: context, caller: caller, batchID: id, mode: mode)
        }
        guard JSONBody.isJSON(contentType) else {
            throw APIError(.unsupportedMediaType, "send recipients as application/json or text/csv, not \(contentType)")
        }
        return try await services.jsonPOST(request, context) { caller, bytes in
            var reader = ObjectReader(try JSONBody.object(from: bytes))
            let values = reader.array("recipients", required: true) ?? []
            guard reader.issues.isEmpty else { throw APIError.invalid(reader.issues) }
            guard values.count <= services.limits.maxRecipientsPerRequest else {
                throw APIError.invalid([ValidationIssue(
                    field: "recipients",
                    message: "at most \(services.limits.maxRecipientsPerRequest) recipients per request; send CSV for more")])
            }
            let batch = try await draftBatch(id, caller)
            let (recipients, issues) = RecipientInput(module: batch.module, addresses: services.addresses)
                .recipients(from: values)
            if mode == .reject && !issues.isEmpty { throw APIError.invalid(issues) }
            let result = try await store.addRecipients(
                to: id, in: caller.workspaceID, chunks: AsyncThrowingStream { $0.yield(recipients); $0.finish() },
                maxRecipients: services.limits.maxRecipientsPerBatch, at: services.now())
            return JSONResponse(.ok, Present.added(result, rejected: issues))
        }
    }

    private func addCSV(
        _ request: Request, context: APIContext, caller: Caller, batchID: Batch.ID, mode: OnInvalid
    ) async throws -> Response {
        let limit = services.limits.maxCSVBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw JSONBody.tooLarge(limit)
        }
        let batch = try await draftBatch(batchID, caller)
        let source: BodySource
        let fingerprint: String
        if try Idempotency<Store>.key(of: request) != nil {
            (source, fingerprint) = try await BodySource.spool(request, limit: limit)
        } else {
            (source, fingerprint) = (BodySource(streaming: request.body), "")
        }
        defer { source.close() }
        return try await services.idempotency.run(request, caller: caller, logger: context.logger, fingerprint: fingerprint) {
            let stream = CSVRecipientStream(
                source: { try await source.next() },
                input: RecipientInput(module: batch.module, addresses: services.addresses), mode: mode, byteLimit: limit)
            defer { stream.cancel() }
            let result = try await store.addRecipients(
                to: batchID, in: caller.workspaceID, chunks: stream.chunks,
                maxRecipients: services.limits.maxRecipientsPerBatch, at: services.now())
            var response = Present.added(result, rejected: stream.issues)
            if case .object(var object) = response, stream.rejectedCount > stream.issues.count {
                object["rejectedCount"] = .int(stream.rejectedCount)
                response = .object(object)
            }
            return JSONResponse(.ok, response)
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try BatchesController<Store>.id(request, context)
        let status: RecipientStatus? = try ListQuery.filter("status", of: request)
        let page = try await recipients(id, caller, status: status, page: try ListQuery.page(of: request))
        return JSONResponse(.ok, ListQuery.response(page, Present.recipient)).response
    }

    /// Streams every recipient (of one status, if asked) as CSV, a page at a time.
    @Sendable func export(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try BatchesController<Store>.id(request, context)
        let status: RecipientStatus? = try ListQuery.filter("status", of: request)
        // Fail before the 200 is sent when the batch does not exist.
        let firstPage = try await recipients(id, caller, status: status, page: PageRequest(limit: 1_000))
        let store = self.store
        let body = ResponseBody { writer in
            var page = firstPage
            try await writer.write(ByteBuffer(string: RecipientCSV.header))
            while true {
                var chunk = ""
                for recipient in page.items { chunk += RecipientCSV.line(recipient) }
                try await writer.write(ByteBuffer(string: chunk))
                guard let after = page.nextAfter else { break }
                page = try await store.recipients(
                    of: id, in: caller.workspaceID, status: status, page: PageRequest(limit: 1_000, after: after))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8",
                      .contentDisposition: "attachment; filename=\"\(id.rawValue)-recipients.csv\""],
            body: body)
    }

    private func recipients(
        _ id: Batch.ID, _ caller: Caller, status: RecipientStatus?, page: PageRequest
    ) async throws -> Page<Recipient> {
        do {
            return try await store.recipients(of: id, in: caller.workspaceID, status: status, page: page)
        } catch StoreError.notFound {
            throw APIError.notFound("batch \(id) not found")
        }
    }

    private func draftBatch(_ id: Batch.ID, _ caller: Caller) async throws -> Batch {
        guard let batch = try await store.batch(id, in: caller.workspaceID) else {
            throw APIError.notFound("batch \(id) not found")
        }
        guard batch.status == .draft else {
            throw APIError.conflict("recipients can only be added while the batch is a draft; it is \(batch.status.rawValue)")
        }
        return batch
    }

    static func isCSV(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return media == "text/csv" || media == "application/csv"
    }
}
