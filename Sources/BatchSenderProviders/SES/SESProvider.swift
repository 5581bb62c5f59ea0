import AsyncHTTPClient
import BatchSenderCore
import BatchSenderDelivery
import Foundation
import Logging

/// The `ses` email provider: Amazon SES v2 `SendEmail`, signed with SigV4, one call per
/// message (SES has no batch call for personalized mail without stored templates).
///
/// Source: the SESv2 service model (botocore `data/sesv2/2019-09-27/service-2.json`):
/// `POST /v2/email/outbound-emails`, restJson1, endpoint prefix `email`, signing name `ses`;
/// request `FromEmailAddress`, `Destination.ToAddresses`, `ReplyToAddresses`,
/// `Content.Simple.{Subject, Body.{Text, Html}, Headers}`, `ConfigurationSetName`, `EmailTags`;
/// answer `{"MessageId": …}`.
public struct SESProvider: PerMessageAPI {
    static let path = "/v2/email/outbound-emails"
    /// `Content.Simple.Headers` holds at most 15 entries (model: `MessageHeaderList` max 15).
    static let maxHeaders = 15

    let http: ProviderHTTP
    let endpoint: String
    let signer: SigV4Signer
    let configurationSet: String?
    let now: @Sendable () -> Date

    /// - Parameter configuration: `credentials.accessKeyId`, `secretAccessKey`, `sessionToken?`;
    ///   `settings.region` (default `us-east-1`), `settings.baseUrl` (default
    ///   `https://email.<region>.amazonaws.com`), `settings.configurationSet` (event publishing).
    public init(
        configuration: ProviderConfiguration, client: HTTPClient,
        logger: Logger = Logger(label: "batchsender.ses"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        http = ProviderHTTP(client: client, logger: logger, policy: configuration.networkPolicy)
        let region = configuration.settings["region"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        endpoint = ProviderHTTP.endpoint(configuration.settings, default: "https://email.\(region).amazonaws.com", path: Self.path)
        let credentials = configuration.credentials
        signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: credentials["accessKeyId"] ?? "", secretAccessKey: credentials["secretAccessKey"] ?? "",
                sessionToken: credentials["sessionToken"]),
            region: region, service: "ses")
        configurationSet = configuration.settings["configurationSet"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        self.now = now
    }

    public var maxBatchSize: Int { 1 }
    public func destination(of message: OutboundMessage) -> String { apiHost }
    public func send(_ messages: [OutboundMessage]) async -> [DeliveryOutcome] { await sendEach(messages) }

    func request(for message: OutboundMessage) -> Result<APIRequest, RequestRefusal> {
        guard case .email(let email) = message.message else { return .failure(RequestRefusal(reason: "the ses provider sends email messages only")) }
        let body = Array(Self.body(email, message: message, configurationSet: configurationSet).jsonText().utf8)
        let headers = [("Content-Type", "application/json")]
        let signed = signer.sign(method: "POST", url: endpoint, headers: headers, body: body, date: now())
        return .success(APIRequest(
            headers: headers + [("Host", SigV4Signer.hostHeader(of: endpoint))] + signed.headers, body: body))
    }

    func outcome(of answer: ProviderHTTP.Answer) -> DeliveryOutcome { SESAnswer.outcome(answer, now: now()) }

    /// The `SendEmail` request body for `email`.
    static func body(_ email: EmailMessage, message: OutboundMessage, configurationSet: String?) -> JSONValue {
        func content(_ text: String) -> JSONValue { .object(["Data": .string(text), "Charset": "UTF-8"]) }
        var bodyParts: [String: JSONValue] = [:]
        if let text = email.text { bodyParts["Text"] = content(text) }
        if let html = email.html { bodyParts["Html"] = content(html) }
        var simple: [String: JSONValue] = ["Subject": content(email.subject), "Body": .object(bodyParts)]
        let headers = email.headers.sorted { $0.key < $1.key }.prefix(maxHeaders)
        if !headers.isEmpty {
            simple["Headers"] = .array(headers.map { .object(["Name": .string($0.key), "Value": .string($0.value)]) })
        }
        var request: [String: JSONValue] = [
            // SES wants a non-ASCII display name in RFC 2047 encoded-word syntax.
            "FromEmailAddress": .string(Mailbox.sevenBit(name: email.fromName, address: email.from)),
            "Destination": .object(["ToAddresses": .array([.string(email.to)])]),
            "Content": .object(["Simple": .object(simple)]),
            // Joins SES events (via SNS) back to the batch even before the message id is known.
            "EmailTags": .array(EmailTags.pairs(for: message).map { .object(["Name": .string($0.name), "Value": .string($0.value)]) }),
        ]
        if let replyTo = email.replyTo, !replyTo.isEmpty { request["ReplyToAddresses"] = .array([.string(replyTo)]) }
        if let configurationSet { request["ConfigurationSetName"] = .string(configurationSet) }
        return .object(request)
    }
}
