import Foundation

/// A circuit breaker per send config and destination host (CONTRACT §5): closed until
/// `failureThreshold` consecutive transient failures, then open for `openDuration`, then
/// half-open, letting one probe through; the probe's success closes it, its failure re-opens it.
public struct CircuitBreaker: Hashable, Sendable {
    public enum State: Hashable, Sendable {
        case closed(consecutiveFailures: Int)
        case open(until: Date)
        case halfOpen(probeInFlight: Bool)
    }

    public var failureThreshold: Int
    public var openDuration: TimeInterval
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    public init(failureThreshold: Int = 10, openDuration: TimeInterval = 10) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
    }

    /// Whether a call may start now. In half-open state exactly one caller gets `true`.
    public mutating func allowRequest(now: Date) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        case .halfOpen(let probing):
            if probing { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        }
    }

    /// When calls may be attempted again (`nil` when they may now).
    public func retryAt(now: Date) -> Date? {
        switch state {
        case .closed: nil
        case .open(let until): until > now ? until : nil
        case .halfOpen(let probing): probing ? now.addingTimeInterval(min(1, openDuration)) : nil
        }
    }

    public mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
    }

    /// A transient failure (permanent failures say nothing about the destination's health).
    public mutating func recordFailure(now: Date) {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= failureThreshold ? .open(until: now.addingTimeInterval(openDuration))
                : .closed(consecutiveFailures: failures + 1)
        case .halfOpen, .open:
            state = .open(until: now.addingTimeInterval(openDuration))
        }
    }

    /// A probe that ended without telling anything (e.g. a permanent 4xx) frees the half-open slot.
    public mutating func recordNeutral() {
        if case .halfOpen = state { state = .closed(consecutiveFailures: 0) }
    }

    public var isOpen: Bool { if case .open = state { true } else { false } }
}
