/// A recipient's stable idempotency key, `msg_<batch ULID>_<row>`: sent to providers that accept
/// one (`Idempotency-Key`, `webhook-id`, Vonage `client-ref`) and read back from their events.
/// It has no dots: a Standard Webhooks `webhook-id` must not contain one.
public enum MessageKey {
    public static func make(batch: Batch.ID, recipient: Recipient.ID) -> String {
        let batchPart = batch.rawValue.split(separator: "_").last.map(String.init) ?? batch.rawValue
        return "msg_\(batchPart)_\(recipient.row.map(String.init) ?? recipient.rawValue)"
    }

    /// The batch and recipient row a key names, or `nil` when it is not one of ours.
    public static func parse(_ key: String) -> (batch: Batch.ID, row: Int64)? {
        guard key.hasPrefix("msg_") else { return nil }
        let parts = key.dropFirst(4).split(separator: "_")
        guard parts.count == 2, let row = Int64(parts[1]), row > 0 else { return nil }
        return (Batch.ID(rawValue: "\(Batch.idPrefix)_\(parts[0])"), row)
    }
}
