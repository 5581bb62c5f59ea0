import BatchSenderCore

/// What a provider needs in a send config: the credentials without which it cannot send, and
/// the shape of its settings (CONTRACT §3). Unknown extra fields are allowed.
public struct ProviderSpec: Sendable {
    /// Credential names that must be present and non-empty.
    public var requiredCredentials: [String]
    /// Credential names that may be present.
    public var optionalCredentials: [String]
    /// Checks `settings` and reports issues through the reader.
    var checkSettings: @Sendable (inout ObjectReader, AddressValidator) -> Void

    /// The spec of `provider`.
    public static func of(_ provider: Provider) -> ProviderSpec {
        switch provider {
        case .sandbox:
            ProviderSpec(required: [], optional: []) { reader, _ in
                _ = reader.number("latencyMs", in: 0...60_000)
                _ = reader.number("failureRate", in: 0...1)
                maxSegments(&reader)
                unsubscribe(&reader)
            }
        case .resend:
            ProviderSpec(required: ["apiKey"], optional: ["webhookSecret"]) { reader, v in
                baseURL(&reader, v)
                unsubscribe(&reader)
            }
        case .ses:
            ProviderSpec(required: ["accessKeyId", "secretAccessKey"], optional: ["sessionToken"]) { reader, v in
                if let region = reader.string("region"), !region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                    reader.fail("region", "must be an AWS region such as eu-west-1")
                }
                baseURL(&reader, v)
                _ = reader.string("configurationSet")
                if let topic = reader.string("snsTopicArn"), !isSNSTopicARN(topic) {
                    reader.fail("snsTopicArn", "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:ses-events")
                }
                unsubscribe(&reader)
            }
        case .smtp:
            ProviderSpec(required: [], optional: ["username", "password"]) { reader, v in
                if let host = reader.string("host", required: true), let reason = v.policy.blockedReason(forHost: host) {
                    reader.fail("host", "blocked: \(reason)")
                }
                _ = reader.int("port", in: 1...65_535)
                _ = reader.choice("security") as SMTPSecurity?
                checkSMTPSettings(&reader)
                unsubscribe(&reader)
            }
        case .twilio:
            ProviderSpec(required: ["accountSid", "authToken"], optional: []) { reader, v in
                baseURL(&reader, v)
                _ = reader.string("messagingServiceSid")
                maxSegments(&reader)
            }
        case .vonage:
            ProviderSpec(required: ["apiKey", "apiSecret"], optional: ["signatureSecret"]) { reader, v in
                baseURL(&reader, v)
                maxSegments(&reader)
                // Vonage's signature algorithms ("Signing Messages"); md5hash is their default.
                if let method = reader.string("signatureMethod"), !["md5hash", "md5", "sha1", "sha256", "sha512"].contains(method) {
                    reader.fail("signatureMethod", "must be one of md5hash, md5, sha1, sha256, sha512")
                }
                _ = reader.bool("signRequests")
            }
        case .telnyx:
            ProviderSpec(required: ["apiKey"], optional: ["publicKey"]) { reader, v in
                baseURL(&reader, v)
                _ = reader.string("messagingProfileId")
                maxSegments(&reader)
            }
        case .http:
            ProviderSpec(required: [], optional: ["signingSecret", "inboundSecret"]) { reader, _ in
                guard let breaker = reader.object("circuitBreaker") else { return }
                var nested = ObjectReader(breaker, path: reader.fieldName("circuitBreaker"))
                _ = nested.int("failureThreshold", in: 1...10_000)
                _ = nested.number("openSeconds", in: 0.1...86_400)
                reader.absorb(nested)
            }
        case .hubspot:
            ProviderSpec(required: ["accessToken"], optional: []) { baseURL(&$0, $1) }
        case .salesforce:
            ProviderSpec(required: ["accessToken"], optional: []) { reader, v in
                url(&reader, "instanceUrl", required: true, v)
                baseURL(&reader, v)
            }
        case .pipedrive:
            ProviderSpec(required: ["apiToken"], optional: []) { reader, v in
                if let domain = reader.string("companyDomain"),
                    !domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
                {
                    reader.fail("companyDomain", "must be a host name such as acme or acme.pipedrive.com")
                }
                baseURL(&reader, v)
            }
        }
    }

    init(required: [String], optional: [String], settings: @escaping @Sendable (inout ObjectReader, AddressValidator) -> Void) {
        requiredCredentials = required
        optionalCredentials = optional
        checkSettings = settings
    }

    /// Email: a default `unsubscribeUrl` template for every batch sent through the config.
    private static func unsubscribe(_ reader: inout ObjectReader) {
        guard let url = reader.string("unsubscribeUrl") else { return }
        if let problem = TemplateCheck.problem(in: url) ?? (url.contains("{{") ? nil : UnsubscribeLink.problem(url)) {
            reader.fail("unsubscribeUrl", problem)
        }
    }

    /// `arn:<partition>:sns:<region>:<12-digit account>:<topic>` (AWS ARN format; topic names are
    /// 1–256 of letters, digits, `-` and `_`, `.fifo` allowed).
    static func isSNSTopicARN(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "sns", !parts[3].isEmpty,
            parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }), (1...256).contains(parts[5].count)
        else { return false }
        return parts[5].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// SMS: the most segments one message may take (CONTRACT §4; longer ones are refused).
    private static func maxSegments(_ reader: inout ObjectReader) {
        _ = reader.int("maxSegments", in: 1...100)
    }

    private static func baseURL(_ reader: inout ObjectReader, _ validator: AddressValidator) {
        url(&reader, "baseUrl", required: false, validator)
    }

    /// Provider base URLs must be absolute http(s), and a literal host must pass the SSRF policy
    /// (CONTRACT §5): a self-hosted gateway on a private address needs
    /// `BATCHSENDER_ALLOW_PRIVATE_NETWORKS` or an entry in `BATCHSENDER_ALLOWED_PRIVATE_HOSTS`.
    /// Names are checked again, by their addresses, whenever a connection is opened.
    private static func url(_ reader: inout ObjectReader, _ key: String, required: Bool, _ validator: AddressValidator) {
        guard let text = reader.string(key, required: required) else { return }
        if case .failure(let error) = validator.validateURL(text) { reader.fail(key, error.message) }
    }
}

/// How an SMTP connection is secured.
public enum SMTPSecurity: String, CaseIterable, Sendable {
    case none, starttls, tls
}
