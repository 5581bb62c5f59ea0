import BatchSenderCore
import BatchSenderSecrets
import BatchSenderStore
import Foundation

/// Stored `Idempotency-Key` responses under another master key (`batchsender copy-data` onto a
/// database with a different key). Kept beside `Idempotency`, which owns the sealed format.
public enum IdempotentResponseSealing {
    /// The format's statics do not depend on the store; any concrete one names them.
    private typealias Format = Idempotency<InMemoryStore>

    /// Whether `stored` is sealed (bodies stored before sealing existed are plain JSON).
    public static func isSealed(_ stored: Data) -> Bool {
        stored.starts(with: Format.sealedMarker)
    }

    /// `stored` opened with `source` and sealed again with `target`, bound to the same key and
    /// workspace; plain bodies pass through. Throws when `source` does not open it.
    public static func reseal(
        _ stored: Data, key: String, workspace: Workspace.ID, from source: CredentialSealer, to target: CredentialSealer
    ) throws -> Data {
        guard isSealed(stored) else { return stored }
        let marker = Format.sealedMarker
        let context = Format.sealingContext(key: key, workspace: workspace)
        let body = try source.open(Data(stored.dropFirst(marker.count)), context: context)
        return marker + (try target.seal(body, context: context))
    }
}
