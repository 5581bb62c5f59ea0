import AsyncHTTPClient
import BatchSenderCore
import Foundation
import Testing

@testable import BatchSenderProviders

/// The SSRF guard, alone and inside the provider. Nothing here resolves a name through DNS: names
/// go to a fake resolver, and the system resolver only sees numeric hosts and `localhost`.
@Suite struct SSRFGuardTests {
    /// A global address the guard approves; nothing ever connects to it (pinned clients in these
    /// tests are routed to the fake receiver on 127.0.0.1).
    let publicAddress = IPAddress.v4([93, 184, 215, 14])

    @Test func loopbackLiteralIsBlockedWhenBlockingIsOn() async throws {
        let (outcome, count) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(
                    configuration: Make.configuration(blockPrivateNetworks: true), client: client,
                    resolver: FakeResolver([:]))
                return (await provider.send([try Make.message(url: receiver.url + "/x")])[0], receiver.requests.count)
            }
        }
        #expect(outcome == .reject(reason: "blocked: loopback address 127.0.0.1"))
        #expect(count == 0)
    }

    @Test func loopbackLiteralIsAllowedWhenBlockingIsOff() async throws {
        let (outcome, count) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(configuration: Make.configuration(blockPrivateNetworks: false), client: client)
                return (await provider.send([try Make.message(url: receiver.url + "/x")])[0], receiver.requests.count)
            }
        }
        #expect(!outcome.isReject && !outcome.isRetry)
        #expect(count == 1)
    }

    @Test func nameResolvingToAPrivateAddressIsBlocked() async throws {
        let resolver = FakeResolver(["hooks.internal.test": [.v4([10, 1, 2, 3])]])
        let outcome = try await withClient { client in
            let provider = WebhookProvider(
                configuration: Make.configuration(blockPrivateNetworks: true), client: client, resolver: resolver)
            return await provider.send([try Make.message(url: "https://hooks.internal.test/x")])[0]
        }
        #expect(outcome == .reject(reason: "blocked: hooks.internal.test resolves to private address 10.1.2.3"))
        #expect(resolver.lookups == ["hooks.internal.test"])
    }

    @Test func oneBadAddressAmongGoodOnesIsEnough() async {
        let resolver = FakeResolver(["mixed.test": [publicAddress, .v6([0xFE, 0x80] + Array(repeating: 0, count: 13) + [1])]])
        let verdict = await DestinationGuard(blockPrivateNetworks: true, resolver: resolver).check("http://mixed.test/")
        #expect(verdict == .refused("blocked: mixed.test resolves to link-local address fe80:0:0:0:0:0:0:1"))
    }

    @Test func nameResolvingToAPublicAddressIsDeliveredToThatAddress() async throws {
        // The guard sees a public address and pins it; the test's pin routes it to the receiver.
        let resolver = FakeResolver(["receiver.test": [publicAddress]])
        let pins = RecordingPins()
        let (outcome, count) = try await withReceiver { receiver in
            try await withClient { client in
                let provider = WebhookProvider(
                    configuration: Make.configuration(blockPrivateNetworks: true), client: client, resolver: resolver,
                    pins: pins.clients)
                let message = try Make.message(url: "http://receiver.test:\(receiver.port)/in")
                return (await provider.send([message])[0], receiver.requests.count)
            }
        }
        #expect(!outcome.isReject && !outcome.isRetry)
        #expect(count == 1)
        #expect(pins.pinned == ["receiver.test \(publicAddress)"])
    }

    @Test func unresolvableNameIsRetried() async throws {
        let outcome = try await withClient { client in
            let provider = WebhookProvider(
                configuration: Make.configuration(blockPrivateNetworks: true), client: client, resolver: FakeResolver([:]))
            return await provider.send([try Make.message(url: "https://nowhere.test/")])[0]
        }
        #expect(outcome == .retry(reason: "DNS lookup of nowhere.test failed: Name or service not known", after: nil))
    }

    @Test(arguments: [
        "http://localhost:8080/", "http://LOCALHOST./", "http://api.localhost/", "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/", "http://0.0.0.0/",
        "http://[::ffff:10.0.0.1]/", "http://100.64.0.1/", "http://224.0.0.1/",
    ])
    func literalAndWellKnownPrivateHostsAreRefusedWithoutLookup(url: String) async {
        let resolver = FakeResolver([:])
        let verdict = await DestinationGuard(blockPrivateNetworks: true, resolver: resolver).check(url)
        guard case .refused(let reason) = verdict else {
            Issue.record("\(url) was not refused: \(verdict)")
            return
        }
        #expect(reason.hasPrefix("blocked: "))
        #expect(resolver.lookups.isEmpty)
    }

    @Test(arguments: ["ftp://example.com/x", "file:///etc/passwd", "http+unix://%2Ftmp%2Fs.sock/x", "gopher://a/"])
    func onlyHTTPSchemesEvenWhenBlockingIsOff(url: String) async throws {
        let outcome = try await withClient { client in
            let provider = WebhookProvider(configuration: Make.configuration(blockPrivateNetworks: false), client: client)
            return await provider.send([try Make.message(url: url)])[0]
        }
        #expect(outcome.isReject)
    }

    @Test(arguments: [
        "http://127.1:9/", "http://2130706433:9/", "http://0x7f.0.0.1:9/", "http://012.0.0.1/", "http://172.037.0.1/",
        "http://0251.0376.0251.0376/",
    ])
    func nonCanonicalNumericHostsAreRefusedWithoutLookup(url: String) async {
        // getaddrinfo reads these with inet_aton's rules (octal, hex, short forms): never guess.
        let resolver = FakeResolver([:])
        for policy in [NetworkPolicy.strict, NetworkPolicy(allowPrivateNetworks: true)] {
            let verdict = await DestinationGuard(policy: policy, resolver: resolver).check(url)
            guard case .refused(let reason) = verdict else {
                Issue.record("\(url) was not refused: \(verdict)")
                return
            }
            #expect(reason.hasPrefix("blocked: non-canonical numeric host"))
        }
        #expect(resolver.lookups.isEmpty)
    }

    @Test func systemResolverFindsLoopbackForLocalhostName() async throws {
        let addresses = try await SystemHostResolver().addresses(of: "localhost")
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { NetworkGuard.finding(for: $0)?.reason == "loopback" })
    }

    @Test func publicLiteralNeedsNoLookup() async {
        let resolver = FakeResolver([:])
        let verdict = await DestinationGuard(blockPrivateNetworks: true, resolver: resolver).check("https://93.184.215.14/x")
        #expect(verdict == .allowed(address: nil))
        #expect(resolver.lookups.isEmpty)
    }

    @Test func slowLookupCountsAsUnresolved() async {
        struct Slow: HostResolver {
            func addresses(of host: String) async throws -> [IPAddress] {
                try await Task.sleep(for: .seconds(30))
                return []
            }
        }
        let verdict = await DestinationGuard(blockPrivateNetworks: true, resolver: Slow())
            .check("https://slow.test/", lookupTimeout: .milliseconds(50))
        #expect(verdict == .unresolved("DNS lookup of slow.test timed out"))
    }
}
