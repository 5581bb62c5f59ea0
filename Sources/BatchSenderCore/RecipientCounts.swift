/// Per-status recipient counts of a batch, maintained with every recipient change so that reading
/// a batch never scans its recipients.
public struct RecipientCounts: Hashable, Sendable, Codable {
    public var pending = 0, queued = 0, sending = 0, sent = 0, delivered = 0
    public var failed = 0, bounced = 0, complained = 0, suppressed = 0, cancelled = 0

    public init() {}

    /// All recipients of the batch.
    public var total: Int {
        RecipientStatus.allCases.reduce(0) { $0 + self[$1] }
    }

    /// Recipients still pending, queued or sending.
    public var open: Int { pending + queued + sending }

    public subscript(status: RecipientStatus) -> Int {
        get {
            switch status {
            case .pending: pending
            case .queued: queued
            case .sending: sending
            case .sent: sent
            case .delivered: delivered
            case .failed: failed
            case .bounced: bounced
            case .complained: complained
            case .suppressed: suppressed
            case .cancelled: cancelled
            }
        }
        set {
            switch status {
            case .pending: pending = newValue
            case .queued: queued = newValue
            case .sending: sending = newValue
            case .sent: sent = newValue
            case .delivered: delivered = newValue
            case .failed: failed = newValue
            case .bounced: bounced = newValue
            case .complained: complained = newValue
            case .suppressed: suppressed = newValue
            case .cancelled: cancelled = newValue
            }
        }
    }

    /// Records `count` recipients moving from `old` to `new`.
    public mutating func move(_ count: Int, from old: RecipientStatus, to new: RecipientStatus) {
        self[old] -= count
        self[new] += count
    }

    private enum CodingKeys: String, CodingKey {
        case total, pending, queued, sending, sent, delivered, failed, bounced, complained, suppressed, cancelled
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        for status in RecipientStatus.allCases {
            if let key = CodingKeys(stringValue: status.rawValue) {
                self[status] = try c.decodeIfPresent(Int.self, forKey: key) ?? 0
            }
        }
    }

    /// Encodes `total` first, then every status (the shape of CONTRACT §4).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(total, forKey: .total)
        for status in RecipientStatus.allCases {
            if let key = CodingKeys(stringValue: status.rawValue) { try c.encode(self[status], forKey: key) }
        }
    }
}
