import BatchSenderCore
import Foundation
import Testing

@Suite struct BatchLifecycleTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    func batch(
        _ status: BatchStatus, scheduledAt: Date? = nil, startedAt: Date? = nil, completedAt: Date? = nil,
        _ counts: [RecipientStatus: Int] = [.pending: 3]
    ) -> Batch {
        var recipientCounts = RecipientCounts()
        for (status, n) in counts { recipientCounts[status] = n }
        return Batch(
            id: .generate(at: now), workspaceID: .generate(at: now), name: "b", sendConfigID: .generate(at: now),
            module: .email, provider: .sandbox, payload: [:], status: status, dryRun: false, maxAttempts: 5,
            createdAt: now.addingTimeInterval(-100), scheduledAt: scheduledAt, startedAt: startedAt,
            completedAt: completedAt, counts: recipientCounts)
    }

    func expectError(_ expected: BatchLifecycleError, _ command: BatchCommand, _ batch: Batch) {
        #expect(throws: expected) { try BatchLifecycle.apply(command, to: batch, at: now) }
    }

    @Test func sendQueuesPending() throws {
        let (next, moves) = try BatchLifecycle.apply(.send, to: batch(.draft, [.pending: 3, .suppressed: 1]), at: now)
        #expect(next.status == .queued)
        #expect(moves == [RecipientMove(from: .pending, to: .queued, count: 3)])
        #expect(next.counts.queued == 3 && next.counts.pending == 0 && next.counts.suppressed == 1)
        #expect(next.updatedAt == now)
        #expect(next.completedAt == nil)
    }

    @Test func sendWithFutureScheduleSchedules() throws {
        let (next, moves) = try BatchLifecycle.apply(.send, to: batch(.draft, scheduledAt: now + 60), at: now)
        #expect(next.status == .scheduled)
        #expect(moves.isEmpty)
        #expect(next.counts.pending == 3)
    }

    @Test func sendWithPastScheduleQueues() throws {
        let (next, _) = try BatchLifecycle.apply(.send, to: batch(.draft, scheduledAt: now - 60), at: now)
        #expect(next.status == .queued)
    }

    @Test func sendOfAllSuppressedCompletes() throws {
        let (next, moves) = try BatchLifecycle.apply(.send, to: batch(.draft, [.suppressed: 2]), at: now)
        #expect(moves.isEmpty)
        #expect(next.status == .completed)
        #expect(next.completedAt == now)
    }

    @Test func sendRefusals() {
        expectError(.invalid("batch has no recipients; add recipients before sending"), .send, batch(.draft, [:]))
        for status in BatchStatus.allCases where status != .draft {
            #expect(throws: BatchLifecycleError.self) { try BatchLifecycle.apply(.send, to: batch(status), at: now) }
            if case .conflict = Self.error(.send, batch(status), now) {} else { Issue.record("send from \(status)") }
        }
    }

    @Test(arguments: [BatchStatus.scheduled, .queued, .processing])
    func pausePauses(from status: BatchStatus) throws {
        let (next, moves) = try BatchLifecycle.apply(.pause, to: batch(status, [.queued: 2]), at: now)
        #expect(next.status == .paused)
        #expect(moves.isEmpty)
        #expect(next.counts.queued == 2)
    }

    @Test func pauseIsIdempotentAndRefusedElsewhere() throws {
        let paused = batch(.paused)
        let (same, moves) = try BatchLifecycle.apply(.pause, to: paused, at: now)
        #expect(same == paused, "unchanged, not even updatedAt")
        #expect(moves.isEmpty)
        for status in [BatchStatus.draft, .completed, .cancelled] {
            if case .conflict = Self.error(.pause, batch(status), now) {} else { Issue.record("pause from \(status)") }
        }
    }

    @Test func resumePaths() throws {
        let started = try BatchLifecycle.apply(.resume, to: batch(.paused, startedAt: now - 10, [.queued: 1]), at: now)
        #expect(started.batch.status == .processing)
        #expect(started.moves.isEmpty)
        let scheduled = try BatchLifecycle.apply(.resume, to: batch(.paused, scheduledAt: now + 60), at: now)
        #expect(scheduled.batch.status == .scheduled)
        #expect(scheduled.moves.isEmpty)
        let due = try BatchLifecycle.apply(.resume, to: batch(.paused, scheduledAt: now - 60), at: now)
        #expect(due.batch.status == .queued)
        #expect(due.moves == [RecipientMove(from: .pending, to: .queued, count: 3)])
        let queued = try BatchLifecycle.apply(.resume, to: batch(.paused, [.queued: 2]), at: now)
        #expect(queued.batch.status == .queued)
        #expect(queued.moves.isEmpty)
        for status in [BatchStatus.queued, .processing, .scheduled] {
            let b = batch(status)
            #expect(try BatchLifecycle.apply(.resume, to: b, at: now).batch == b, "resume of \(status) is a no-op")
        }
        for status in [BatchStatus.draft, .completed, .cancelled] {
            if case .conflict = Self.error(.resume, batch(status), now) {} else { Issue.record("resume from \(status)") }
        }
    }

    @Test(arguments: [BatchStatus.draft, .scheduled, .queued, .processing, .paused])
    func cancelCancelsUnsentRecipients(from status: BatchStatus) throws {
        let (next, moves) = try BatchLifecycle.apply(.cancel, to: batch(status, [.pending: 1, .queued: 2, .sending: 1]), at: now)
        #expect(next.status == .cancelled)
        #expect(moves == [
            RecipientMove(from: .pending, to: .cancelled, count: 1), RecipientMove(from: .queued, to: .cancelled, count: 2),
        ])
        #expect(next.counts.cancelled == 3 && next.counts.sending == 1)
        #expect(next.completedAt == nil, "a call in flight still ends later")
    }

    @Test func cancelWithNothingInFlightFinishes() throws {
        let (next, _) = try BatchLifecycle.apply(.cancel, to: batch(.queued, [.queued: 2, .sent: 1]), at: now)
        #expect(next.completedAt == now)
        #expect(next.status == .cancelled)
    }

    @Test func cancelRefusalsAndIdempotence() throws {
        let cancelled = batch(.cancelled, [.cancelled: 3])
        #expect(try BatchLifecycle.apply(.cancel, to: cancelled, at: now).batch == cancelled)
        expectError(.conflict("batch is completed and cannot be cancelled"), .cancel, batch(.completed, [.sent: 1]))
    }

    @Test func retryRequeuesAndReopens() throws {
        let done = batch(.completed, startedAt: now - 50, completedAt: now - 5, [.failed: 2, .bounced: 1, .sent: 4])
        let (next, moves) = try BatchLifecycle.apply(.retry([.failed, .bounced]), to: done, at: now)
        #expect(moves == [
            RecipientMove(from: .failed, to: .queued, resetsAttempts: true, count: 2),
            RecipientMove(from: .bounced, to: .queued, resetsAttempts: true, count: 1),
        ])
        #expect(next.status == .queued, "re-opened like a sent batch; the next claim makes it processing")
        #expect(next.startedAt == now - 50, "the first start is kept")
        #expect(next.completedAt == nil)
        #expect(next.counts.queued == 3 && next.counts.sent == 4)
        let neverStarted = batch(.cancelled, completedAt: now - 5, [.cancelled: 2])
        let (requeued, _) = try BatchLifecycle.apply(.retry([.cancelled]), to: neverStarted, at: now)
        #expect(requeued.status == .queued)
        let running = batch(.processing, startedAt: now - 5, [.failed: 1, .queued: 1])
        #expect(try BatchLifecycle.apply(.retry([.failed]), to: running, at: now).batch.status == .processing)
    }

    @Test func retryWithNothingToMoveKeepsStatus() throws {
        let done = batch(.completed, completedAt: now - 5, [.sent: 2])
        let (next, moves) = try BatchLifecycle.apply(.retry([.failed]), to: done, at: now)
        #expect(moves.isEmpty)
        #expect(next.status == .completed)
        #expect(next.completedAt == now - 5)
    }

    @Test func retryRefusals() {
        expectError(.invalid("statuses must name at least one status"), .retry([]), batch(.completed))
        if case .invalid = Self.error(.retry([.sent]), batch(.completed), now) {} else { Issue.record("sent") }
        if case .invalid = Self.error(.retry([.complained]), batch(.completed), now) {} else { Issue.record("complained") }
        for status in [BatchStatus.draft, .scheduled] {
            if case .conflict = Self.error(.retry([.failed]), batch(status), now) {} else { Issue.record("\(status)") }
        }
    }

    @Test func settleCompletesOnlyOpenStatuses() {
        let finished: [RecipientStatus: Int] = [.sent: 1]
        #expect(BatchLifecycle.settle(batch(.processing, finished), at: now).status == .completed)
        #expect(BatchLifecycle.settle(batch(.paused, finished), at: now).status == .completed)
        #expect(BatchLifecycle.settle(batch(.draft, finished), at: now).status == .draft)
        #expect(BatchLifecycle.settle(batch(.scheduled, finished), at: now).completedAt == nil)
        #expect(BatchLifecycle.settle(batch(.processing, [.sending: 1]), at: now).status == .processing)
        let old = batch(.completed, completedAt: now - 9, finished)
        #expect(BatchLifecycle.settle(old, at: now).completedAt == now - 9, "completedAt set once")
    }

    static func error(_ command: BatchCommand, _ batch: Batch, _ now: Date) -> BatchLifecycleError? {
        do {
            _ = try BatchLifecycle.apply(command, to: batch, at: now)
            return nil
        } catch {
            return error
        }
    }
}
