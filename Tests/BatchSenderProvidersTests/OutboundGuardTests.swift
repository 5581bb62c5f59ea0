import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging
import Synchronization
import Testing

@testable import BatchSenderProviders

/// The SSRF guard on every outbound connection: provider endpoints (`baseUrl`), SMTP relays, and
/// the pinning of the checked address (DNS rebinding). Nothing here connects outside
/// 127.0.0.0/8: refused destinations are refused before any connection, and pinned clients are
/// routed to the fake receiver.
@Suite struct OutboundGuardTests {
    let publicAddress = IPAddress.v4([93, 184, 215, 14])

    /// The review's rebinding attack: the name answers a public address when the guard asks, and
    /// 127.0.0.1 when asked again. The connection must go to the address the guard approved.
    @Test func theCheckedAddressIsTheOneConnectedTo() async throws {
        let resolver = SequenceResolver([[publicAddress], [.v4([127, 0, 0, 1])]])
        let pins = RecordingPins()
        let (first, second, requests, port) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(
                    configuration: Make.configuration(blockPrivateNetworks: true), client: client, resolver: resolver,
                    pins: pins.clients)
                let url = "http://rebind.test:\(receiver.port)/in"
                let first = await provider.send([try Make.message(url: url)])[0]
                let second = await provider.send([try Make.message(url: url)])[0]
                return (first, second, receiver.requests, receiver.port)
            }
        }
        #expect(!first.isReject && !first.isRetry, "\(first)")
        // One lookup per delivery, and the connection went to its answer, not to a second lookup.
        #expect(pins.pinned == ["rebind.test \(publicAddress)"])
        #expect(requests.count == 1)
        #expect(requests.first?.headers["host"] == "rebind.test:\(port)", "the original Host header is sent")
        // The next delivery resolves again, sees 127.0.0.1 and never connects.
        #expect(second == .reject(reason: "blocked: rebind.test resolves to loopback address 127.0.0.1"))
        #expect(resolver.lookups == 2)
    }

    /// The production pin (AsyncHTTPClient's dnsOverride): a name the system cannot resolve
    /// still reaches the checked address, with its own name in `Host`.
    @Test func theDefaultPinConnectsToTheCheckedAddressWithTheOriginalHost() async throws {
        let resolver = FakeResolver(["pinned.test": [.v4([127, 0, 0, 1])]])
        let (outcome, requests, port) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(), client: client, resolver: resolver)
                let outcome = await provider.send([try Make.message(url: "http://pinned.test:\(receiver.port)/in")])[0]
                return (outcome, receiver.requests, receiver.port)
            }
        }
        #expect(!outcome.isReject && !outcome.isRetry, "\(outcome)")
        #expect(requests.map { $0.headers["host"] } == ["pinned.test:\(port)"])
        #expect(resolver.lookups == ["pinned.test"])
    }

    @Test func providerBaseURLOnLoopbackIsRefusedWithoutPrivateNetworks() async throws {
        let (outcome, count) = try await withReceiver { receiver in
            try await withClient { client in
                var configuration = Provide.configuration(
                    .resend, credentials: ["apiKey": "re_test"], settings: ["baseUrl": .string(receiver.url)])
                configuration.blockPrivateNetworks = true
                let provider = ResendProvider(configuration: configuration, client: client)
                return (await provider.send(try Provide.emails(1))[0], receiver.requests.count)
            }
        }
        #expect(outcome == .reject(reason: "blocked: loopback address 127.0.0.1"))
        #expect(count == 0, "the reply text of a private service never reaches /test's error")
    }

    @Test func providerBaseURLOnLoopbackIsAllowedWithPrivateNetworks() async throws {
        let count = try await withReceiver({ _, _ in .json(200, #"{"data":[{"id":"e1"}]}"#) }) { receiver in
            try await withClient { client in
                let configuration = Provide.configuration(
                    .resend, credentials: ["apiKey": "re_test"], settings: ["baseUrl": .string(receiver.url)])
                let provider = ResendProvider(configuration: configuration, client: client)
                _ = await provider.send(try Provide.emails(1))
                return receiver.requests.count
            }
        }
        #expect(count == 1)
    }

    @Test func metadataIsRefusedEvenWithPrivateNetworksAllowed() async throws {
        let resolver = FakeResolver(["gateway.test": [.v4([169, 254, 169, 254])]])
        let result = try await withClient { client in
            let http = ProviderHTTP(
                client: client, logger: Logger(label: "test"), policy: NetworkPolicy(allowPrivateNetworks: true), resolver: resolver)
            return await http.send(.POST, "http://gateway.test/v1/x", headers: [], body: [])
        }
        guard case .failure(let failure) = result else {
            Issue.record("the call was made")
            return
        }
        #expect(failure.outcome == .reject(reason: "blocked: gateway.test resolves to cloud metadata address 169.254.169.254"))
    }

    @Test(arguments: [
        ("10.0.0.1", "blocked: private address 10.0.0.1"), ("127.0.0.1", "blocked: loopback address 127.0.0.1"),
        ("012.0.0.1", "blocked: non-canonical numeric host 012.0.0.1"),
        ("relay.test", "blocked: relay.test resolves to private address 10.0.0.5"),
    ])
    func smtpRelayOnAPrivateAddressIsRefusedBeforeConnecting(host: String, reason: String) async throws {
        var configuration = SMTPSettingsTests.configuration(["host": .string(host), "security": "none", "port": 2525])
        configuration.blockPrivateNetworks = true
        let provider = SMTPProvider(configuration: configuration, resolver: FakeResolver(["relay.test": [.v4([10, 0, 0, 5])]]))
        let outcomes = await provider.send([try SMTPMake.message(to: "ann@example.com")])
        await provider.shutdown()
        #expect(outcomes.count == 1 && outcomes[0].isReject)
        #expect(outcomes.first?.reason?.hasSuffix(reason) == true, "\(outcomes)")
    }

    @Test func anOperatorAllowlistAdmitsASelfHostedGateway() async throws {
        let allowlist = try PrivateHostAllowlist(parsing: "gateway.internal, 127.0.0.0/8")
        let policy = NetworkPolicy(allowedPrivateHosts: allowlist)
        let guardrail = DestinationGuard(policy: policy, resolver: FakeResolver(["gateway.internal": [.v4([10, 1, 1, 1])]]))
        #expect(await guardrail.check("http://gateway.internal/") == .allowed(address: .v4([10, 1, 1, 1])))
        #expect(await guardrail.check("http://127.0.0.1:1/") == .allowed(address: nil))
        #expect(await guardrail.check("http://10.1.1.1/") == .refused("blocked: private address 10.1.1.1"))
    }

    @Test func pinnedClientsAreReusedAndBounded() async throws {
        let pins = RecordingPins(capacity: 2)
        try await withClient { base in
            for host in ["a.test", "a.test", "b.test", "c.test"] {
                try await pins.clients.withClient(url: "http://\(host)/", address: publicAddress, base: base) { _ in }
            }
        }
        #expect(pins.pinned == ["a.test \(publicAddress)", "b.test \(publicAddress)", "c.test \(publicAddress)"])
        #expect(pins.clients.count == 2)
    }
}

/// Pinned clients whose factory records each pin and routes it to 127.0.0.1 (the fake
/// receiver), so a test sees which address a connection was pinned to without connecting to it.
final class RecordingPins: Sendable {
    let clients: PinnedClients
    private let log: Log

    final class Log: Sendable {
        let entries = Mutex<[String]>([])
    }

    init(capacity: Int = 8) {
        let log = Log()
        self.log = log
        clients = PinnedClients(capacity: capacity) { host, address in
            log.entries.withLock { $0.append("\(host) \(address)") }
            var configuration = DeliveryHTTPClient.configuration()
            configuration.dnsOverride = [host: "127.0.0.1"]
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }
    }

    var pinned: [String] { log.entries.withLock { $0 } }
}

/// A resolver that gives its answers in turn (the last one again once they run out).
final class SequenceResolver: HostResolver {
    private let answers: [[IPAddress]]
    private let asked = Mutex(0)

    init(_ answers: [[IPAddress]]) { self.answers = answers }

    var lookups: Int { asked.withLock { $0 } }

    func addresses(of host: String) async throws -> [IPAddress] {
        let index = asked.withLock { count in
            count += 1
            return count - 1
        }
        return answers[min(index, answers.count - 1)]
    }
}
