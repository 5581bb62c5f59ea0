import BatchSenderAPI
import BatchSenderCore
import BatchSenderDelivery
import Foundation

extension Engine {
    /// A `TestSender` that goes through the same providers as batches, outside any batch.
    static func testSender(providers: @escaping @Sendable (SendConfig) async throws -> any DeliveryProvider) -> TestSender {
        { config, to, variables, payload in
            let started = ContinuousClock.now
            func elapsed() -> Int {
                let d = ContinuousClock.now - started
                return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
            }
            do {
                let provider = try await providers(config)
                let templates = try PayloadTemplates(module: config.module, payload: payload, settings: config.settings)
                // Test sends are not recipients: a fresh id each, so providers never deduplicate them.
                let message = OutboundMessage(
                    recipientID: Recipient.ID(row: Int64.random(in: 1...Int64(Int32.max))), batchID: .generate(),
                    idempotencyKey: "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
                    attempt: 1, message: try templates.render(to: to, variables: variables))
                let outcome = await provider.send([message]).first ?? .retry(reason: "provider returned no outcome", after: nil)
                // A test send's provider is its own: close what it opened (an SMTP session).
                await provider.shutdown()
                switch outcome {
                case .accepted(let id, _):
                    return TestSendResult(ok: true, providerMessageID: id, error: nil, latencyMs: elapsed())
                case .retry(let reason, _), .reject(let reason), .deferred(_, let reason), .optedOut(let reason):
                    return TestSendResult(ok: false, providerMessageID: nil, error: reason, latencyMs: elapsed())
                }
            } catch {
                return TestSendResult(ok: false, providerMessageID: nil, error: "\(error)", latencyMs: elapsed())
            }
        }
    }
}
