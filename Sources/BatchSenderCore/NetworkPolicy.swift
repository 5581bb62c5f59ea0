import Foundation

/// Which non-global destinations this deployment may reach: the one SSRF policy that webhook
/// deliveries, provider endpoints (`baseUrl`, `instanceUrl`, SMTP `host`) and their creation-time
/// validation all apply (CONTRACT §1 `BATCHSENDER_ALLOW_PRIVATE_NETWORKS`, §5).
///
/// - Global addresses and ordinary names are allowed (names are judged by their addresses).
/// - Link-local and cloud metadata addresses, and non-canonical numeric hosts, are never allowed.
/// - Loopback and every other non-global block are allowed with `allowPrivateNetworks`, or when
///   the operator allowlist (`BATCHSENDER_ALLOWED_PRIVATE_HOSTS`) names the host or the address.
public struct NetworkPolicy: Hashable, Sendable {
    public var allowPrivateNetworks: Bool
    public var allowedPrivateHosts: PrivateHostAllowlist

    public init(allowPrivateNetworks: Bool = false, allowedPrivateHosts: PrivateHostAllowlist = PrivateHostAllowlist()) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.allowedPrivateHosts = allowedPrivateHosts
    }

    /// Nothing non-global allowed.
    public static let strict = NetworkPolicy()

    /// Why a URL's `host` must not be called, judged without resolving it, or `nil`.
    public func blockedReason(forHost rawHost: String) -> String? {
        guard let finding = NetworkGuard.finding(forHost: rawHost) else { return nil }
        let literal = IPAddress(literal: rawHost)
        if allows(finding, host: rawHost, address: literal) { return nil }
        return literal != nil ? "\(finding.reason) address \(rawHost)" : "\(finding.reason) \(rawHost)"
    }

    /// Why `address`, which `host` resolved to, must not be connected to, or `nil`.
    public func blockedReason(for address: IPAddress, host: String) -> String? {
        guard let finding = NetworkGuard.finding(for: address) else { return nil }
        if allows(finding, host: host, address: address) { return nil }
        return "\(host) resolves to \(finding.reason) address \(address)"
    }

    private func allows(_ finding: NetworkGuard.Finding, host: String, address: IPAddress?) -> Bool {
        switch finding.severity {
        case .forbidden, .malformed: false
        case .local, .nonGlobal: allowPrivateNetworks || allowedPrivateHosts.allows(host: host, address: address)
        }
    }
}

/// Operator-approved private destinations (self-hosted gateways, an internal SMTP relay): host
/// names matched exactly, and addresses or CIDR blocks. Written as a comma-separated list, e.g.
/// `smtp.corp.example, 10.20.0.0/16, fd12:3456::/32`.
public struct PrivateHostAllowlist: Hashable, Sendable {
    public var names: Set<String>
    public var blocks: [Block]

    /// An address block, `address/length`.
    public struct Block: Hashable, Sendable, CustomStringConvertible {
        public var address: IPAddress
        public var length: Int

        public init(address: IPAddress, length: Int) {
            self.address = address
            self.length = length
        }

        public func contains(_ other: IPAddress) -> Bool {
            switch (address, other) {
            case (.v4(let prefix), .v4(let bytes)), (.v6(let prefix), .v6(let bytes)):
                CIDR.matches(bytes, prefix: prefix, length: length)
            default: false
            }
        }

        public var description: String { "\(address)/\(length)" }
    }

    public init(names: Set<String> = [], blocks: [Block] = []) {
        self.names = names
        self.blocks = blocks
    }

    public var isEmpty: Bool { names.isEmpty && blocks.isEmpty }

    /// Parses the comma-separated setting; throws a message naming the bad entry.
    public init(parsing text: String) throws(AllowlistError) {
        self.init()
        for raw in text.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            if let address = IPAddress(literal: parts[0]) {
                let bits: Int
                switch address { case .v4: bits = 32; case .v6: bits = 128 }
                var length = bits
                if parts.count == 2 {
                    guard let parsed = Int(parts[1]), (0...bits).contains(parsed) else {
                        throw AllowlistError("\(entry): the prefix length must be 0 to \(bits)")
                    }
                    length = parsed
                }
                blocks.append(Block(address: address, length: length))
            } else if parts.count == 1, NetworkGuard.finding(forHost: entry)?.severity != .malformed,
                entry.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
            {
                names.insert(entry.hasSuffix(".") ? String(entry.dropLast()) : entry)
            } else {
                throw AllowlistError("\(entry) is neither a host name nor an address or CIDR block")
            }
        }
    }

    func allows(host: String, address: IPAddress?) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if names.contains(name) { return true }
        guard let address else { return false }
        return blocks.contains { $0.contains(address) }
    }
}

/// A `BATCHSENDER_ALLOWED_PRIVATE_HOSTS` entry that could not be read.
public struct AllowlistError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
