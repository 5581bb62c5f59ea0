import BatchSenderCore
import BatchSenderStore

/// One `DeliveryNotifier` call as it travels between processes: the payload of a `NOTIFY` on the
/// wake-up channel.
///
/// The payload is `w`, `b:<batch id>` or `c:<send config id>`, a space, and the sending process's
/// origin tag — a few dozen bytes, far below PostgreSQL's limit ("the payload must be shorter
/// than 8000 bytes" in the default configuration: https://www.postgresql.org/docs/current/sql-notify.html).
/// The origin lets a listener skip its own process's wake-ups, which that process already gave
/// its engine directly.
public enum PostgresWakeup: Hashable, Sendable {
    case workAvailable
    case batchChanged(Batch.ID)
    case sendConfigChanged(SendConfig.ID)

    /// The payload for this wake-up sent by `origin`.
    func payload(from origin: PostgresWakeupOrigin) -> String {
        "\(message) \(origin.rawValue)"
    }

    private var message: String {
        switch self {
        case .workAvailable: "w"
        case .batchChanged(let id): "b:\(id.rawValue)"
        case .sendConfigChanged(let id): "c:\(id.rawValue)"
        }
    }

    /// The wake-up and its origin in a payload; `nil` for anything else (a payload of a newer
    /// version, or someone else's `NOTIFY` on the channel), which listeners ignore.
    static func decode(_ payload: String) -> (wakeup: PostgresWakeup, origin: PostgresWakeupOrigin)? {
        let parts = payload.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, let origin = PostgresWakeupOrigin(rawValue: String(parts[1])) else { return nil }
        let message = parts[0]
        if message == "w" { return (.workAvailable, origin) }
        if message.hasPrefix("b:") {
            let raw = String(message.dropFirst(2))
            guard Batch.ID.isWellFormed(raw) else { return nil }
            return (.batchChanged(Batch.ID(rawValue: raw)), origin)
        }
        if message.hasPrefix("c:") {
            let raw = String(message.dropFirst(2))
            guard SendConfig.ID.isWellFormed(raw) else { return nil }
            return (.sendConfigChanged(SendConfig.ID(rawValue: raw)), origin)
        }
        return nil
    }

    /// Gives this wake-up to `notifier`.
    func deliver(to notifier: any DeliveryNotifier) {
        switch self {
        case .workAvailable: notifier.workAvailable()
        case .batchChanged(let id): notifier.batchChanged(id)
        case .sendConfigChanged(let id): notifier.sendConfigChanged(id)
        }
    }
}

/// Names the process that sent a wake-up: random per process, shared by its publisher and its
/// listener (the composition root makes one and gives it to both).
public struct PostgresWakeupOrigin: Hashable, Sendable {
    public let rawValue: String

    /// 12 random characters of `[a-z0-9]`.
    public static func random() -> PostgresWakeupOrigin {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return PostgresWakeupOrigin(unchecked: String((0..<12).map { _ in alphabet.randomElement() ?? "x" }))
    }

    /// `nil` unless `rawValue` is 1 to 32 of `[a-z0-9]`.
    public init?(rawValue: String) {
        guard (1...32).contains(rawValue.utf8.count),
            rawValue.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) { self.rawValue = rawValue }
}
