import BatchSenderSecrets
import BatchSenderStore
import Foundation
import Logging

/// What `batchsender copy-data` was asked to do.
public struct CopyDataRequest: Sendable {
    /// Database URLs, as `BATCHSENDER_DATABASE_URL` takes them.
    public var from: String
    public var to: String
    /// Base64 master keys given as flags; `nil` means "as a server there would find it".
    public var fromMasterKey: String?
    public var toMasterKey: String?
    /// Replace a non-empty target's contents.
    public var force: Bool
    /// Rows per page read from the source (and per SQLite transaction).
    public var pageSize: Int
    /// For `BATCHSENDER_MASTER_KEY`.
    public var environment: [String: String]

    public init(
        from: String, to: String, fromMasterKey: String? = nil, toMasterKey: String? = nil, force: Bool = false,
        pageSize: Int = 5_000, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.from = from
        self.to = to
        self.fromMasterKey = fromMasterKey
        self.toMasterKey = toMasterKey
        self.force = force
        self.pageSize = pageSize
        self.environment = environment
    }
}

/// What a copy did: rows per table (in copy order) and whether sealed data was re-sealed.
public struct CopyDataReport: Sendable, Equatable {
    public var copied: [(table: String, rows: Int)]
    public var resealed: Bool

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.copied.map { "\($0.table)=\($0.rows)" } == rhs.copied.map { "\($0.table)=\($0.rows)" }
            && lhs.resealed == rhs.resealed
    }
}

/// A copy that failed after it started (as opposed to a refused one, a `ConfigError`).
public struct CopyDataError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension BatchSender {
    /// `batchsender copy-data`: copies every table of `CopyCatalog` from one database to another
    /// (SQLite or PostgreSQL, either way), then counts both sides and compares.
    ///
    /// Both databases are migrated to this binary's schema first. The target must be empty —
    /// no row in any copied table — unless `force`, which empties it first (its own migration
    /// history and maintenance lease stay). Refuses to copy a database onto itself, a database
    /// a server is using, and tables or columns this binary does not know. `report` receives one
    /// line per table as it completes (`recipients: 100000 copied`).
    ///
    /// A copy that fails midway leaves the target partly written (each table is committed as it
    /// goes, in pages on SQLite); the error says so, and running again with `force` starts over.
    @discardableResult
    public static func copyData(
        _ request: CopyDataRequest, logger: Logger, report: @escaping @Sendable (String) -> Void = { print($0) }
    ) async throws -> CopyDataReport {
        guard request.pageSize >= 1 else { throw ConfigError("--page-size must be at least 1") }
        let source = try CopyLocation(url: request.from, flag: "--from")
        let target = try CopyLocation(url: request.to, flag: "--to")
        let keyFlags = try MasterKeyFlags(request)
        if target.isPostgres, keyFlags.to == nil, keyFlags.environment == nil {
            throw CopyMasterKeys.postgresTargetNeedsKey
        }
        if case .sqlite(let from) = source, case .sqlite(let to) = target,
            let identity = CopyLocation.fileIdentity(from), identity == CopyLocation.fileIdentity(to)
        {
            throw ConfigError("--from and --to are the same database")
        }
        return try await CopyDatabase.with(source, side: .source, logger: logger) { sourceDatabase in
            try await CopyDatabase.with(target, side: .target, logger: logger) { targetDatabase in
                if source.isPostgres, target.isPostgres, try await sourceDatabase.identity() == targetDatabase.identity() {
                    throw ConfigError("--from and --to are the same database")
                }
                try await sourceDatabase.refuseIfInUse(side: .source, source)
                try await targetDatabase.refuseIfInUse(side: .target, target)
                return try await sourceDatabase.withReader { reader in
                    let copy = TableCopy(
                        reader: reader, writer: targetDatabase.writer, pageSize: request.pageSize, logger: logger, report: report)
                    return try await copyTables(copy, keys: keyFlags, from: source, to: target, force: request.force)
                }
            }
        }
    }

    /// Checks both schemas, settles the master keys, empties the target when forced, copies.
    /// Every refusal comes before the first write: the target is emptied (`--force`) and its key
    /// file written only once nothing can refuse any more.
    private static func copyTables(
        _ copy: TableCopy, keys flags: MasterKeyFlags, from source: CopyLocation, to target: CopyLocation, force: Bool
    ) async throws -> CopyDataReport {
        var copy = copy
        try await copy.checkSchemas()
        let sourceKey = try CopyMasterKeys.chooseSource(
            try CopyMasterKeys.sourceCandidates(flag: flags.from, environment: flags.environment, location: source),
            samples: try await copy.sealedSamples())
        let mustEmpty = try await copy.checkTargetIsEmpty(unless: force)
        let (targetKey, keyFile) = try CopyMasterKeys.chooseTarget(
            flag: flags.to, environment: flags.environment, location: target, source: sourceKey)
        let keys = CopyMasterKeys(source: sourceKey, target: targetKey)
        if keys.differ, let from = keys.source, let to = keys.target {
            copy.resealing = (try CredentialSealer(masterKey: from.key), try CredentialSealer(masterKey: to.key))
        }
        if mustEmpty { try await copy.emptyTarget() }
        if let keyFile, let targetKey { try CopyMasterKeys.writeKeyFile(targetKey.key, forDatabase: keyFile) }
        return try await copy.run()
    }
}

/// The master keys named on the command line or in the environment, decoded.
struct MasterKeyFlags: Sendable {
    var from: NamedMasterKey?
    var to: NamedMasterKey?
    /// `BATCHSENDER_MASTER_KEY` (empty counts as unset, as for every setting).
    var environment: NamedMasterKey?

    init(_ request: CopyDataRequest) throws {
        let setting = AppConfig.Setting.masterKey.rawValue
        from = try request.fromMasterKey.map { try CopyMasterKeys.decode($0, origin: "--from-master-key") }
        to = try request.toMasterKey.map { try CopyMasterKeys.decode($0, origin: "--to-master-key") }
        environment = try request.environment[setting].flatMap { $0.isEmpty ? nil : $0 }
            .map { try CopyMasterKeys.decode($0, origin: setting) }
    }
}
