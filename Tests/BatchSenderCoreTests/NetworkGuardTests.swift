import BatchSenderCore
import Testing

@Suite struct NetworkGuardTests {
    @Test func parsesIPv4() {
        #expect(NetworkGuard.parseIPv4("192.168.0.1") == [192, 168, 0, 1])
        #expect(NetworkGuard.parseIPv4("0.0.0.0") == [0, 0, 0, 0])
        #expect(NetworkGuard.parseIPv4("255.255.255.255") == [255, 255, 255, 255])
        for bad in ["256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "a.b.c.d", "0x7f.0.0.1", "1.2.3.0001", "", "1.2.3.-1"] {
            #expect(NetworkGuard.parseIPv4(bad) == nil, "\(bad)")
        }
    }

    @Test func parsesIPv6() {
        #expect(NetworkGuard.parseIPv6("::1") == Array(repeating: 0, count: 15) + [1])
        #expect(NetworkGuard.parseIPv6("::") == Array(repeating: 0, count: 16))
        #expect(NetworkGuard.parseIPv6("2001:db8::ff00:42:8329") == [
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0, 0x42, 0x83, 0x29,
        ])
        #expect(NetworkGuard.parseIPv6("::ffff:10.0.0.1") == Array(repeating: 0, count: 10) + [0xff, 0xff, 10, 0, 0, 1])
        #expect(NetworkGuard.parseIPv6("fe80::1%eth0")?.prefix(2) == [0xfe, 0x80], "zone id ignored")
        #expect(NetworkGuard.parseIPv6("1:2:3:4:5:6:7:8")?.count == 16)
        for bad in ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::1", "127.0.0.1", "1:2:3:4:5:6:7::8"] {
            #expect(NetworkGuard.parseIPv6(bad) == nil, "\(bad)")
        }
    }

    @Test func classifiesHosts() {
        #expect(NetworkGuard.blockedReason(forHost: "127.0.0.1")?.hasPrefix("loopback") == true)
        #expect(NetworkGuard.blockedReason(forHost: "10.1.2.3")?.hasPrefix("private") == true)
        #expect(NetworkGuard.blockedReason(forHost: "169.254.1.1")?.hasPrefix("link-local") == true)
        #expect(NetworkGuard.blockedReason(forHost: "100.127.255.255")?.hasPrefix("carrier-grade NAT") == true)
        #expect(NetworkGuard.blockedReason(forHost: "[::1]")?.hasPrefix("loopback") == true)
        #expect(NetworkGuard.blockedReason(forHost: "[fe80::abcd]")?.hasPrefix("link-local") == true)
        #expect(NetworkGuard.blockedReason(forHost: "metadata.google.internal.")?.hasPrefix("cloud metadata") == true)
        #expect(NetworkGuard.blockedReason(forHost: "localhost")?.hasPrefix("loopback") == true)
        for host in ["example.com", "8.8.8.8", "172.15.0.1", "172.32.0.1", "100.128.0.1", "[2001:db8::1]", "192.169.0.1", "localhost.example.com"] {
            #expect(NetworkGuard.blockedReason(forHost: host) == nil, "\(host)")
        }
    }
}
