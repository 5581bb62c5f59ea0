import BatchSenderCore
import BatchSenderDelivery
import BatchSenderSecrets
import BatchSenderStore
import Foundation
import Hummingbird

/// What the API's controllers are built from; the composition root fills it in.
public struct APIServices<Store: DataStore>: Sendable {
    public var store: Store
    public var sealer: CredentialSealer
    public var limits: Limits
    public var addresses: AddressValidator
    public var now: @Sendable () -> Date
    /// Wakes the delivery engine when batches are sent, resumed, paused or cancelled.
    public var notifier: any DeliveryNotifier
    /// `/metrics`, when the process exports metrics.
    public var metrics: MetricsEndpoint?
    /// `POST /v1/send-configs/{id}/test`, when the process can reach providers.
    public var testSender: TestSender?
    /// `/v1/events/{provider}/{sendConfigId}`; without it the endpoint answers 503.
    public var events: EventServices?
    /// bcrypt for `/v1/users` passwords; tests lower its cost.
    public var passwords = PasswordHasher()
    /// The per-API-key request limit of `/v1` (CONTRACT §11); `nil` turns it off.
    public var rateLimiter: KeyedRateLimiter<APIKey.ID>?

    public init(
        store: Store, sealer: CredentialSealer, limits: Limits = Limits(), addresses: AddressValidator,
        notifier: any DeliveryNotifier = SilentNotifier(), metrics: MetricsEndpoint? = nil,
        testSender: TestSender? = nil, events: EventServices? = nil, rateLimiter: KeyedRateLimiter<APIKey.ID>? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.rateLimiter = rateLimiter
        self.events = events
        self.notifier = notifier
        self.metrics = metrics
        self.testSender = testSender
        self.store = store
        self.sealer = sealer
        self.limits = limits
        self.addresses = addresses
        self.now = now
    }

    var idempotency: Idempotency<Store> { Idempotency(store: store, sealer: sealer, now: now) }

    /// The shape of every JSON POST: authenticate, read the body within the JSON limit, then run
    /// `operation` once per `Idempotency-Key`.
    ///
    /// With `secretBody` (a body that carries a password) the `Idempotency-Key` record keeps a
    /// keyed fingerprint of the body instead of a plain hash (see `keyedFingerprint`).
    func jsonPOST(
        _ request: Request, _ context: APIContext, secretBody: Bool = false,
        _ operation: (Caller, ByteBuffer) async throws -> JSONResponse
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let bytes = try await JSONBody.bytes(of: request, limit: limits.maxJSONBodyBytes)
        return try await idempotency.run(
            request, caller: caller, logger: context.logger,
            fingerprint: secretBody
                ? sealer.keyedFingerprint([Data("\(request.method) \(request.uri.path)\n".utf8), Data(bytes.readableBytesView)])
                : Idempotency<Store>.fingerprint(of: request, body: bytes)
        ) { try await operation(caller, bytes) }
    }
}
