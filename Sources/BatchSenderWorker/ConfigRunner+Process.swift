import BatchSenderCore
import BatchSenderDelivery
import BatchSenderStore
import Foundation

extension ConfigRunner {
    /// Delivers one claimed chunk (one provider call) and submits every recipient's outcome —
    /// always one outcome per claimed recipient (LESSONS). Returns whether a provider call was made.
    @discardableResult
    func process(_ chunk: [ClaimedDelivery], claimedAt: ContinuousClock.Instant) async -> Bool {
        var outbound: [(item: ClaimedDelivery, message: OutboundMessage, host: String, segments: Int?)] = []
        var deniedHosts: [String: Date] = [:]
        var allowedHosts: Set<String> = []
        for item in chunk {
            let message: OutboundMessage
            switch await render(item) {
            case .success(let rendered): message = rendered
            case .failure(let unsendable):
                await finish(item, unsendable.resolution)
                continue
            }
            let segments = message.message.smsSegments
            if let segments, let problem = smsProblem(segments) {
                await finish(item, .failed(error: problem), segments: segments.count)
                continue
            }
            if item.dryRun {
                await finish(item, .sent(providerMessageID: "dryrun_\(message.idempotencyKey)"), segments: segments?.count)
                continue
            }
            let host = provider.destination(of: message)
            if let until = deniedHosts[host] {
                await finish(item, .released(at: until))
                continue
            }
            if !allowedHosts.contains(host) {
                let verdict = breakers.withLock { breakers -> Date? in
                    var breaker = breakers[host] ?? makeBreaker()
                    defer { breakers[host] = breaker }
                    return breaker.allowRequest(now: now()) ? nil : (breaker.retryAt(now: now()) ?? now().addingTimeInterval(1))
                }
                if let until = verdict {
                    deniedHosts[host] = until
                    await finish(item, .released(at: until))
                    continue
                }
                allowedHosts.insert(host)
            }
            outbound.append((item, message, host, segments?.count))
        }
        guard !outbound.isEmpty else { return false }
        if state.withLock({ $0.releaseUnstarted }) || Task.isCancelled {
            // Shutting down: the call has not started, so the recipients go back untouched.
            for (item, _, host, _) in outbound {
                freeProbe(host)
                await finish(item, .released(at: now()))
            }
            return false
        }

        EngineMetrics.claimToCall(nanoseconds: Self.nanoseconds(ContinuousClock.now - claimedAt))
        let started = ContinuousClock.now
        var outcomes = await provider.send(outbound.map(\.message))
        EngineMetrics.providerCall(provider: config.provider, nanoseconds: Self.nanoseconds(ContinuousClock.now - started))
        if outcomes.count != outbound.count {
            logger.error("provider returned \(outcomes.count) outcomes for \(outbound.count) messages")
            outcomes = Array(outcomes.prefix(outbound.count))
                + Array(repeating: .retry(reason: "provider returned no outcome", after: nil), count: max(0, outbound.count - outcomes.count))
        }
        await pauseIfAsked(outcomes)
        // Cancelled at the shutdown deadline: a call that broke off (a transient "failure") is
        // released with its attempt given back; real answers that came back still count.
        let cancelled = Task.isCancelled
        for ((item, _, host, segments), outcome) in zip(outbound, outcomes) {
            if cancelled, case .retry = outcome {
                freeProbe(host)
                await finish(item, .released(at: now()), segments: segments)
                continue
            }
            record(outcome, host: host)
            let resolution = resolver.resolve(
                outcome, attempt: item.attempt, maxAttempts: item.maxAttempts, now: now(), unit: Double.random(in: 0..<1))
            await finish(item, resolution, segments: segments)
        }
        return true
    }

    /// Why a claimed recipient gets no call: the resolution to record instead.
    struct Unsendable: Error {
        var resolution: DeliveryResolution
    }

    /// The recipient's message, or why it is not sent now: its batch is paused or cancelled
    /// (released; the store cancels it in a cancelled batch), the payload does not compile, or
    /// the message is over the render budget (failed, never sent cut short).
    private func render(_ item: ClaimedDelivery) async -> Result<OutboundMessage, Unsendable> {
        switch await status(of: item.batchID) {
        case .paused, .cancelled, nil: return .failure(Unsendable(resolution: .released(at: now())))
        default: break
        }
        let templates: PayloadTemplates
        do {
            guard let compiled = try await self.templates(for: item.batchID) else {
                return .failure(Unsendable(resolution: .failed(error: "the batch payload could not be compiled")))
            }
            templates = compiled
        } catch {
            return .failure(Unsendable(resolution: .released(at: now().addingTimeInterval(1))))
        }
        do {
            let key = settings.messageKeys.make(batch: item.batchID, recipient: item.recipientID, generation: item.generation)
            return .success(OutboundMessage(
                recipientID: item.recipientID, batchID: item.batchID, idempotencyKey: key, attempt: item.attempt,
                message: try templates.render(to: item.to, variables: item.variables)))
        } catch {
            return .failure(Unsendable(resolution: .failed(error: "the message could not be rendered: \(error)")))
        }
    }

    /// An API provider's rate limit is the account's: when it answers "retry after N seconds",
    /// every call of this config would get the same answer, so the runner stops claiming until
    /// then instead of spending attempts — and so does every other process sharing the store.
    /// Webhooks are exempt: their limits are per receiver.
    private func pauseIfAsked(_ outcomes: [DeliveryOutcome]) async {
        guard config.provider != .http else { return }
        let longest = outcomes.compactMap { outcome -> TimeInterval? in
            if case .retry(_, let after?) = outcome, after > 0 { return min(after, 3600) }
            return nil
        }.max()
        guard let longest else { return }
        let until = ContinuousClock.now + .milliseconds(Int64(longest * 1000))
        let extended = state.withLock { state -> Bool in
            guard state.pausedUntil.map({ $0 < until }) ?? true else { return false }
            state.pausedUntil = until
            return true
        }
        if extended {
            logger.warning("the provider asked to slow down; pausing this send config's calls",
                           metadata: ["seconds": "\(longest)"])
            await sharePause(seconds: longest)
        }
    }

