import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation

/// The `sandbox` provider of the email and SMS modules: records each message in the store
/// instead of sending it, with optional simulated latency (`settings.latencyMs`) and transient
/// failures (`settings.failureRate`, 0–1) — for demos, dry runs and tests.
public struct SandboxProvider: DeliveryProvider {
    public typealias Recorder = @Sendable ([SandboxMessage]) async throws -> Void

    let sendConfigID: SendConfig.ID
    let latency: Duration
    let failureRate: Double
    let record: Recorder
    let random: @Sendable () -> Double

    public init(
        configuration: ProviderConfiguration, record: @escaping Recorder,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        sendConfigID = configuration.sendConfig.id
        // Clamped to the validated range before the conversion, which would trap beyond Int64.
        let millis = min(60_000, max(0, configuration.settings["latencyMs"]?.numberValue ?? 0))
        latency = .milliseconds(Int64(millis))
        failureRate = min(1, max(0, configuration.settings["failureRate"]?.numberValue ?? 0))
        self.record = record
        self.random = random
    }

    /// Messages are recorded in groups, like a batch API, to keep store writes few.
    public var maxBatchSize: Int { 50 }

    public func destination(of message: OutboundMessage) -> String { "sandbox" }

    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] {
        if latency > .zero { try? await Task.sleep(for: latency) }
        var outcomes: [DeliveryOutcome] = []
        var records: [SandboxMessage] = []
        let now = Date()
        for message in messages {
            if failureRate > 0 && random() < failureRate {
                outcomes.append(.retry(reason: "sandbox: simulated transient failure", after: nil))
                continue
            }
            let id = "sandbox_\(message.idempotencyKey)"
            records.append(SandboxMessage(
                recipientID: message.recipientID, batchID: message.batchID, sendConfigID: sendConfigID,
                providerMessageID: id, content: message.message.json, createdAt: now))
            outcomes.append(.accepted(providerMessageID: id, delivered: false))
        }
        do {
            if !records.isEmpty { try await record(records) }
        } catch {
            // Not recorded means not "sent": let the engine retry these.
            return messages.map { _ in .retry(reason: "sandbox: could not record the message: \(error)", after: nil) }
        }
        return outcomes
    }
}

extension RenderedMessage {
    /// The message as JSON, as the sandbox stores it.
    public var json: JSONValue {
        func string(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        switch self {
        case .email(let m):
            return ["type": "email", "to": .string(m.to), "from": .string(m.from), "fromName": string(m.fromName),
                    "replyTo": string(m.replyTo), "subject": .string(m.subject), "html": string(m.html),
                    "text": string(m.text), "headers": .object(m.headers.mapValues(JSONValue.string))]
        case .sms(let m):
            return ["type": "sms", "to": .string(m.to), "from": .string(m.from), "message": .string(m.message)]
        case .webhook(let m):
            return ["type": "webhook", "url": .string(m.url), "method": .string(m.method),
                    "headers": .object(m.headers.mapValues(JSONValue.string)), "body": m.body ?? .null]
        case .crm(let m):
            return ["type": "crm", "key": .string(m.key), "object": .string(m.object),
                    "operation": .string(m.operation.rawValue), "fields": .object(m.fields)]
        }
    }
}
