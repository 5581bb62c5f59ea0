/// The claim's index, fixed: a claim asks for one batch's queued recipients `ORDER BY
/// next_attempt_at, id LIMIT n`, and the first index, `(batch_id, status, next_attempt_at)`,
/// lacked `id`. Recipients queued together share one `next_attempt_at`, so PostgreSQL sorted
/// every queued recipient of the batch on every claim: O(batch) per claim, 718 deliveries/s on a
/// 100,000-recipient batch against 2,255/s on 20,000 (docs/BENCHMARKS.md). With `id` in the key the
/// claim reads its `n` rows off the index in order; partial on `queued`, it holds only the due
/// work (rows leave it when claimed) and adding `pending` recipients does not pay for it.
enum PostgresSchemaV3 {
    static let migration = PostgresMigration(version: 3, name: "claim index in due order", statements: [
        "DROP INDEX recipients_claim",
        "CREATE INDEX recipients_claim ON recipients (batch_id, next_attempt_at, id) WHERE status = 'queued'",
    ])
}
