import BatchSenderCore
import Foundation
import Hummingbird

/// Reads a JSON request body within a size limit and parses it (CONTRACT §2: 413, 415, 400).
public enum JSONBody {
    /// The raw bytes of a JSON body: 415 for a non-JSON content type, 413 beyond `limit`.
    /// A missing content type is accepted as JSON.
    /// An empty body is accepted whatever its type, so `curl -X POST -d ''` works on the
    /// state-change endpoints that take no body.
    static func bytes(of request: Request, limit: Int) async throws -> ByteBuffer {
        let buffer = try await collect(request.body, declaredLength: request.headers[.contentLength], limit: limit)
        if buffer.readableBytes > 0, let type = request.headers[.contentType], !isJSON(type) {
            throw APIError(.unsupportedMediaType, "expected Content-Type: application/json, got \(type)")
        }
        return buffer
    }

    /// Parses `buffer` as a JSON object; an empty body is `{}` when `allowEmpty`.
    static func object(from buffer: ByteBuffer, allowEmpty: Bool = false) throws -> [String: JSONValue] {
        if buffer.readableBytes == 0 || buffer.readableBytesView.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) {
            if allowEmpty { return [:] }
            throw APIError.badRequest("request body is empty; expected a JSON object")
        }
        let value: JSONValue
        do {
            value = try buffer.withUnsafeReadableBytes { raw in
                try JSONParser.parse(raw.assumingMemoryBound(to: UInt8.self))
            }
        } catch let error as JSONParseError where error.kind == .tooManyValues {
            throw APIError(.contentTooLarge, "request body is too large: \(error)")
        } catch {
            throw APIError.badRequest("request body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("request body must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    /// Reads and parses in one step.
    static func object(of request: Request, limit: Int, allowEmpty: Bool = false) async throws -> [String: JSONValue] {
        try object(from: try await bytes(of: request, limit: limit), allowEmpty: allowEmpty)
    }

    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    /// Collects a body, refusing it as soon as it is known to exceed `limit`.
    static func collect(_ body: RequestBody, declaredLength: String?, limit: Int) async throws -> ByteBuffer {
        if let declared = declaredLength.flatMap(Int.init), declared > limit {
            throw tooLarge(limit)
        }
        var buffer = ByteBuffer()
        for try await var chunk in body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else { throw tooLarge(limit) }
            buffer.writeBuffer(&chunk)
        }
        return buffer
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "request body exceeds the limit of \(limit) bytes")
    }
}
