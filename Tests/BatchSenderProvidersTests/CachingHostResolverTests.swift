import Testing

@testable import BatchSenderProviders

@Suite struct CachingHostResolverTests {
    @Test func successesAreRememberedAndFailuresAreNot() async throws {
        let fake = FakeResolver(["hooks.example.com": [.v4([93, 184, 216, 34])]])
        let resolver = CachingHostResolver(fake, ttl: .seconds(60))
        #expect(try await resolver.addresses(of: "hooks.example.com") == [.v4([93, 184, 216, 34])])
        #expect(try await resolver.addresses(of: "hooks.example.com") == [.v4([93, 184, 216, 34])])
        await #expect(throws: HostResolutionError.self) { try await resolver.addresses(of: "missing.example.com") }
        await #expect(throws: HostResolutionError.self) { try await resolver.addresses(of: "missing.example.com") }
        #expect(fake.lookups == ["hooks.example.com", "missing.example.com", "missing.example.com"])
    }

    @Test func entriesExpire() async throws {
        let fake = FakeResolver(["hooks.example.com": [.v4([93, 184, 216, 34])]])
        let resolver = CachingHostResolver(fake, ttl: .zero)
        _ = try await resolver.addresses(of: "hooks.example.com")
        _ = try await resolver.addresses(of: "hooks.example.com")
        #expect(fake.lookups.count == 2)
    }
}
