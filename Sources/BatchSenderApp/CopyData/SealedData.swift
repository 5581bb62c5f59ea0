import BatchSenderAPI
import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import Foundation

/// Data sealed under the master key (AES-GCM, bound to its row): what must be opened with the
/// source's key and sealed with the target's when they differ.
///
/// API keys are not here: they are stored as plain SHA-256 hashes, which no key changes, so
/// copied keys authenticate as before. Message keys (`MessageKeys.tagged`) are derived from the
/// master key but never stored as such: recipients keep their `provider_message_id`, which is
/// what provider events are matched by.
enum SealedData: Sendable {
    /// `send_configs.sealed_credentials`, bound to the config's id.
    case sendConfigCredentials
    /// `idempotency_keys.body`, bound to the workspace and the key (when sealed at all).
    case idempotentResponse

    /// Whether `row` holds sealed bytes (a sample to test a candidate key on).
    func isSealed(_ row: [CopyValue], in table: CopyTable) -> Bool {
        switch self {
        case .sendConfigCredentials:
            if case .bytes(let sealed) = table.value("sealed_credentials", in: row) { return !sealed.isEmpty }
            return false
        case .idempotentResponse:
            if case .bytes(let body) = table.value("body", in: row) { return IdempotentResponseSealing.isSealed(body) }
            return false
        }
    }

    /// `row` with its sealed bytes opened by `source` and sealed by `target`.
    func reseal(_ row: [CopyValue], in table: CopyTable, from source: CredentialSealer, to target: CredentialSealer)
        throws -> [CopyValue]
    {
        var row = row
        switch self {
        case .sendConfigCredentials:
            guard case .bytes(let sealed) = table.value("sealed_credentials", in: row), !sealed.isEmpty,
                case .text(let id) = table.value("id", in: row)
            else { return row }
            let owner = SendConfig.ID(rawValue: id)
            let credentials: [String: String]
            do {
                credentials = try source.open(sealed, for: owner)
            } catch {
                throw CopyDataError("the credentials of send config \(id) do not open with the source's master key")
            }
            table.set("sealed_credentials", to: .bytes(try target.seal(credentials, for: owner)), in: &row)
        case .idempotentResponse:
            guard case .bytes(let body) = table.value("body", in: row), IdempotentResponseSealing.isSealed(body),
                case .text(let workspace) = table.value("workspace_id", in: row),
                case .text(let key) = table.value("key", in: row)
            else { return row }
            do {
                let resealed = try IdempotentResponseSealing.reseal(
                    body, key: key, workspace: Workspace.ID(rawValue: workspace), from: source, to: target)
                table.set("body", to: .bytes(resealed), in: &row)
            } catch {
                throw CopyDataError("a stored Idempotency-Key response of workspace \(workspace) does not open with the source's master key")
            }
        }
        return row
    }

    /// Whether `sealer` opens the sealed bytes of `row`.
    func opens(_ row: [CopyValue], in table: CopyTable, with sealer: CredentialSealer) -> Bool {
        (try? reseal(row, in: table, from: sealer, to: sealer)) != nil
    }
}

extension CopyTable {
    func value(_ column: String, in row: [CopyValue]) -> CopyValue? {
        columns.firstIndex { $0.name == column }.map { row[$0] }
    }

    func set(_ column: String, to value: CopyValue, in row: inout [CopyValue]) {
        if let index = columns.firstIndex(where: { $0.name == column }) { row[index] = value }
    }
}
