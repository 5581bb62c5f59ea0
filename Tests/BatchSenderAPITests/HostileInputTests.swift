import BatchSenderCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Inputs that crashed the server, repaired text silently or took memory without bound are
/// refused with a problem naming the field or row.
@Suite struct HostileInputTests {
    func raw(_ h: Harness, _ path: String, _ bytes: [UInt8], contentType: String) async throws -> Reply {
        let response = try await h.client.execute(
            uri: path, method: .post, headers: [.authorization: "Bearer \(h.key)", .contentType: contentType],
            body: ByteBuffer(bytes: bytes))
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    @Test func aDeeplyNestedTemplateIsRefusedAtCreation() async throws {
        try await Harness.run { h in
            let nest = String(repeating: "{{#a}}", count: 10_000) + String(repeating: "{{/a}}", count: 10_000)
            let reply = try await h.emailBatch(extra: ["payload": ["from": "news@example.com", "subject": .string(nest), "text": "x"]])
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(reply.isProblem)
            #expect(reply.issues.first?["field"] == "payload.subject")
            let delimiters = try await h.emailBatch(
                extra: ["payload": ["from": "news@example.com", "subject": "{{=<% %>=}}<%name%>", "text": "x"]])
            #expect(delimiters.status == .unprocessableContent, "\(delimiters.text)")
            #expect(delimiters.issues.first?["field"] == "payload.subject")
        }
    }

    @Test func invalidUTF8InAJSONBodyIs400() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([])["id"]?.stringValue)
            let body = Array(#"{"recipients":[{"to":"a"#.utf8) + [0xFF] + Array(#"@example.com"}]}"#.utf8)
            let reply = try await raw(h, "/v1/batches/\(id)/recipients", body, contentType: "application/json")
            #expect(reply.status == .badRequest, "\(reply.text)")
            #expect(reply.isProblem)
            #expect(reply["detail"]?.stringValue?.contains("UTF-8") == true, "\(reply.text)")
        }
    }

    @Test func aBodyOfTooManyValuesIs413() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([])["id"]?.stringValue)
            let body = #"{"recipients":[{"to":"a@example.com","variables":{"x":["# + Array(repeating: "0", count: 1_100_000).joined(separator: ",") + "]}}]}"
            let reply = try await raw(h, "/v1/batches/\(id)/recipients", Array(body.utf8), contentType: "application/json")
            #expect(reply.status == .contentTooLarge, "\(reply.text.prefix(300))")
            #expect(reply.isProblem)
        }
    }

    @Test func aCSVRecordOfCommasIsRefusedNamingItsRow() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([])["id"]?.stringValue)
            let body = Array("to,name\n".utf8) + Array(repeating: UInt8(ascii: ","), count: 100_000) + [UInt8(ascii: "\n")]
            let reply = try await raw(h, "/v1/batches/\(id)/recipients", body, contentType: "text/csv")
            #expect(reply.status == .unprocessableContent, "\(reply.text.prefix(300))")
            #expect(reply.issues.first?["row"] == 2)
            // The parser stops at the limit instead of building 100,001 strings first.
            #expect(reply.issues.first?["message"]?.stringValue?.contains("more than 1000 fields") == true, "\(reply.text.prefix(300))")
            let field = String(repeating: "x", count: 900_000)
            let long = Array("to,a,b,c\nann@example.com,x,y,z\nbob@example.com,\(field),\(field),\(field)\n".utf8)
            let tooLong = try await raw(h, "/v1/batches/\(id)/recipients", long, contentType: "text/csv")
            #expect(tooLong.status == .unprocessableContent, "\(tooLong.text.prefix(300))")
            #expect(tooLong.issues.first?["row"] == 3)
            #expect(tooLong.issues.first?["message"]?.stringValue?.contains("row is longer than") == true, "\(tooLong.text.prefix(300))")
        }
    }

    @Test func invalidUTF8InACSVFieldIsRefusedNamingItsRow() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([])["id"]?.stringValue)
            let body = Array("to,name\nann@example.com,Ann\nbob@example.com,B".utf8) + [0xC3, 0x28] + Array("b\n".utf8)
            let reply = try await raw(h, "/v1/batches/\(id)/recipients", body, contentType: "text/csv")
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(reply.issues.first?["row"] == 3)
            #expect(reply.issues.first?["message"]?.stringValue?.contains("UTF-8") == true)
        }
    }

    @Test func aNulCharacterIsBadInputInJSONAndCSV() async throws {
        try await Harness.run { h in
            let id = try #require(try await h.emailBatch([])["id"]?.stringValue)
            let json = Array(#"{"recipients":[{"to":"a@example.com","variables":{"n":"x\u0000y"}}]}"#.utf8)
            let refused = try await raw(h, "/v1/batches/\(id)/recipients", json, contentType: "application/json")
            #expect(refused.status == .badRequest, "\(refused.text)")
            #expect(refused["detail"]?.stringValue?.contains("NUL") == true, "\(refused.text)")
            let csv = Array("to,name\nann@example.com,Ann\nbob@example.com,B".utf8) + [0] + Array("b\n".utf8)
            let row = try await raw(h, "/v1/batches/\(id)/recipients", csv, contentType: "text/csv")
            #expect(row.status == .unprocessableContent, "\(row.text)")
            #expect(row.issues.first?["row"] == 3)
            #expect(row.issues.first?["message"]?.stringValue?.contains("NUL") == true, "\(row.text)")
        }
    }
}
