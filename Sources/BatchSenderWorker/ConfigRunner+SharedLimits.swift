import BatchSenderCore
import BatchSenderStore
import Foundation

extension ConfigRunner {
    /// What the runner's next claim came to.
    enum ClaimStep {
        case claimed([ClaimedDelivery])
        /// Refused by the shared limits: try again after this long.
        case wait(Duration)
        /// Refused because the config's `maxConcurrency` is in use: try again after this
        /// process's next outcome write, or after `concurrencyRetry` (other processes' writes).
        case full
        /// The send config changed in the store: this runner must stop.
        case retire
    }

    /// While other processes hold all of `maxConcurrency`, nobody tells this one when they finish:
    /// it asks again after this long.
    static let concurrencyRetry: Duration = .milliseconds(25)

    /// Claims work for up to `calls` provider calls. On a store that several processes share,
    /// the store weighs the config's limits for all of them in the same transaction as the claim
    /// (and checks that this runner's config is still the stored one); otherwise the local
    /// bucket and slots, already taken by the caller, are the whole limit.
    func claimWork(calls: Int) async throws -> ClaimStep {
        guard let shared else {
            return .claimed(try await queue.claim(
                sendConfig: config.id, limit: calls * limits.callSize, now: now(), leaseDuration: settings.leaseDuration))
        }
        let unused = state.withLock { state in
            defer { state.unusedSharedCalls = 0 }
            return state.unusedSharedCalls
        }
        let result: LimitedClaim
        do {
            result = try await shared.claim(LimitedClaimRequest(
                sendConfig: config.id, configVersion: config.updatedAt, limits: limits, calls: calls, unusedCalls: unused,
                finished: finishedCalls.leases, now: now(), leaseDuration: settings.leaseDuration))
        } catch {
            // Not credited: keep the refund for the next claim.
            state.withLock { $0.unusedSharedCalls += unused }
            throw error
        }
        switch result.refusal {
        case nil:
            return .claimed(result.claimed)
        case .configChanged:
            return .retire
        case .concurrency:
            return .full
        case .rate, .paused:
            let seconds = max(result.retryAfter ?? 0, 0.001)
            return .wait(.microseconds(Int64((min(seconds, 3600) * 1_000_000).rounded(.up))))
        }
    }

    /// A claimed chunk made no provider call (paused batch, dry run, open circuit…): its token
    /// goes back to the local bucket and, with the next claim, to the shared one.
    func refundCall() {
        giveBack(1)
        if shared != nil { state.withLock { $0.unusedSharedCalls += 1 } }
    }

    /// Tells every process sharing the store that the provider asked to slow down.
    func sharePause(seconds: TimeInterval) async {
        guard let shared else { return }
        do {
            try await shared.pause(sendConfig: config.id, for: seconds)
        } catch {
            logger.warning("could not share the provider's pause", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
