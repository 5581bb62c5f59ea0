import BatchSenderCore
import Foundation

/// What `POST /v1/send-configs/{id}/test` reports (CONTRACT §3).
public struct TestSendResult: Sendable {
    public var ok: Bool
    public var providerMessageID: String?
    public var error: String?
    public var latencyMs: Int

    public init(ok: Bool, providerMessageID: String?, error: String?, latencyMs: Int) {
        self.ok = ok
        self.providerMessageID = providerMessageID
        self.error = error
        self.latencyMs = latencyMs
    }
}

/// Performs one real send through a send config; the composition root supplies it, since only it
/// knows the providers.
public typealias TestSender = @Sendable (
    _ config: SendConfig, _ to: String, _ variables: [String: JSONValue], _ payload: JSONValue
) async -> TestSendResult

/// The message a test sends when the request gives no `payload`: short and obviously a test.
public enum TestPayload {
    public static func `default`(for module: Module) -> JSONValue {
        switch module {
        case .email:
            ["from": "test@batchsender.invalid", "fromName": "BatchSender", "subject": "BatchSender test message",
             "text": "This is a test message from BatchSender.", "html": "<p>This is a test message from BatchSender.</p>"]
        case .sms: ["from": "BatchSender", "message": "BatchSender test message"]
        case .webhook: ["body": ["type": "batchsender.test", "to": "{{to}}"]]
        case .crm: ["object": "contacts", "operation": "upsert"]
        }
    }
}
