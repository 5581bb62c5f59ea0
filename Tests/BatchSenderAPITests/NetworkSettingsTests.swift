import BatchSenderApp
import BatchSenderCore
import Testing

/// `BATCHSENDER_ALLOWED_PRIVATE_HOSTS`: read once into the typed policy, from the flag or the
/// environment; a bad entry is a clear start-up error.
@Suite struct NetworkSettingsTests {
    @Test func allowlistComesFromTheFlagOrTheEnvironment() throws {
        let fromEnvironment = try AppConfig.resolve(
            flags: [:], environment: ["BATCHSENDER_ALLOWED_PRIVATE_HOSTS": "smtp.corp.example, 10.20.0.0/16"])
        #expect(fromEnvironment.networkPolicy.blockedReason(forHost: "10.20.1.2") == nil)
        #expect(fromEnvironment.networkPolicy.blockedReason(forHost: "10.21.1.2") != nil)
        #expect(fromEnvironment.networkPolicy.blockedReason(for: .v4([192, 168, 1, 1]), host: "smtp.corp.example") == nil)
        #expect(!fromEnvironment.allowPrivateNetworks)

        let fromFlag = try AppConfig.resolve(
            flags: [.allowedPrivateHosts: "192.168.5.5"], environment: ["BATCHSENDER_ALLOWED_PRIVATE_HOSTS": "10.0.0.0/8"])
        #expect(fromFlag.networkPolicy.blockedReason(forHost: "192.168.5.5") == nil)
        #expect(fromFlag.networkPolicy.blockedReason(forHost: "10.1.1.1") != nil, "the flag wins over the environment")
        #expect(AppConfig.Setting.allowedPrivateHosts.flag == "allowed-private-hosts")
    }

    @Test func aBadEntryIsAStartUpError() {
        #expect(throws: ConfigError.self) {
            try AppConfig.resolve(flags: [.allowedPrivateHosts: "10.0.0.0/40"], environment: [:])
        }
    }

    @Test func defaultsAreStrict() throws {
        let config = try AppConfig.resolve(flags: [:], environment: [:])
        #expect(config.networkPolicy == .strict)
    }
}
