import Foundation

/// The per-API-key request limit of `BATCHSENDER_API_RATE_LIMIT` (CONTRACT §1, §11): a sustained
/// rate of `count` requests per second or per minute, and a burst of that many at once.
///
/// Written `N/s` or `N/m`, optionally followed by `,burst=B`; without a burst, `B` is `2 × N`
/// (so the default `100/s` has the burst `200` the contract names). `0` turns the limit off.
/// Only whole numbers: `N` from 1 to 1,000,000, `B` from 1 to 10,000,000.
public struct APIRateLimit: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable {
        case second = "s"
        case minute = "m"

        var seconds: Double { self == .second ? 1 : 60 }
    }

    public let count: Int
    public let unit: Unit
    public let burst: Int

    /// `100/s`, burst 200.
    public static let `default` = APIRateLimit(count: 100, unit: .second)

    public static let countRange = 1...1_000_000
    public static let burstRange = 1...10_000_000

    /// A limit; values out of range are clamped (parsed settings never are).
    public init(count: Int, unit: Unit, burst: Int? = nil) {
        self.count = min(max(count, Self.countRange.lowerBound), Self.countRange.upperBound)
        self.unit = unit
        let burst = burst ?? 2 * self.count
        self.burst = min(max(burst, Self.burstRange.lowerBound), Self.burstRange.upperBound)
    }

    /// The sustained rate in requests per second.
    public var perSecond: Double { Double(count) / unit.seconds }

    /// The canonical spelling, which `parse` reads back.
    public var description: String { "\(count)/\(unit.rawValue),burst=\(burst)" }

    /// A value that is not a rate limit; the caller names the setting in its message.
    public struct Invalid: Error, Equatable {}

    /// Reads a setting: `nil` for `0` (no limit), the limit otherwise. Hostile values (signs,
    /// fractions, exponents, other units, numbers out of range, stray text) throw `Invalid`.
    public static func parse(_ raw: String) throws(Invalid) -> APIRateLimit? {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if let zero = wholeNumber(text), zero == 0 { return nil }
        let parts = text.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        let rate = parts[0].trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2, let count = wholeNumber(rate[0]), countRange.contains(count),
            let unit = Unit(rawValue: String(rate[1]))
        else { throw Invalid() }
        var burst: Int?
        if parts.count == 2 {
            let option = parts[1].trimmingCharacters(in: .whitespaces)
            guard option.hasPrefix("burst="), let value = wholeNumber(option.dropFirst("burst=".count)),
                burstRange.contains(value)
            else { throw Invalid() }
            burst = value
        }
        return APIRateLimit(count: count, unit: unit, burst: burst)
    }

    /// ASCII digits only (no sign, no fraction, no exponent), and few enough that `Int` cannot
    /// overflow: anything longer is out of every range anyway.
    private static func wholeNumber(_ text: some StringProtocol) -> Int? {
        guard (1...9).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }
}
