import BatchSenderTestServers
import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import BatchSenderTesting
import Foundation
import Synchronization

@testable import BatchSenderProviders

/// Runs `body` with a delivery client, shutting it down afterwards whatever happens.
func withClient<T>(
    _ configuration: HTTPClient.Configuration = DeliveryHTTPClient.configuration(),
    _ body: (HTTPClient) async throws -> T
) async throws -> T {
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// Runs `body` with a started fake receiver, stopping it afterwards whatever happens.
func withReceiver<T>(
    _ script: @escaping FakeReceiver.Script = { _, _ in ScriptedResponse() }, _ body: (FakeReceiver) async throws -> T
) async throws -> T {
    let receiver = try await FakeReceiver.start(script)
    do {
        let result = try await body(receiver)
        await receiver.stop()
        return result
    } catch {
        await receiver.stop()
        throw error
    }
}

/// Builders for provider inputs.
enum Make {
    static let fixtures = Fixtures()
    static let batchID: Batch.ID = fixtures.id()
    /// A Standard Webhooks secret: `whsec_` + base64 of 32 bytes.
    static let secret = "whsec_" + Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

    static func configuration(signingSecret: String? = nil, blockPrivateNetworks: Bool = false) -> ProviderConfiguration {
        let config = fixtures.sendConfig(in: fixtures.id(), module: .webhook, name: "Hooks")
        return ProviderConfiguration(
            sendConfig: config, credentials: signingSecret.map { ["signingSecret": $0] } ?? [:],
            blockPrivateNetworks: blockPrivateNetworks)
    }

    /// The message a batch with `payload` renders for one recipient, as the engine would build it.
    static func message(
        payload: JSONValue, to: String, variables: [String: JSONValue] = [:], row: Int = 1, attempt: Int = 1
    ) throws -> OutboundMessage {
        let templates = try PayloadTemplates(module: .webhook, payload: payload)
        let recipient = Recipient.ID(rawValue: "rcp_\(row)")
        return OutboundMessage(
            recipientID: recipient, batchID: batchID,
            idempotencyKey: OutboundMessage.idempotencyKey(batch: batchID, recipient: recipient), attempt: attempt,
            message: templates.message(to: to, variables: variables))
    }

    /// A plain POST of `{"ok": true}` to `url`.
    static func message(url: String, timeoutMs: Int? = nil) throws -> OutboundMessage {
        var payload: [String: JSONValue] = ["body": ["ok": true]]
        if let timeoutMs { payload["timeoutMs"] = .int(timeoutMs) }
        return try message(payload: .object(payload), to: url)
    }
}

/// A resolver with a fixed table; records the names it was asked about.
final class FakeResolver: HostResolver {
    let table: [String: [IPAddress]]
    private let asked = Mutex<[String]>([])

    init(_ table: [String: [IPAddress]]) { self.table = table }

    var lookups: [String] { asked.withLock { $0 } }

    func addresses(of host: String) async throws -> [IPAddress] {
        asked.withLock { $0.append(host) }
        guard let found = table[host] else { throw HostResolutionError(host: host, message: "Name or service not known") }
        return found
    }
}

extension DeliveryOutcome {
    var reason: String? {
        switch self {
        case .retry(let reason, _), .reject(let reason), .deferred(_, let reason), .optedOut(let reason): reason
        case .accepted: nil
        }
    }

    var isRetry: Bool { if case .retry = self { true } else { false } }
    var isReject: Bool { if case .reject = self { true } else { false } }

    /// `retry`, `reject`, `optedOut`, `accepted` or `deferred`.
    var kind: String {
        switch self {
        case .accepted: "accepted"
        case .retry: "retry"
        case .reject: "reject"
        case .optedOut: "optedOut"
        case .deferred: "deferred"
        }
    }
}
