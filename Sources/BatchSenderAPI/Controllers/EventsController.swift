import BatchSenderCore
import BatchSenderEvents
import BatchSenderStore
import Foundation
import Hummingbird

/// `POST /v1/events/{provider}/{sendConfigId}`: provider delivery events, verified with the
/// provider's own scheme before anything is read, stored durably before the answer (CONTRACT §6).
struct EventsController<Store: DataStore> {
    /// Event bodies are small; anything bigger is not an event.
    static var maxBodyBytes: Int { 1 << 20 }

    let services: APIServices<Store>
    let recorder: EventRecorder<Store>
    /// Send configs and their opened credentials, for 2 s: a burst of events for one config costs
    /// one read and one decryption; a changed config is seen within 2 s. Unknown ids are not stored.
    let configs = ExpiringCache<SendConfig.ID, ConfigAndCredentials>(ttl: .seconds(2))
    var store: Store { services.store }

    init(services: APIServices<Store>) {
        self.services = services
        recorder = EventRecorder(
            store: services.store, now: services.now, messageKeys: services.events?.messageKeys ?? .untagged)
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post(":provider/:sendConfigId", use: receive)
        // Vonage can deliver receipts as GET query parameters.
        group.get(":provider/:sendConfigId", use: receive)
    }

    @Sendable func receive(_ request: Request, context: APIContext) async throws -> Response {
        guard let events = services.events else {
            throw APIError(.serviceUnavailable, "this process does not receive provider events")
        }
        let path = context.parameters.get("provider") ?? ""
        let configID = context.parameters.get("sendConfigId") ?? ""
        // Unknown configs, and configs of another provider, look the same: nothing to probe.
        let sealer = services.sealer, store = self.store
        guard SendConfig.ID.isWellFormed(configID),
            let (config, credentials) = try await configs.value(for: SendConfig.ID(rawValue: configID), load: {
                guard let config = try await store.sendConfigForDelivery(SendConfig.ID(rawValue: configID)) else { return nil }
                return ConfigAndCredentials(config: config, credentials: try sealer.open(config.sealedCredentials, for: config.id))
            }).map({ ($0.config, $0.credentials) }),
            EventIntake.pathName(of: config.provider) == path
        else { throw APIError.notFound("no events endpoint \(path)/\(configID)") }

        let body = try await JSONBody.collect(request.body, declaredLength: request.headers[.contentLength], limit: Self.maxBodyBytes)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let query = request.uri.query ?? ""
        let base = events.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://\(request.head.authority ?? "127.0.0.1")"
        let incoming = EventRequest(
            method: request.method.rawValue, url: base + request.uri.path + (query.isEmpty ? "" : "?\(query)"),
            query: FormDecoding.decode(query), headers: headers, body: Array(body.readableBytesView))

        let result: EventIntakeResult
        do {
            result = try await events.intake.receive(
                incoming, provider: config.provider, credentials: credentials, settings: config.settings, now: services.now())
        } catch {
            switch error {
            case .unauthorized(let why):
                events.count(path, "unauthorized", 1)
                context.logger.warning("refused provider event", metadata: [
                    "provider": "\(path)", "send_config.id": "\(configID)", "reason": "\(why)",
                ])
                throw APIError.unauthorized("event refused: \(why)")
            case .unreadable(let why):
                events.count(path, "unreadable", 1)
                throw APIError.unprocessable("event not understood: \(why)")
            }
        }
        switch result {
        case .events(let list):
            let report = try await recorder.record(list, for: config)
            events.count(path, "recorded", report.recorded)
            events.count(path, "duplicate", report.duplicates)
            events.count(path, "pending", report.pending)
            return JSONResponse(.ok, [
                "received": .int(list.count), "recorded": .int(report.recorded), "duplicates": .int(report.duplicates),
                "applied": .int(report.applied), "pending": .int(report.pending),
            ]).response
        case .confirmSubscription(let url):
            do {
                try await events.confirmSubscription(url)
            } catch {
                // A failed confirmation is worth SNS's retry: answer 5xx.
                context.logger.error("could not confirm the SNS subscription", metadata: ["error": "\(error)"])
                throw APIError(.badGateway, "could not confirm the SNS subscription; SNS will retry")
            }
            context.logger.notice("confirmed SNS subscription", metadata: ["send_config.id": "\(configID)"])
            return JSONResponse(.ok, ["subscribed": true]).response
        case .nothing(let reason):
            events.count(path, "ignored", 1)
            return JSONResponse(.ok, ["received": 0, "note": .string(reason)]).response
        }
    }
}

/// A send config with its opened credentials.
struct ConfigAndCredentials: Sendable {
    var config: SendConfig
    var credentials: [String: String]
}
