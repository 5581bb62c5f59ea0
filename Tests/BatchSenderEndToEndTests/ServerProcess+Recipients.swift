import Foundation
import Testing

extension ServerProcess {
    /// `GET /v1/batches/{id}/recipients`, every page (at most `total` recipients, 500 a page).
    func allRecipients(batchID: String, key: String, total: Int) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        var cursor: String?
        for _ in 0...(total / 500 + 1) {
            let query = cursor.flatMap { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) }.map { "&cursor=\($0)" } ?? ""
            let (status, body) = try await request("GET", "/v1/batches/\(batchID)/recipients?limit=500\(query)", key: key)
            #expect(status == 200, "\(body)")
            let page = JSON.object(body)
            rows += page["data"] as? [[String: Any]] ?? []
            cursor = page["nextCursor"] as? String
            if cursor == nil { break }
        }
        #expect(cursor == nil, "the pages end")
        return rows
    }
}
