@testable import BatchSenderApp
import BatchSenderPostgres
import Foundation
import Testing

/// The copy catalog against a freshly migrated PostgreSQL schema: a PostgreSQL migration that
/// adds a table or a column fails here until `CopyCatalog` says what to do with it.
@Suite(.enabled(if: CopyTestDatabase.url != nil, "BATCHSENDER_TEST_DATABASE_URL is not set"))
struct CopyCatalogPostgresTests {

    @Test func theCatalogCoversThePostgresSchema() async throws {
        var configuration = try PostgresConfiguration(url: try #require(CopyTestDatabase.url))
        configuration.schema = "copy_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        configuration.maximumConnections = 1
        let store = try PostgresStore(configuration: configuration)
        let tables = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            try await store.migrate()
            return try await store.copyWriter().tableColumns()
        }
        for (name, columns) in tables where CopyCatalog.notCopied[name] == nil {
            let entry = try #require(CopyCatalog.entry(named: name), "table \(name) is not in CopyCatalog")
            #expect(Set(entry.table.columnNames) == columns, "\(name)")
        }
        #expect(Set(CopyCatalog.copied.map(\.table.name)).isSubset(of: Set(tables.keys)))
    }
}

/// The test PostgreSQL server, when `scripts/with-postgres` started one.
enum CopyTestDatabase {
    static let url = ProcessInfo.processInfo.environment["BATCHSENDER_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
}
