import Foundation

/// Validates and normalizes a recipient's `to` for its module (CONTRACT §4).
public struct AddressValidator: Sendable {
    /// The SSRF policy literal hosts in URLs are judged by (CONTRACT §5: 422 at creation).
    public var policy: NetworkPolicy

    /// When false, literal loopback/private hosts in URLs are refused; link-local and metadata
    /// hosts are refused whatever it says.
    public var allowPrivateNetworks: Bool {
        get { policy.allowPrivateNetworks }
        set { policy.allowPrivateNetworks = newValue }
    }

    public init(allowPrivateNetworks: Bool = false) {
        policy = NetworkPolicy(allowPrivateNetworks: allowPrivateNetworks)
    }

    public init(policy: NetworkPolicy) {
        self.policy = policy
    }

    /// The address in its stored form, or the reason it is invalid.
    public func validate(_ to: String, for module: Module) -> Result<String, AddressError> {
        switch module {
        case .email: Self.validateEmail(to)
        case .sms: Self.validatePhone(to)
        case .webhook: validateURL(to)
        case .crm:
            to.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? .failure(AddressError("must be a non-empty record key")) : .success(to)
        }
    }

    /// The key used to find duplicates and suppressions. Email addresses — and anything shaped
    /// like one, such as a CRM record keyed by email — compare case-insensitively; phone numbers,
    /// URLs and other keys exactly. The same rule serves recipients and the suppression list.
    public static func normalize(_ address: String, for module: Module?) -> String {
        if module == .email || (address.contains("@") && !address.contains("://")) {
            return address.lowercased()
        }
        return address
    }

    /// A pragmatic RFC 5321 mailbox check: `local@domain`, a dotted domain of LDH labels (or
    /// non-ASCII labels for IDNs), no spaces, sane lengths. Display names are not accepted here.
    public static func validateEmail(_ raw: String) -> Result<String, AddressError> {
        // Uploads validate a million addresses: plain ASCII is checked byte by byte; only
        // internationalized addresses take the slower Character path below.
        if raw.utf8.allSatisfy({ $0 < 0x80 }) { return validateASCIIEmail(raw) }
        let address = raw
        guard address.utf8.count <= 254 else { return .failure(AddressError("email address is longer than 254 bytes")) }
        guard let at = address.lastIndex(of: "@") else { return .failure(AddressError("is not an email address")) }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64 else {
            return .failure(AddressError("email address has an empty or over-long local part"))
        }
        let localSpecials = Self.localSpecialCharacters
        for ch in local where !(ch.isLetter || ch.isNumber || localSpecials.contains(ch)) {
            return .failure(AddressError("email address has an invalid character \"\(ch)\""))
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            return .failure(AddressError("email address has a misplaced dot"))
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return .failure(AddressError("email domain must contain a dot")) }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { return .failure(AddressError("email domain \"\(domain)\" is not a valid host name")) }
        }
        return .success(address)
    }

    static let localSpecialCharacters = Set("!#$%&'*+-/=?^_`{|}~.")

    /// `true` for the ASCII bytes RFC 5322 allows in an unquoted local part (atext and `.`).
    private static let localByte: [Bool] = (0..<128).map { byte in
        let c = UInt8(byte)
        return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || Array("!#$%&'*+-/=?^_`{|}~.".utf8).contains(c)
    }

    /// The same rules as `validateEmail`, for an all-ASCII address, without building Characters.
    static func validateASCIIEmail(_ address: String) -> Result<String, AddressError> {
        var contiguous = address
        return contiguous.withUTF8 { checkASCIIEmail($0) }.map { .failure($0) } ?? .success(address)
    }

    private static func checkASCIIEmail(_ b: UnsafeBufferPointer<UInt8>) -> AddressError? {
        let at = UInt8(ascii: "@"), dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        guard b.count <= 254 else { return AddressError("email address is longer than 254 bytes") }
        guard let atIndex = b.lastIndex(of: at) else { return AddressError("is not an email address") }
        let local = b[..<atIndex]
        guard !local.isEmpty, local.count <= 64 else {
            return AddressError("email address has an empty or over-long local part")
        }
        var previous: UInt8 = 0
        for c in local {
            guard c < 128, localByte[Int(c)] else {
                return AddressError("email address has an invalid character \"\(Character(Unicode.Scalar(c)))\"")
            }
            if c == dot && previous == dot { return AddressError("email address has a misplaced dot") }
            previous = c
        }
        if local.first == dot || local.last == dot { return AddressError("email address has a misplaced dot") }
        let domain = b[(atIndex + 1)...]
        var labels = 0, labelLength = 0, labelStart: UInt8 = 0, last: UInt8 = 0
        func domainError() -> AddressError {
            AddressError("email domain \"\(String(decoding: domain, as: UTF8.self))\" is not a valid host name")
        }
        for c in domain {
            if c == dot {
                guard labelLength > 0, labelStart != hyphen, last != hyphen else { return domainError() }
                labels += 1
                labelLength = 0
            } else {
                let ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == hyphen
                guard ok else { return domainError() }
                if labelLength == 0 { labelStart = c }
                labelLength += 1
                guard labelLength <= 63 else { return domainError() }
            }
            last = c
        }
        guard labelLength > 0, labelStart != hyphen, last != hyphen else {
            return labels == 0 && labelLength > 0 ? AddressError("email domain must contain a dot") : domainError()
        }
        guard labels >= 1 else { return AddressError("email domain must contain a dot") }
        return nil
    }

    /// E.164: `+` followed by 8 to 15 digits, the first not zero.
    public static func validatePhone(_ raw: String) -> Result<String, AddressError> {
        let utf8 = Array(raw.utf8)
        guard utf8.first == UInt8(ascii: "+"), (9...16).contains(utf8.count),
            utf8.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            utf8[1] != UInt8(ascii: "0")
        else { return .failure(AddressError("must be an E.164 phone number: + and 8 to 15 digits")) }
        return .success(raw)
    }

    /// An absolute http(s) URL with a host; literal hosts the policy refuses are refused.
    public func validateURL(_ raw: String) -> Result<String, AddressError> {
        guard let components = URLComponents(string: raw),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { return .failure(AddressError("must be an absolute http or https URL")) }
        if let reason = policy.blockedReason(forHost: host) {
            return .failure(AddressError("blocked: \(reason)"))
        }
        return .success(raw)
    }
}

/// Why an address was refused; the message is shown to the client as is.
public struct AddressError: Error, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
