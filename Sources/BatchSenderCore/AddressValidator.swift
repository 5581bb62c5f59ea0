import Foundation

/// Validates and normalizes a recipient's `to` for its module (CONTRACT §4).
public struct AddressValidator: Sendable {
    /// When false, literal loopback/private/link-local/metadata hosts in URLs are refused.
    public var allowPrivateNetworks: Bool

    public init(allowPrivateNetworks: Bool = false) {
        self.allowPrivateNetworks = allowPrivateNetworks
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
        let address = raw
        guard address.utf8.count <= 254 else { return .failure(AddressError("email address is longer than 254 bytes")) }
        guard let at = address.lastIndex(of: "@") else { return .failure(AddressError("is not an email address")) }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64 else {
            return .failure(AddressError("email address has an empty or over-long local part"))
        }
        let localSpecials = Set("!#$%&'*+-/=?^_`{|}~.")
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

    /// E.164: `+` followed by 8 to 15 digits, the first not zero.
    public static func validatePhone(_ raw: String) -> Result<String, AddressError> {
        let utf8 = Array(raw.utf8)
        guard utf8.first == UInt8(ascii: "+"), (9...16).contains(utf8.count),
            utf8.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            utf8[1] != UInt8(ascii: "0")
        else { return .failure(AddressError("must be an E.164 phone number: + and 8 to 15 digits")) }
        return .success(raw)
    }

    /// An absolute http(s) URL with a host; literal private hosts are refused unless allowed.
    public func validateURL(_ raw: String) -> Result<String, AddressError> {
        guard let components = URLComponents(string: raw),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { return .failure(AddressError("must be an absolute http or https URL")) }
        if !allowPrivateNetworks, let reason = NetworkGuard.blockedReason(forHost: host) {
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
