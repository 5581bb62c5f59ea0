import HTTPTypes

/// Which `X-Request-Id` values we echo, and how we make one when the client sent none.
///
/// A client's id is echoed only when it is 1 to 128 characters of `A-Z a-z 0-9 . _ : -`: enough
/// for UUIDs, ULIDs, W3C trace ids and the ids proxies such as nginx (`$request_id`) or Heroku's
/// router add, and nothing that could split a log line, forge a log field or inject a header.
/// Anything else is replaced by a generated id, never reflected.
public enum RequestIDPolicy {
    /// `X-Request-Id`: a de facto standard (no RFC), the name proxies and load balancers use.
    public static var headerName: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    public static let maxLength = 128

    /// The logger metadata key that carries the id. Hummingbird puts its own per-request id
    /// under this key and reads it back as `RequestContext.id`; we overwrite it with ours, so
    /// every line of a request carries one id, the one in the response header.
    public static let logMetadataKey = "hb.request.id"

    /// Whether `value` may be echoed and logged as it is.
    public static func isValid(_ value: String) -> Bool {
        (1...maxLength).contains(value.utf8.count) && value.utf8.allSatisfy(isAllowed)
    }

    /// The id of a request: the client's when valid, else a new one.
    public static func id(for incoming: String?) -> String {
        if let incoming, isValid(incoming) { return incoming }
        return generate()
    }

    /// 128 random bits as 32 lowercase hex digits: URL-safe, valid by the rule above, unique
    /// without coordination between processes, and cheap (two calls to the system generator).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next()) + hex(generator.next())
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
