import BatchSenderCore

/// Validates a batch `payload` for its module (CONTRACT §4); every string field is a Mustache
/// template and must parse.
public struct PayloadValidator: Sendable {
    public var addresses: AddressValidator
    /// SMS: the most segments a message may take (the send config's `settings.maxSegments`).
    public var maxSMSSegments: Int

    public init(addresses: AddressValidator, maxSMSSegments: Int = SMSSegments.defaultMaximum) {
        self.addresses = addresses
        self.maxSMSSegments = maxSMSSegments
    }

    /// A validator for batches sent through `config`: its SMS segment limit applies.
    public init(addresses: AddressValidator, config: SendConfig) {
        self.init(
            addresses: addresses,
            maxSMSSegments: config.settings["maxSegments"]?.intValue ?? SMSSegments.defaultMaximum)
    }

    /// Every problem with `payload`, each located under `payload.`.
    public func issues(in payload: JSONValue?, for module: Module) -> [ValidationIssue] {
        guard let payload else { return [ValidationIssue(field: "payload", message: "is required")] }
        guard case .object(let object) = payload else {
            return [ValidationIssue(field: "payload", message: "must be an object, not \(payload.typeName)")]
        }
        var reader = ObjectReader(object, path: "payload")
        switch module {
        case .email: checkEmail(&reader)
        case .sms: checkSMS(&reader)
        case .webhook: checkWebhook(&reader)
        case .crm: checkCRM(&reader)
        }
        return reader.issues
    }

    private func template(_ reader: inout ObjectReader, _ key: String, required: Bool = false) -> String? {
        guard let text = reader.string(key, required: required) else { return nil }
        if let problem = TemplateCheck.problem(in: text) {
            reader.fail(key, problem)
            return nil
        }
        return text
    }

    private func headers(_ reader: inout ObjectReader, _ key: String) {
        guard let headers = reader.object(key) else { return }
        var nested = ObjectReader(headers, path: reader.fieldName(key))
        for (name, _) in headers.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty || !name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) {
                nested.fail(name, "is not a valid header name")
            } else if let value = template(&nested, name, required: true), value.contains(where: \.isNewline) {
                nested.fail(name, "must not contain line breaks")
            }
        }
        reader.absorb(nested)
    }

    private func checkEmail(_ reader: inout ObjectReader) {
        if let from = template(&reader, "from", required: true), !from.contains("{{"),
            case .failure(let error) = AddressValidator.validateEmail(from)
        {
            reader.fail("from", error.message)
        }
        _ = template(&reader, "fromName")
        if let replyTo = template(&reader, "replyTo"), !replyTo.contains("{{"),
            case .failure(let error) = AddressValidator.validateEmail(replyTo)
        {
            reader.fail("replyTo", error.message)
        }
        _ = template(&reader, "subject", required: true)
        let html = template(&reader, "html")
        let text = template(&reader, "text")
        if html == nil && text == nil && reader.present("html") == nil && reader.present("text") == nil {
            reader.fail("html", "html or text is required")
        }
        headers(&reader, "headers")
        if let url = template(&reader, "unsubscribeUrl"), !url.contains("{{"), let problem = UnsubscribeLink.problem(url) {
            reader.fail("unsubscribeUrl", problem)
        }
    }

    private func checkSMS(_ reader: inout ObjectReader) {
        if let from = template(&reader, "from", required: true), !from.contains("{{") {
            if !SMSSender.isValid(from) {
                reader.fail("from", "must be an E.164 number or an alphanumeric sender id of 1 to 11 characters")
            }
        }
        // A message without variables has the same length for everyone: refuse it now if too long.
        if let message = template(&reader, "message", required: true), !message.contains("{{") {
            let segments = SMSSegments(message)
            if segments.count > maxSMSSegments {
                reader.fail("message", "takes \(segments.count) segments (\(segments.encoding.rawValue)); "
                    + "the send config allows at most \(maxSMSSegments)")
            } else if segments.count == 0 {
                reader.fail("message", "must not be empty")
            }
        }
    }

    private func checkWebhook(_ reader: inout ObjectReader) {
        if let url = template(&reader, "url"), !url.contains("{{"), case .failure(let error) = addresses.validateURL(url) {
            reader.fail("url", error.message)
        }
        if let method = reader.string("method"), !Self.webhookMethods.contains(method.uppercased()) {
            reader.fail("method", "must be one of \(Self.webhookMethods.sorted().joined(separator: ", "))")
        }
        headers(&reader, "headers")
        if let body = reader.present("body") { checkBodyTemplates(body, path: "body", reader: &reader) }
        _ = reader.int("timeoutMs", in: 1...120_000)
    }

    static let webhookMethods: Set<String> = ["POST", "PUT", "PATCH", "DELETE", "GET"]

    private func checkBodyTemplates(_ value: JSONValue, path: String, reader: inout ObjectReader) {
        switch value {
        case .string(let s):
            if let problem = TemplateCheck.problem(in: s) { reader.fail(path, problem) }
        case .array(let items):
            for (i, item) in items.enumerated() { checkBodyTemplates(item, path: "\(path)[\(i)]", reader: &reader) }
        case .object(let members):
            for (key, item) in members { checkBodyTemplates(item, path: "\(path).\(key)", reader: &reader) }
        default: break
        }
    }

    private func checkCRM(_ reader: inout ObjectReader) {
        _ = reader.string("object", required: true)
        _ = reader.choice("operation", required: true) as CRMOperation?
        _ = reader.string("externalIdField")
    }
}

/// The record operations of the CRM module.
public enum CRMOperation: String, CaseIterable, Sendable {
    case create, update, upsert, delete
}

/// SMS sender ids: an E.164 number or an alphanumeric id (1–11 characters, at least one letter).
public enum SMSSender {
    public static func isValid(_ from: String) -> Bool {
        if from.hasPrefix("+") { return (try? AddressValidator.validatePhone(from).get()) != nil }
        if from.allSatisfy(\.isNumber) { return (3...15).contains(from.count) }  // short codes
        return (1...11).contains(from.count) && from.contains(where: \.isLetter)
            && from.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == ".") })
    }
}