    /// Puts claimed recipients back untouched (due now, the attempt given back).
    func release(_ claimed: [ClaimedDelivery]) async {
        for item in claimed { await finish(item, .released(at: now())) }
    }

    /// Hands the outcome to the writer; the lease stays kept until the writer has recorded it.
    private func finish(_ item: ClaimedDelivery, _ resolution: DeliveryResolution, segments: Int? = nil) async {
        EngineMetrics.delivery(module: config.module, provider: config.provider, resolution: resolution)
        if shared != nil { finishedCalls.add(item.recipientID, leaseToken: item.leaseToken) }
        await writer.submit(
            DeliveryCompletion(
                recipientID: item.recipientID, batchID: item.batchID, leaseToken: item.leaseToken, resolution: resolution,
                segments: segments),
            finished: shared != nil ? finishedCalls : nil)
    }

    /// Why a rendered SMS cannot be sent: empty, or longer than the send config's
    /// `settings.maxSegments` (default `SMSSegments.defaultMaximum`). Checked before any call, so
    /// an over-long message costs nothing.
    private func smsProblem(_ segments: SMSSegments) -> String? {
        if segments.count == 0 { return "the SMS message is empty once rendered" }
        let maximum = config.settings["maxSegments"]?.intValue ?? SMSSegments.defaultMaximum
        guard segments.count > maximum else { return nil }
        return "the SMS message takes \(segments.count) segments (\(segments.units) \(segments.encoding == .gsm7 ? "GSM-7 septets" : "UCS-2 units")); the send config allows at most \(maximum)"
    }

    private func record(_ outcome: DeliveryOutcome, host: String) {
        breakers.withLock { breakers in
            var breaker = breakers[host] ?? makeBreaker()
            switch outcome {
            case .accepted: breaker.recordSuccess()
            case .retry: breaker.recordFailure(now: now())
            // A deferral says the destination answered: like a permanent answer, it frees a
            // half-open probe (left alone, the breaker would stay half-open for good).
            case .reject, .optedOut, .deferred: breaker.recordNeutral()
            }
            breakers[host] = breaker
        }
    }

    /// A half-open probe that made no call frees its slot, so the next call may probe.
    private func freeProbe(_ host: String) {
        breakers.withLock { breakers in breakers[host]?.recordNeutral() }
    }

    /// The breaker for a new destination: engine defaults, or `settings.circuitBreaker` of a
    /// webhook config.
    private func makeBreaker() -> CircuitBreaker {
        let custom = config.settings["circuitBreaker"]?.objectValue
        return CircuitBreaker(
            failureThreshold: custom?["failureThreshold"]?.intValue ?? settings.breakerFailureThreshold,
            openDuration: custom?["openSeconds"]?.numberValue ?? settings.breakerOpenDuration)
    }

    /// The batch's status, at most `statusRefreshInterval` old (pause acts within a second), and
    /// re-read at once after this process changed the batch (`EngineSignal.batchChanged`).
    ///
    /// One read at a time per batch: when the cached status expires, the chunks in flight (up to
    /// `maxConcurrency` of them) join the one read instead of each reading it — 1,339 reads for
    /// 20,000 deliveries before, on PostgreSQL (docs/BENCHMARKS.md).
    private func status(of batch: Batch.ID) async -> BatchStatus? {
        let version = signal.version(of: batch)
        let (cached, read) = state.withLock { state -> (BatchStatus?, Task<BatchStatus?, Never>?) in
            let cached = state.statuses[batch]
            if let cached, cached.version == version,
                now().timeIntervalSince(cached.at) < settings.statusRefreshInterval
            {
                return (cached.status, nil)
            }
            if let pending = state.statusReads[batch], pending.version == version { return (nil, pending.read) }
            let read = Task { await self.readStatus(of: batch, version: version, fallback: cached?.status) }
            state.statusReads[batch] = (version, read)
            return (nil, read)
        }
        guard let read else { return cached }
        return await read.value
    }

    /// Reads the batch's status for `status(of:)`, caches it and ends the read in flight.
    private func readStatus(of batch: Batch.ID, version: Int, fallback: BatchStatus?) async -> BatchStatus? {
        var result = fallback
        do {
            let fresh = try await queue.batchStatuses([batch])[batch]
            result = fresh
            if let fresh { state.withLock { $0.statuses[batch] = (fresh, now(), version) } }
        } catch {
            logger.warning("could not read batch status", metadata: ["error": "\(String(reflecting: error))"])
        }
        state.withLock { state in
            if state.statusReads[batch]?.version == version { state.statusReads[batch] = nil }
        }
        return result
    }

    /// The batch's compiled payload, cached for the runner's life; `nil` when it cannot be
    /// compiled (or the batch is gone), a thrown error when the store could not be read.
    private func templates(for batch: Batch.ID) async throws -> PayloadTemplates? {
        if let cached = state.withLock({ $0.templates[batch] }) { return cached }
        guard let stored = try await queue.batchForDelivery(batch) else { return nil }
        var compiled: PayloadTemplates?
        do {
            compiled = try PayloadTemplates(module: stored.module, payload: stored.payload, settings: config.settings)
        } catch {
            logger.error("cannot compile batch payload", metadata: ["batch.id": "\(batch)", "error": "\(error)"])
        }
        state.withLock { $0.templates[batch] = .some(compiled) }
        return compiled
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
