import BatchSenderCore
import BatchSenderDelivery
import Testing

@testable import BatchSenderProviders

@Suite("SMTP settings")
struct SMTPSettingsTests {
    static func configuration(_ settings: [String: JSONValue], credentials: [String: String] = [:]) -> ProviderConfiguration {
        var config = Make.fixtures.sendConfig(in: Make.fixtures.id(), module: .email, name: "Mail")
        config.provider = .smtp
        config.settings = settings
        return ProviderConfiguration(sendConfig: config, credentials: credentials, blockPrivateNetworks: false)
    }

    static func parse(_ settings: [String: JSONValue], credentials: [String: String] = [:]) -> Result<SMTPSettings, SMTPError> {
        SMTPSettings.parse(configuration(settings, credentials: credentials))
    }

    @Test func defaultsFollowTheSecurity() throws {
        let starttls = try Self.parse(["host": "smtp.example.com"]).get()
        #expect(starttls.security == .starttls && starttls.port == 587)
        #expect(starttls.maxConnections == 4 && starttls.messagesPerConnection == 100 && starttls.timeout == .seconds(30))
        #expect(starttls.credentials == nil && starttls.caCertificate == nil && !starttls.heloName.isEmpty)
        #expect(try Self.parse(["host": "smtp.example.com", "security": "tls"]).get().port == 465)
        #expect(try Self.parse(["host": "smtp.example.com", "security": "none"]).get().port == 25)
        let custom = try Self.parse([
            "host": "[::1]", "port": 2525, "heloName": "mailer.example.com", "maxConnections": 2,
            "messagesPerConnection": 50, "timeoutMs": 1500,
        ], credentials: ["username": "u", "password": "p"]).get()
        #expect(custom.port == 2525 && custom.heloName == "mailer.example.com" && custom.maxConnections == 2)
        #expect(custom.messagesPerConnection == 50 && custom.timeout == .milliseconds(1500))
        #expect(custom.connectHost == "::1" && custom.endpoint == "[::1]:2525")
        #expect(custom.credentials?.username == "u")
    }

    @Test func credentialsOverAnUnencryptedConnectionAreAConfigurationError() {
        let result = Self.parse(["host": "mx.example.com", "security": "none"], credentials: ["username": "u", "password": "p"])
        guard case .failure(let error) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.outcome.reason?.contains("unencrypted") == true)
        #expect(error.outcome.isReject)
    }

    @Test func halfOfTheCredentialsIsAnError() {
        for credentials in [["username": "u"], ["password": "p"], ["username": "u", "password": ""]] {
            guard case .failure(let error) = Self.parse(["host": "mx.example.com"], credentials: credentials) else {
                Issue.record("expected a failure for \(credentials)")
                continue
            }
            #expect(error.outcome.reason?.contains("credentials.") == true)
        }
    }

    @Test func providerRejectsEveryMessageOfABadConfig() async throws {
        let provider = SMTPProvider(configuration: Self.configuration(["host": "mx.example.com", "maxConnections": 0]))
        let message = try SMTPMake.message(to: "ann@example.com")
        let outcomes = await provider.send([message, message])
        #expect(outcomes.count == 2)
        #expect(outcomes.allSatisfy { $0.isReject && $0.reason?.contains("settings.maxConnections") == true })
    }

    @Test func validationNamesEachBadSetting() {
        let validator = SendConfigValidator(addresses: AddressValidator())
        let issues = validator.settingsIssues([
            "host": "smtp://mx.example.com:25", "heloName": "bad name", "caCertificate": "not pem",
            "maxConnections": 0, "messagesPerConnection": "ten", "timeoutMs": 5, "port": 70000,
        ], provider: .smtp)
        #expect(Set(issues.compactMap(\.field)) == [
            "settings.host", "settings.heloName", "settings.caCertificate", "settings.maxConnections",
            "settings.messagesPerConnection", "settings.timeoutMs", "settings.port",
        ])
        #expect(issues.allSatisfy { !$0.message.isEmpty })
        let open = SendConfigValidator(addresses: AddressValidator(allowPrivateNetworks: true))
        #expect(open.settingsIssues(["host": "127.0.0.1", "heloName": "[192.0.2.1]", "timeoutMs": 2000], provider: .smtp).isEmpty)
    }

    /// CONTRACT §5: a literal private relay is refused when the config is created (422).
    @Test func aPrivateRelayIsRefusedWithoutPrivateNetworks() {
        let strict = SendConfigValidator(addresses: AddressValidator())
        let issues = strict.settingsIssues(["host": "10.0.0.1"], provider: .smtp)
        #expect(issues.map(\.field) == ["settings.host"])
        #expect(issues.first?.message == "blocked: private address 10.0.0.1")
        #expect(strict.settingsIssues(["host": "smtp.example.com"], provider: .smtp).isEmpty)
    }
}
