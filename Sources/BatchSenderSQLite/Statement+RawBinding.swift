import GRDB
import GRDBSQLite

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes (a C macro Swift does not import).
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

extension Statement {
    /// Makes a statement that has run rebindable (SQLite refuses to bind to a stepped statement).
    func resetForBinding() throws {
        let code = sqlite3_reset(sqliteStatement)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }

    /// Binds `value` to parameter `index` (1-based) through the C API, without building
    /// `StatementArguments`: the bulk-insert hot path binds millions of values. Give the statement
    /// placeholder arguments once (`setArguments`, so GRDB considers it bound), overwrite them
    /// with this method (after `resetForBinding()`), then run `execute()` without arguments, which
    /// keeps these bindings.
    func bind(_ value: String, at index: Int32) throws {
        var value = value
        let code = value.withUTF8 { bytes in
            // An empty buffer may have no address; SQLite binds a nil pointer as NULL, not "".
            guard let base = bytes.baseAddress else { return sqlite3_bind_text(sqliteStatement, index, "", 0, transient) }
            return sqlite3_bind_text(sqliteStatement, index, base, Int32(bytes.count), transient)
        }
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }

    /// Binds an integer to parameter `index` (1-based); see `bind(_:at:)` for strings.
    func bind(_ value: Int64, at index: Int32) throws {
        let code = sqlite3_bind_int64(sqliteStatement, index, value)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }
}
