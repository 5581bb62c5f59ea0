import BatchSenderApp
import Testing

/// `BATCHSENDER_POLL_INTERVAL`: how often an idle engine looks for work unprompted.
@Suite struct PollIntervalSettingTests {
    @Test func oneSecondUnlessSet() throws {
        #expect(try AppConfig.resolve(flags: [:], environment: [:]).pollInterval == .seconds(1))
    }

    @Test func secondsFromTheEnvironmentOrTheFlag() throws {
        #expect(try AppConfig.resolve(flags: [:], environment: ["BATCHSENDER_POLL_INTERVAL": "60"]).pollInterval == .seconds(60))
        let flagWins = try AppConfig.resolve(flags: [.pollInterval: "0.25"], environment: ["BATCHSENDER_POLL_INTERVAL": "60"])
        #expect(flagWins.pollInterval == .milliseconds(250))
        #expect(AppConfig.Setting.pollInterval.flag == "poll-interval")
    }

    @Test(arguments: ["0", "-1", "abc", "", " ", "inf", "nan", "3601", "1e9", "0.001"])
    func badValuesAreOneClearLine(_ raw: String) throws {
        // An empty environment variable counts as unset; the flag is taken as given.
        let error = try #require(throws: ConfigError.self) {
            try AppConfig.resolve(flags: [.pollInterval: raw], environment: [:])
        }
        #expect(error.description == "BATCHSENDER_POLL_INTERVAL must be a number of seconds from 0.01 to 3600, got \(raw)")
    }
}
