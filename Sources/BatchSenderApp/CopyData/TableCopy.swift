import BatchSenderSecrets
import BatchSenderStore
import Foundation
import Logging

/// The copy itself, table by table in `CopyCatalog` order: keyset pages from one snapshot of
/// the source, each re-sealed when the master keys differ, appended to the target; then the
/// target's id generators moved past the source's, and every count compared.
struct TableCopy {
    let reader: any CopyReader
    let writer: any CopyWriter
    let pageSize: Int
    let logger: Logger
    let report: @Sendable (String) -> Void
    /// Source and target sealers when the master keys differ; `nil` copies sealed bytes as they are.
    var resealing: (source: CredentialSealer, target: CredentialSealer)?

    init(
        reader: any CopyReader, writer: any CopyWriter, pageSize: Int, logger: Logger,
        report: @escaping @Sendable (String) -> Void
    ) {
        self.reader = reader
        self.writer = writer
        self.pageSize = pageSize
        self.logger = logger
        self.report = report
    }

    /// Refuses when either database has a table or column the catalog does not know, or lacks
    /// one it lists: copying would leave data behind, or fail halfway.
    func checkSchemas() async throws {
        for (side, tables) in [("source", try await reader.tableColumns()), ("target", try await writer.tableColumns())] {
            for (name, columns) in tables.sorted(by: { $0.key < $1.key }) {
                if CopyCatalog.notCopied[name] != nil { continue }
                guard let entry = CopyCatalog.entry(named: name) else {
                    throw ConfigError(
                        "the \(side) has a table \(name) that this batchsender's copy-data does not know; refusing to copy without it")
                }
                let known = Set(entry.table.columnNames)
                if let unknown = columns.subtracting(known).subtracting(entry.ignored).sorted().first {
                    throw ConfigError("the \(side)'s table \(name) has a column \(unknown) that copy-data does not know; refusing to copy without it")
                }
                if let missing = known.subtracting(columns).sorted().first {
                    throw ConfigError("the \(side)'s table \(name) has no column \(missing); is it migrated by another version?")
                }
            }
            if let missing = CopyCatalog.copied.first(where: { tables[$0.table.name] == nil }) {
                throw ConfigError("the \(side) has no table \(missing.table.name); is it migrated by another version?")
            }
        }
    }

    /// Rows of the source's first pages that hold sealed data, to find the key that opens them.
    func sealedSamples() async throws -> [SealedSample] {
        var samples: [SealedSample] = []
        for entry in CopyCatalog.copied {
            guard let sealed = entry.sealed else { continue }
            for row in try await reader.page(of: entry.table, after: nil, limit: min(pageSize, 100))
            where sealed.isSealed(row, in: entry.table) {
                samples.append(SealedSample(data: sealed, table: entry.table, row: row))
            }
        }
        return samples
    }

    /// Refuses a non-empty target (a row in any copied table) unless `force`; returns whether it
    /// must be emptied first.
    func checkTargetIsEmpty(unless force: Bool) async throws -> Bool {
        var occupied: [String] = []
        for entry in CopyCatalog.copied {
            let rows = try await writer.count(entry.table)
            if rows > 0 { occupied.append("\(entry.table.name): \(rows)") }
        }
        guard !occupied.isEmpty else { return false }
        guard force else {
            throw ConfigError("the target is not empty (\(occupied.joined(separator: ", "))); pass --force to replace its contents")
        }
        return true
    }

    /// Deletes every copied table's rows, dependents first (`--force`).
    func emptyTarget() async throws {
        try await writer.removeAll(from: CopyCatalog.copied.reversed().map(\.table))
    }

    /// Copies every table, then verifies. Returns the rows copied per table.
    func run() async throws -> CopyDataReport {
        var copied: [(table: String, rows: Int)] = []
        for entry in CopyCatalog.copied {
            let rows = try await copy(entry)
            copied.append((entry.table.name, rows))
            report("\(entry.table.name): \(rows) copied")
        }
        try await verify(copied)
        return CopyDataReport(copied: copied, resealed: resealing != nil)
    }

    /// One table: pages in key order, appended as they come (memory holds one page at a time).
    private func copy(_ entry: CopiedTable) async throws -> Int {
        let table = entry.table
        let started = ContinuousClock.now
        var after: [CopyValue]?
        var done = false
        var read = 0
        let written: Int
        do {
            written = try await writer.load(table) {
                guard !done else { return nil }
                let rows = try await reader.page(of: table, after: after, limit: pageSize)
                guard let last = rows.last else {
                    done = true
                    return nil
                }
                after = table.key(of: last)
                read += rows.count
                if rows.count < pageSize { done = true }
                guard let resealing, let sealed = entry.sealed else { return rows }
                return try rows.map { try sealed.reseal($0, in: table, from: resealing.source, to: resealing.target) }
            }
            if table.generatedID != nil {
                try await writer.advanceGeneratedID(of: table, past: try await reader.generatedIDHighWater(table))
            }
        } catch {
            throw CopyDataError(
                "copying \(table.name) failed after \(read) rows: \(error); the target is partly written, run again with --force")
        }
        logger.debug(
            "copied a table",
            metadata: ["table": "\(table.name)", "rows": "\(written)", "duration": "\(ContinuousClock.now - started)"])
        return written
    }

    /// Counts (and totals, e.g. a batch's per-status counts) must agree on both sides.
    private func verify(_ copied: [(table: String, rows: Int)]) async throws {
        for (entry, (_, written)) in zip(CopyCatalog.copied, copied) {
            let table = entry.table
            let (inSource, inTarget) = (try await reader.count(table), try await writer.count(table))
            guard inSource == inTarget, inTarget == written else {
                throw CopyDataError(
                    "verification failed: \(table.name) has \(inSource) rows in the source and \(inTarget) in the target")
            }
            for column in table.totals {
                let (sourceTotal, targetTotal) = (
                    try await reader.total(column, of: table), try await writer.total(column, of: table)
                )
                guard sourceTotal == targetTotal else {
                    throw CopyDataError(
                        "verification failed: \(table.name).\(column) adds up to \(sourceTotal) in the source and \(targetTotal) in the target")
                }
            }
        }
    }
}
