import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `Idempotency-Key` handling for POST endpoints (CONTRACT §2): the same key within 24 hours in
/// the same workspace replays the first response and creates nothing; the same key with another
/// request is 422; a key whose first request is still running is 409.
///
/// Only successful responses are kept: a request that failed validation may be corrected and sent
/// again with the same key.
///
/// Stored responses are sealed under the master key (AES-GCM, bound to the workspace and the
/// key). Some carry secrets — `POST /v1/api-keys` answers with the plaintext API key — and a
/// replay must still return them: a client whose first answer was lost retries precisely to get
/// the key, and refusing or redacting the replay would leave it with a key it can never see.
/// Sealing every response, not a list of secret-bearing ones, means a new endpoint cannot forget.
public struct Idempotency<Store: IdempotencyStore>: Sendable {
    public static var window: TimeInterval { IdempotencyWindow.duration }
    static var headerName: HTTPField.Name { HTTPField.Name("Idempotency-Key")! }
    /// The first bytes of a sealed body; a JSON body never starts with NUL.
    static var sealedMarker: Data { Data([0, 0x62, 0x73, 0x31]) }  // "\0bs1"

    let store: Store
    let sealer: CredentialSealer
    let now: @Sendable () -> Date

    public init(store: Store, sealer: CredentialSealer, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.sealer = sealer
        self.now = now
    }

    /// What a stored response is bound to: one key of one workspace.
    static func sealingContext(key: String, workspace: Workspace.ID) -> String {
        "idempotency\u{0}\(workspace.rawValue)\u{0}\(key)"
    }

    /// `body` as stored: the marker, then the sealed bytes.
    func sealed(_ body: Data, key: String, workspace: Workspace.ID) throws -> Data {
        Self.sealedMarker + (try sealer.seal(body, context: Self.sealingContext(key: key, workspace: workspace)))
    }

    /// A stored body opened again; bodies stored before sealing existed pass through.
    func opened(_ stored: Data, key: String, workspace: Workspace.ID) throws -> Data {
        guard stored.starts(with: Self.sealedMarker) else { return stored }
        do {
            let context = Self.sealingContext(key: key, workspace: workspace)
            return try sealer.open(stored.dropFirst(Self.sealedMarker.count), context: context)
        } catch {
            throw APIError.conflict(
                "the first response to this Idempotency-Key can no longer be read (the master key changed); use a new key")
        }
    }

    /// The request's key, or `nil`; 400 for a malformed key.
    static func key(of request: Request) throws -> String? {
        guard let key = request.headers[headerName] else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw APIError.badRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")
        }
        return key
    }

    /// The fingerprint of a request whose body was read into `body`.
    static func fingerprint(of request: Request, body: ByteBuffer?) -> String {
        var hasher = RequestFingerprint()
        hasher.update("\(request.method) \(request.uri.path)?\(request.uri.query ?? "")\n")
        if let body { hasher.update(body.readableBytesView) }
        return hasher.finalize()
    }

    /// Runs `operation` once per key, replaying its stored response afterwards.
    func run(
        _ request: Request, caller: Caller, logger: Logger, fingerprint: @autoclosure () -> String,
        _ operation: () async throws -> JSONResponse
    ) async throws -> Response {
        guard let key = try Self.key(of: request) else { return try await operation().response }
        let claim = try await store.claimIdempotencyKey(
            key, in: caller.workspaceID, requestHash: fingerprint(), at: now(), expiry: Self.window)
        switch claim {
        case .replay(let stored):
            var headers: HTTPFields = [.contentType: stored.contentType]
            headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            let body = try opened(stored.body, key: key, workspace: caller.workspaceID)
            return Response(
                status: HTTPResponse.Status(code: stored.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        case .mismatch:
            throw APIError.unprocessable("Idempotency-Key was already used with a different request")
        case .inProgress:
            throw APIError.conflict("a request with this Idempotency-Key is still being processed")
        case .claimed:
            let result: JSONResponse
            do {
                result = try await operation()
            } catch {
                do {
                    try await store.releaseIdempotencyKey(key, in: caller.workspaceID)
                } catch let releaseError {
                    // The key now stays "in progress" until it expires; say so loudly.
                    logger.warning(
                        "could not release idempotency key", metadata: ["error": "\(String(reflecting: releaseError))"])
                }
                throw error
            }
            let body = try sealed(Data(result.body.readableBytesView), key: key, workspace: caller.workspaceID)
            let stored = IdempotentResponse(status: result.status.code, contentType: "application/json", body: body)
            try await store.completeIdempotencyKey(key, in: caller.workspaceID, response: stored)
            return result.response
        }
    }
}
