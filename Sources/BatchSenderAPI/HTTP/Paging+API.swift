import BatchSenderCore
import BatchSenderStore
import Foundation
import Hummingbird

/// `?limit=` and `?cursor=` of every list (CONTRACT §2).
enum ListQuery {
    static let defaultLimit = 50
    static let maxLimit = 500

    /// The page request of `request`: 400 for a bad limit or a cursor we did not issue.
    static func page(of request: Request) throws -> PageRequest {
        let query = request.uri.queryParameters
        var limit = defaultLimit
        if let raw = query["limit"] {
            guard let value = Int(String(raw)), value > 0 else {
                throw APIError.badRequest("limit must be a positive integer (at most \(maxLimit))")
            }
            limit = min(value, maxLimit)
        }
        var after: String?
        if let raw = query["cursor"], !raw.isEmpty {
            guard let decoded = decodeCursor(String(raw)) else {
                throw APIError.badRequest("unknown cursor: pass the nextCursor of a previous page")
            }
            after = decoded
        }
        return PageRequest(limit: limit, after: after)
    }

    /// Cursors are opaque to clients: base64url of a version tag and the last item's sort key.
    static func encodeCursor(_ after: String) -> String {
        Data(("c1:" + after).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ cursor: String) -> String? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8),
            decoded.hasPrefix("c1:"), decoded.count > 3
        else { return nil }
        return String(decoded.dropFirst(3))
    }

    /// `{data: [...], nextCursor}`.
    static func response<Item>(_ page: Page<Item>, _ present: (Item) -> JSONValue) -> JSONValue {
        .object([
            "data": .array(page.items.map(present)),
            "nextCursor": page.nextAfter.map { .string(encodeCursor($0)) } ?? .null,
        ])
    }

    /// An enum filter such as `?status=`: 400 when the value is not one of the cases.
    static func filter<T: RawRepresentable & CaseIterable>(_ name: String, of request: Request) throws -> T?
    where T.RawValue == String {
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init), !raw.isEmpty else { return nil }
        guard let value = T(rawValue: raw) else {
            throw APIError.badRequest("\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
