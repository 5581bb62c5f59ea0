import BatchSenderCore
import BatchSenderEvents
import BatchSenderSignatures
import BatchSenderTesting
import Foundation
import Synchronization
import Testing

/// SES events through SNS: messages signed (SignatureVersion 1 and 2) by
/// `scripts/test-servers/sns_sign.py` with a certificate it generates, served to the verifier
/// as if from SNS's certificate URL.
@Suite struct SNSEventTests {
    static let defaultPattern = #"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"#
    /// The topic `sns_sign.py` signs for.
    static let topic = "arn:aws:sns:us-east-1:123456789012:ses-events"
    static let settings: [String: JSONValue] = ["snsTopicArn": .string(topic)]

    /// Fresh fixtures (timestamped now) in a temporary directory.
    static func fixtures() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bs-sns-\(UUID().uuidString)")
        _ = try PythonScript.output("sns_sign.py", ["--out", directory.path, "--quiet"])
        return directory
    }

    static func fixture(_ directory: URL, _ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(name).json"), encoding: .utf8)
    }

    /// A verifier that serves the generated certificate and records what it fetched.
    static func verifier(_ directory: URL, fetched: Fetched = Fetched()) throws -> SNSVerifier {
        let pem = try Data(contentsOf: directory.appendingPathComponent("cert.pem"))
        return try SNSVerifier(pattern: defaultPattern) { url in
            fetched.urls.withLock { $0.append(url) }
            return Array(pem)
        }
    }

    /// The URLs a verifier fetched.
    final class Fetched: Sendable {
        let urls = Mutex<[String]>([])
        var list: [String] { urls.withLock { $0 } }
    }

    static func request(_ body: String) -> EventRequest {
        EventRequest(method: "POST", url: "https://bs.example.com/v1/events/ses/sc_1", query: [],
                     headers: ["content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"],
                     body: Array(body.utf8))
    }

    @Test(arguments: ["sns_notification_v1", "sns_notification_v2"])
    func signedNotificationsCarryTheSESEvent(_ name: String) async throws {
        let directory = try Self.fixtures()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fetched = Fetched()
        let intake = EventIntake(sns: try Self.verifier(directory, fetched: fetched))
        let body = try Self.fixture(directory, name)
        let result = try await intake.receive(Self.request(body), provider: .ses, credentials: [:], settings: Self.settings, now: Date())
        guard case .events(let events) = result else { Issue.record("\(result)"); return }
        let envelope = try #require(JSONValue.parse(body))
        let record = try #require(envelope["Message"]?.stringValue.flatMap(JSONValue.parse))
        #expect(events.first?.messageID == record["mail"]?["messageId"]?.stringValue)
        #expect(events.first?.eventID == envelope["MessageId"]?.stringValue)
        #expect(events.first?.kind == .bounced)
        #expect(events.first?.hard == (record["bounce"]?["bounceType"]?.stringValue == "Permanent"))
        // A burst of events costs one certificate download.
        _ = try await intake.receive(Self.request(body), provider: .ses, credentials: [:], settings: Self.settings, now: Date())
        #expect(fetched.list.count == 1)
    }

    @Test(arguments: ["sns_notification_with_subject_v1", "sns_notification_with_subject_v2"])
    func aSubjectIsPartOfTheSignedText(_ name: String) async throws {
        let directory = try Self.fixtures()
        defer { try? FileManager.default.removeItem(at: directory) }
        let intake = EventIntake(sns: try Self.verifier(directory))
        // Its Message is plain text, not an SES record: reading fails only after verification passed.
        await #expect(throws: EventIntakeError.unreadable("the SNS Message is not an SES event")) {
            try await intake.receive(Self.request(try Self.fixture(directory, name)), provider: .ses, credentials: [:],
                                     settings: Self.settings, now: Date())
        }
    }

    @Test func tamperedStaleAndForeignCertificateMessagesAreRefused() async throws {
        let directory = try Self.fixtures()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fetched = Fetched()
        let intake = EventIntake(sns: try Self.verifier(directory, fetched: fetched))
        let body = try Self.fixture(directory, "sns_notification_v2")
        let tampered = body.replacingOccurrences(of: "Permanent", with: "Transient")
        await #expect(throws: EventIntakeError.unauthorized("the signature does not match")) {
            try await intake.receive(Self.request(tampered), provider: .ses, credentials: [:], settings: Self.settings, now: Date())
        }
        await #expect(throws: EventIntakeError.unauthorized("the signature timestamp is more than 5 minutes from now")) {
            try await intake.receive(Self.request(body), provider: .ses, credentials: [:], settings: Self.settings, now: Date().addingTimeInterval(900))
        }
        var foreign = try #require(JSONValue.parse(body)?.objectValue)
        foreign["SigningCertURL"] = "https://attacker.example.com/SimpleNotificationService-x.pem"
        await #expect(throws: EventIntakeError.self) {
            try await intake.receive(Self.request(JSONValue.object(foreign).jsonText()), provider: .ses, credentials: [:],
                                     settings: Self.settings, now: Date())
        }
        foreign["SigningCertURL"] = "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem"
        await #expect(throws: EventIntakeError.self, "plain http is not an SNS URL") {
            try await intake.receive(Self.request(JSONValue.object(foreign).jsonText()), provider: .ses, credentials: [:],
                                     settings: Self.settings, now: Date())
        }
        #expect(fetched.list.allSatisfy { $0.hasPrefix("https://sns.us-east-1.amazonaws.com/") },
                "nothing outside the allow-list was ever fetched")
        await #expect(throws: EventIntakeError.self, "a message from another topic") {
            try await intake.receive(Self.request(body), provider: .ses, credentials: [:],
                                     settings: ["snsTopicArn": "arn:aws:sns:us-east-1:123456789012:other"], now: Date())
        }
    }

    @Test(arguments: ["sns_subscription_confirmation_v1", "sns_subscription_confirmation_v2"])
    func subscriptionConfirmationsAreVerifiedBeforeTheirURLIsReturned(_ name: String) async throws {
        let directory = try Self.fixtures()
        defer { try? FileManager.default.removeItem(at: directory) }
        let intake = EventIntake(sns: try Self.verifier(directory))
        let body = try Self.fixture(directory, name)
        let result = try await intake.receive(Self.request(body), provider: .ses, credentials: [:], settings: Self.settings, now: Date())
        guard case .confirmSubscription(let url) = result else { Issue.record("\(result)"); return }
        #expect(url == JSONValue.parse(body)?["SubscribeURL"]?.stringValue)
        #expect(url.hasPrefix("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"))
        let forged = body.replacingOccurrences(of: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", with: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscriptionX")
        await #expect(throws: EventIntakeError.self, "a changed SubscribeURL breaks the signature") {
            try await intake.receive(Self.request(forged), provider: .ses, credentials: [:], settings: Self.settings, now: Date())
        }
    }
}
