import BatchSenderCore
import BatchSenderStore
import Foundation
import Hummingbird

/// An error answered as RFC 9457 `application/problem+json`:
/// `{type, title, status, detail, errors?}` with `detail` always present (CONTRACT §2).
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var detail: String
    public var issues: [ValidationIssue]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ detail: String, issues: [ValidationIssue] = []) {
        self.status = status
        self.detail = detail
        self.issues = issues
    }

    public static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, detail) }
    public static func notFound(_ detail: String) -> APIError { APIError(.notFound, detail) }
    public static func conflict(_ detail: String) -> APIError { APIError(.conflict, detail) }
    public static func unprocessable(_ detail: String, issues: [ValidationIssue] = []) -> APIError {
        APIError(.unprocessableContent, detail, issues: issues)
    }
    public static func unauthorized(_ detail: String) -> APIError {
        var error = APIError(.unauthorized, detail)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
    /// 503 while the database cannot be reached; `Retry-After` suggests when to try again.
    public static var unavailable: APIError {
        var error = APIError(.serviceUnavailable, "the database is unavailable; try again shortly")
        error.headers[.retryAfter] = "5"
        return error
    }
    /// 422 listing every issue; the detail summarises the first.
    public static func invalid(_ issues: [ValidationIssue]) -> APIError {
        let first = issues.first.map { issue in
            [issue.field, issue.index.map { "recipient \($0)" }, issue.row.map { "row \($0)" }]
                .compactMap { $0 }.joined(separator: " ") + " " + issue.message
        } ?? "invalid request"
        let more = issues.count > 1 ? " (and \(issues.count - 1) more)" : ""
        return APIError(.unprocessableContent, "invalid request: \(first.trimmingCharacters(in: .whitespaces))\(more)",
            issues: issues)
    }

    /// A stable `type` URI per status.
    var type: String {
        let slug = status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-")
        return "https://batchsender.dev/problems/\(slug)"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var object: [String: JSONValue] = [
            "type": .string(type), "title": .string(status.reasonPhrase), "status": .int(status.code),
            "detail": .string(detail),
        ]
        if !issues.isEmpty {
            object["errors"] = .array(issues.map { issue in
                var entry: [String: JSONValue] = ["message": .string(issue.message)]
                if let field = issue.field { entry["field"] = .string(field) }
                if let index = issue.index { entry["index"] = .int(index) }
                if let row = issue.row { entry["row"] = .int(row) }
                return .object(entry)
            })
        }
        var fields = headers
        fields[.contentType] = "application/problem+json"
        let body = ByteBuffer(string: JSONValue.object(object).jsonText())
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}

extension APIError {
    /// The API meaning of a store failure.
    public init(_ error: StoreError) {
        switch error {
        case .notFound(let what): self = .notFound(what)
        case .conflict(let why): self = .conflict(why)
        case .unprocessable(let why): self = .unprocessable(why)
        case .invalidCursor: self = .badRequest("unknown cursor: pass the nextCursor of a previous page")
        }
    }
}
