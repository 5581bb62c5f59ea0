import BatchSenderCore
import Hummingbird
import Testing

@Suite struct RecipientUploadTests {
    func draft(_ h: Harness) async throws -> String {
        try #require(try await h.emailBatch([])["id"]?.stringValue)
    }

    @Test func jsonRecipientsAreAdded() async throws {
        try await Harness.run { h in
            let id = try await draft(h)
            let reply = try await h.post("/v1/batches/\(id)/recipients", ["recipients": [
                ["to": "a@example.com", "variables": ["name": "A", "n": 1]], ["to": "A@EXAMPLE.com"],
            ]])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply["added"] == 1)
            #expect(reply["duplicates"] == 1)
            #expect(reply["total"] == 1)
            #expect(reply["rejected"] == [])
            let again = try await h.post("/v1/batches/\(id)/recipients", ["recipients": [["to": "a@example.com"], ["to": "b@example.com"]]])
            #expect(again["added"] == 1)
            #expect(again["duplicates"] == 1)
            #expect(again["total"] == 2)
            let list = try await h.get("/v1/batches/\(id)/recipients")
            let first = try #require(list["data"]?.arrayValue?.first)
            #expect(first["to"] == "a@example.com")
            #expect(first["variables"] == ["name": "A", "n": 1])
            #expect(first["status"] == "pending")
            #expect(first["attempts"] == 0)
            #expect(first["lastError"] == .null)
            #expect(first["providerMessageId"] == .null)
        }
    }

    @Test func jsonSkipModeStoresValidOnes() async throws {
        try await Harness.run { h in
            let id = try await draft(h)
            let reject = try await h.post("/v1/batches/\(id)/recipients", ["recipients": [["to": "a@example.com"], ["to": "bad"]]])
            #expect(reject.status == .unprocessableContent)
            #expect(reject.issues.first?["index"] == 1)
            #expect(try await h.get("/v1/batches/\(id)")["counts"]?["total"] == 0)
            let skip = try await h.post("/v1/batches/\(id)/recipients?onInvalid=skip", ["recipients": [["to": "a@example.com"], ["to": "bad"]]])
            #expect(skip.status == .ok)
            #expect(skip["added"] == 1)
            #expect(skip["rejected"]?.arrayValue?.first?["index"] == 1)
            #expect(try await h.post("/v1/batches/\(id)/recipients?onInvalid=maybe", ["recipients": []]).status == .badRequest)
        }
    }

    @Test func csvRowsAreNumberedLikeASpreadsheet() async throws {
        try await Harness.run { h in
            let id = try await draft(h)
            let csv = "email,name,city\r\nann@example.com,Ann,Oslo\r\nnot-an-email,Bob,Rome\r\n\"cy@example.com\",\"Cy, Jr.\",\"New\nYork\"\r\n,Nobody,\r\n"
            let reject = try await h.request(.post, "/v1/batches/\(id)/recipients", body: csv, contentType: "text/csv")
            #expect(reject.status == .unprocessableContent, "\(reject.text)")
            #expect(reject.issues.compactMap { $0["row"]?.intValue } == [3, 5])
            #expect(try await h.get("/v1/batches/\(id)")["counts"]?["total"] == 0)

            let skip = try await h.request(.post, "/v1/batches/\(id)/recipients?onInvalid=skip", body: csv, contentType: "text/csv")
            #expect(skip.status == .ok, "\(skip.text)")
            #expect(skip["added"] == 2)
            #expect(skip["rejected"]?.arrayValue?.compactMap { $0["row"]?.intValue } == [3, 5])
            let list = try await h.get("/v1/batches/\(id)/recipients")
            let cy = try #require(list["data"]?.arrayValue?.last)
            #expect(cy["to"] == "cy@example.com")
            #expect(cy["variables"] == ["name": "Cy, Jr.", "city": "New\nYork"])
        }
    }

    @Test func csvWithoutAddressColumnIs422() async throws {
        try await Harness.run { h in
            let id = try await draft(h)
            let reply = try await h.request(.post, "/v1/batches/\(id)/recipients", body: "name\nAnn\n", contentType: "text/csv")
            #expect(reply.status == .unprocessableContent)
            #expect(reply.issues.first?["row"] == 1)
            let unterminated = try await h.request(
                .post, "/v1/batches/\(id)/recipients", body: "to\n\"a@example.com\n", contentType: "text/csv")
            #expect(unterminated.status == .unprocessableContent)
        }
    }

    @Test func csvOverTheByteLimitIs413() async throws {
        try await Harness.run(limits: Limits(maxCSVBodyBytes: 64)) { h in
            let id = try await draft(h)
            let body = "to\n" + (0..<20).map { "r\($0)@example.com" }.joined(separator: "\n")
            let reply = try await h.request(.post, "/v1/batches/\(id)/recipients", body: body, contentType: "text/csv")
            #expect(reply.status == .contentTooLarge)
            #expect(try await h.get("/v1/batches/\(id)")["counts"]?["total"] == 0)
        }
    }

    @Test func batchLimitIsEnforced() async throws {
        try await Harness.run(limits: Limits(maxRecipientsPerBatch: 2)) { h in
            let id = try await draft(h)
            let reply = try await h.request(
                .post, "/v1/batches/\(id)/recipients", body: "to\na@example.com\nb@example.com\nc@example.com\n",
                contentType: "text/csv")
            #expect(reply.status == .unprocessableContent)
            #expect(try await h.get("/v1/batches/\(id)")["counts"]?["total"] == 0)
        }
    }

    @Test func wrongContentTypeIs415AndNonDraftIs409() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([["to": "a@example.com"]])["id"]?.stringValue)
            let xml = try await h.request(.post, "/v1/batches/\(id)/recipients", body: "<x/>", contentType: "application/xml")
            #expect(xml.status == .unsupportedMediaType)
            _ = try await h.post("/v1/batches/\(id)/send", [:])
            let late = try await h.post("/v1/batches/\(id)/recipients", ["recipients": [["to": "b@example.com"]]])
            #expect(late.status == .conflict)
            let lateCSV = try await h.request(.post, "/v1/batches/\(id)/recipients", body: "to\nb@example.com\n", contentType: "text/csv")
            #expect(lateCSV.status == .conflict)
        }
    }

    @Test func recipientListFiltersPagesAndExports() async throws {
        try await Harness.run { h in
            let id = try await draft(h)
            let csv = "to,name\n" + (0..<7).map { "r\($0)@example.com,=HYPERLINK(\"x\")" }.joined(separator: "\n")
            #expect(try await h.request(.post, "/v1/batches/\(id)/recipients", body: csv, contentType: "text/csv").status == .ok)
            let page = try await h.get("/v1/batches/\(id)/recipients?limit=5")
            #expect(page["data"]?.arrayValue?.count == 5)
            let cursor = try #require(page["nextCursor"]?.stringValue)
            let rest = try await h.get("/v1/batches/\(id)/recipients?limit=5&cursor=\(cursor)")
            #expect(rest["data"]?.arrayValue?.count == 2)
            #expect(rest["nextCursor"] == .null)
            #expect(try await h.get("/v1/batches/\(id)/recipients?status=queued")["data"]?.arrayValue?.isEmpty == true)
            #expect(try await h.get("/v1/batches/\(id)/recipients?status=pendingg").status == .badRequest)

            let export = try await h.get("/v1/batches/\(id)/recipients.csv")
            #expect(export.status == .ok)
            #expect(export.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = export.text.split(separator: "\r\n")
            #expect(lines.count == 8)
            #expect(lines.first?.hasPrefix("id,to,status") == true)
            #expect(lines[1].contains("r0@example.com,pending"))
            #expect(!export.text.contains(",=HYPERLINK"), "formula cells are neutralised")
        }
    }
}
