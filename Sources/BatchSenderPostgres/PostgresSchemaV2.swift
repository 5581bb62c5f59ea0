/// Shared delivery limits: one throttle row per send config, read and written by every claim
/// under a row lock (see `PostgresStore+Throttle.swift`).
///
/// `tat` is the rate limiter's "theoretical arrival time" (GCRA): NULL or in the past means the
/// bucket is full. `paused_until` is a provider's `Retry-After`, for every process at once. Both
/// are database times (`clock_timestamp()`), so processes with skewed clocks agree.
enum PostgresSchemaV2 {
    static let migration = PostgresMigration(version: 2, name: "send config throttles", statements: [
        """
        CREATE TABLE send_config_throttles (
            send_config_id text COLLATE "C" PRIMARY KEY REFERENCES send_configs(id) ON DELETE CASCADE,
            tat timestamptz,
            paused_until timestamptz
        )
        """,
    ])
}
