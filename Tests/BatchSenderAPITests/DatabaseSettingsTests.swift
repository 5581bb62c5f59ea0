import BatchSenderApp
import Testing

/// `BATCHSENDER_DATABASE_URL` and what PostgreSQL requires, decided when settings are read.
@Suite struct DatabaseSettingsTests {
    let key = String(repeating: "A", count: 43) + "="

    @Test func postgresNeedsAMasterKey() {
        #expect(throws: ConfigError("BATCHSENDER_MASTER_KEY is required with PostgreSQL (base64 of 32 bytes)")) {
            try AppConfig.resolve(flags: [.databaseURL: "postgres://u@h/db"], environment: [:])
        }
    }

    @Test func aMalformedPostgresURLNamesTheSetting() throws {
        let error = try #require(throws: ConfigError.self) {
            try AppConfig.resolve(flags: [.databaseURL: "postgresql://u@h:99999/db", .masterKey: key], environment: [:])
        }
        #expect(error.description.hasPrefix("BATCHSENDER_DATABASE_URL: "))
        #expect(!error.description.contains("\n"))
    }

    @Test func everyRoleIsAllowedOnPostgresOnlyAllOnSQLite() throws {
        for role in AppConfig.Role.allCases {
            let config = try AppConfig.resolve(
                flags: [.databaseURL: "postgres://u:p@h:5433/db?sslmode=disable", .masterKey: key], environment: [:], role: role)
            #expect(config.role == role)
            guard case .postgres = config.database else {
                Issue.record("expected PostgreSQL")
                continue
            }
        }
        #expect(throws: ConfigError.self) {
            try AppConfig.resolve(flags: [.databaseURL: "sqlite:x.db"], environment: [:], role: .worker)
        }
    }
}
