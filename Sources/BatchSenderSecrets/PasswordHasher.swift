import BatchSenderCore
import Dispatch
import HummingbirdBcrypt

/// Hashes and verifies dashboard passwords with bcrypt (hummingbird-auth's `HummingbirdBcrypt`).
///
/// bcrypt is deliberately slow — about a quarter of a second at cost 12 — so the work runs on a
/// Dispatch queue, not on the Swift concurrency pool, where it would hold up every other request
/// on a 2-core machine (hummingbird-auth's own advice is to run it off the task executor).
public struct PasswordHasher: Sendable {
    /// log2 of bcrypt's rounds. 12 is the OWASP Password Storage Cheat Sheet's suggestion for
    /// bcrypt at the time of writing ("a work factor of 10 or more"), and hummingbird-auth's default.
    public static let defaultCost: UInt8 = 12

    /// The cost of new hashes. Verification uses the cost stored in each hash, so raising it
    /// later is safe; tests lower it (bcrypt's minimum is 4) to stay fast.
    public let cost: UInt8

    public init(cost: UInt8 = defaultCost) {
        self.cost = min(max(cost, 4), 31)
    }

    /// A bcrypt hash (`$2b$12$…`) of `password`. Check it with `PasswordPolicy` first: bcrypt
    /// reads at most 72 bytes and stops at NUL.
    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await Self.offPool { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; `false` for a malformed hash.
    public func verify(_ password: String, hash: String) async -> Bool {
        await Self.offPool { Bcrypt.verify(password, hash: hash) }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
