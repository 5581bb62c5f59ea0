import BatchSenderStore
import GRDB

/// `CopyInspecting` for both SQLite ends of a copy: the source reads its snapshot, the target
/// its pool, through the same inspections.
public protocol SQLiteCopyInspecting: CopyInspecting {
    var database: any DatabaseReader { get }
}

extension SQLiteCopyInspecting {
    public func tableColumns() async throws -> [String: Set<String>] {
        try await database.read { db in try SQLiteCopyInspection.tableColumns(db) }
    }

    public func count(_ table: CopyTable) async throws -> Int {
        try await database.read { db in try SQLiteCopyInspection.count(table, db) }
    }

    public func total(_ column: String, of table: CopyTable) async throws -> Int64 {
        try await database.read { db in try SQLiteCopyInspection.total(column, of: table, db) }
    }

    public func generatedIDHighWater(_ table: CopyTable) async throws -> Int64 {
        try await database.read { db in try SQLiteCopyInspection.generatedIDHighWater(table, db) }
    }
}
