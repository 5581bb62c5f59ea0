import BatchSenderCore
import Testing

@Suite struct NetworkGuardTests {
    @Test func readsLiteralsTheWayTheSystemDoes() {
        #expect(IPAddress(literal: "192.168.0.1") == .v4([192, 168, 0, 1]))
        #expect(IPAddress(literal: "0.0.0.0") == .v4([0, 0, 0, 0]))
        #expect(IPAddress(literal: "255.255.255.255") == .v4([255, 255, 255, 255]))
        #expect(IPAddress(literal: "[::1]") == .v6(Array(repeating: 0, count: 15) + [1]))
        #expect(IPAddress(literal: "::") == .v6(Array(repeating: 0, count: 16)))
        #expect(IPAddress(literal: "2001:db8::ff00:42:8329") == .v6([
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0, 0x42, 0x83, 0x29,
        ]))
        #expect(IPAddress(literal: "::ffff:10.0.0.1") == .v6(Array(repeating: 0, count: 10) + [0xff, 0xff, 10, 0, 0, 1]))
        // Names, and every non-canonical spelling of an IPv4 address, are not literals.
        for notLiteral in [
            "example.com", "256.0.0.1", "1.2.3", "1.2.3.4.5", "012.0.0.1", "0x7f.0.0.1", "127.1", "2130706433",
            "1.2.3.0001", "", "1::2::3", "g::1",
        ] {
            #expect(IPAddress(literal: notLiteral) == nil, "\(notLiteral)")
        }
    }

    /// Every spelling the review found, and the other ways `inet_aton` reads numbers: refused
    /// under the strict policy, none of them read as a harmless public address.
    @Test(arguments: [
        "012.0.0.1", "172.037.0.1", "0x7f.0.0.1", "0x7f.1", "127.1", "2130706433", "0177.0.0.1", "10.0.0.010",
        "0251.0376.0251.0376", "0xa9fea9fe", "1.2.3", "127.0.0.1.", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
        "[::127.0.0.1]", "[2001::1]", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "[64:ff9b::a00:1]",
        "[64:ff9b::7f00:1]", "[64:ff9b:1::1]", "[100::1]", "[2001:db8::1]", "[2002:a00:1::1]", "[fd00:ec2::254]",
        "[fe80::1]", "[fc00::1]", "[ff02::1]", "[::]", "[::1]", "[3fff::1]", "[::ffff:169.254.169.254]",
    ])
    func nonCanonicalAndSpecialHostsAreRefused(host: String) {
        #expect(NetworkGuard.blockedReason(forHost: host) != nil, "\(host) was allowed")
    }

    /// IANA's IPv4 special-purpose blocks that are not globally reachable, by a member of each.
    @Test(arguments: [
        ("0.1.2.3", "unspecified"), ("10.1.2.3", "private"), ("100.64.0.1", "carrier-grade NAT"),
        ("127.0.0.2", "loopback"), ("169.254.1.1", "link-local"), ("169.254.169.254", "cloud metadata"),
        ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.0.0.8", "IETF protocol assignment"),
        ("192.0.2.1", "documentation"), ("192.88.99.1", "6to4 relay anycast"), ("192.168.1.1", "private"),
        ("198.18.0.1", "benchmarking"), ("198.19.255.255", "benchmarking"), ("198.51.100.7", "documentation"),
        ("203.0.113.7", "documentation"), ("224.0.0.1", "multicast"), ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"), ("100.100.100.200", "cloud metadata (Alibaba Cloud)"),
    ])
    func specialIPv4BlocksAreRefused(host: String, reason: String) {
        #expect(NetworkGuard.blockedReason(forHost: host) == "\(reason) address \(host)")
    }

    @Test func classifiesHosts() {
        #expect(NetworkGuard.blockedReason(forHost: "[fe80::abcd]")?.hasPrefix("link-local") == true)
        #expect(NetworkGuard.blockedReason(forHost: "metadata.google.internal.")?.hasPrefix("cloud metadata") == true)
        #expect(NetworkGuard.blockedReason(forHost: "localhost")?.hasPrefix("loopback") == true)
        #expect(NetworkGuard.blockedReason(forHost: "012.0.0.1") == "non-canonical numeric host 012.0.0.1")
        #expect(NetworkGuard.blockedReason(forHost: "[64:ff9b::a00:1]") == "NAT64 private address [64:ff9b::a00:1]")
        for host in [
            "example.com", "8.8.8.8", "172.15.0.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "localhost.example.com",
            "[2606:4700::1111]", "[64:ff9b::808:808]", "[2002:808:808::1]", "1.2.3.example", "0x7f.example",
        ] {
            #expect(NetworkGuard.blockedReason(forHost: host) == nil, "\(host)")
        }
    }

    @Test func privateNetworksAllowLoopbackButNeverMetadataOrLinkLocal() {
        let open = NetworkPolicy(allowPrivateNetworks: true)
        for host in ["127.0.0.1", "10.0.0.1", "[::1]", "localhost", "[fc00::1]"] {
            #expect(open.blockedReason(forHost: host) == nil, "\(host)")
        }
        for host in ["169.254.169.254", "[fd00:ec2::254]", "169.254.1.1", "[fe80::1]", "metadata.google.internal", "012.0.0.1",
            "[::ffff:169.254.169.254]"]
        {
            #expect(open.blockedReason(forHost: host) != nil, "\(host)")
        }
        #expect(open.blockedReason(for: .v4([169, 254, 169, 254]), host: "evil.example") != nil)
    }

    @Test func operatorAllowlistAdmitsNamedHostsAndBlocks() throws {
        let list = try PrivateHostAllowlist(parsing: "smtp.corp.example, 10.20.0.0/16, fd12:3456::/32 ,192.168.1.5")
        let policy = NetworkPolicy(allowedPrivateHosts: list)
        #expect(policy.blockedReason(forHost: "10.20.3.4") == nil)
        #expect(policy.blockedReason(forHost: "192.168.1.5") == nil)
        #expect(policy.blockedReason(forHost: "[fd12:3456::1]") == nil)
        #expect(policy.blockedReason(forHost: "10.21.0.1") == "private address 10.21.0.1")
        #expect(policy.blockedReason(for: .v4([10, 9, 9, 9]), host: "smtp.corp.example") == nil)
        #expect(policy.blockedReason(for: .v4([10, 9, 9, 9]), host: "other.example") != nil)
        // An allowlist never opens metadata or link-local.
        let wide = NetworkPolicy(allowedPrivateHosts: try PrivateHostAllowlist(parsing: "0.0.0.0/0, ::/0"))
        #expect(wide.blockedReason(forHost: "169.254.169.254") != nil)
        #expect(wide.blockedReason(forHost: "10.0.0.1") == nil)
        for bad in ["10.0.0.0/33", "not a host", "012.0.0.1", "10.0.0.0/x"] {
            #expect(throws: AllowlistError.self, "\(bad)") { try PrivateHostAllowlist(parsing: bad) }
        }
    }
}
