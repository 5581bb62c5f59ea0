import BatchSenderCore
import BatchSenderDelivery

/// The validated fields of a send-config create or update request.
struct SendConfigInput {
    var name: String?
    var module: Module?
    var provider: Provider?
    /// Credentials as given; in an update, `nil` values remove a credential.
    var credentials: [String: String?]?
    var settings: [String: JSONValue]?
    /// `.some(nil)` clears the rate limit in an update.
    var rateLimit: RateLimit??
    var maxConcurrency: Int??
    var issues: [ValidationIssue] = []

    /// Reads `body`; `creating` makes module and provider required.
    init(_ body: [String: JSONValue], creating: Bool) {
        var reader = ObjectReader(body)
        name = reader.string("name")
        module = reader.choice("module", required: creating)
        provider = reader.choice("provider", required: creating)
        if let module, let provider, !module.providers.contains(provider) {
            reader.fail("provider", "must be one of \(module.providers.map(\.rawValue).joined(separator: ", ")) for module \(module.rawValue)")
        }
        if let raw = reader.object("credentials") {
            var nested = ObjectReader(raw, path: "credentials")
            var values: [String: String?] = [:]
            for (key, value) in raw {
                switch value {
                case .string(let s): values[key] = s
                case .null where !creating: values[key] = .some(nil)
                default: nested.fail(key, "must be a string, not \(value.typeName)")
                }
            }
            reader.absorb(nested)
            credentials = values
        }
        settings = reader.object("settings")
        if body["rateLimit"] == .null {
            rateLimit = .some(nil)
        } else if let raw = reader.object("rateLimit") {
            var nested = ObjectReader(raw, path: "rateLimit")
            let perSecond = nested.number("perSecond", in: 0.001...1_000_000)
            if nested.present("perSecond") == nil { nested.fail("perSecond", "is required") }
            let burst = nested.int("burst", in: 1...1_000_000)
            reader.absorb(nested)
            if let perSecond { rateLimit = .some(RateLimit(perSecond: perSecond, burst: burst)) }
        }
        if body["maxConcurrency"] == .null {
            maxConcurrency = .some(nil)
        } else if let value = reader.int("maxConcurrency", in: 1...10_000) {
            maxConcurrency = .some(value)
        }
        issues = reader.issues
    }
}
