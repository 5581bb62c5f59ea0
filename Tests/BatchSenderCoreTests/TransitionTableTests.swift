import BatchSenderCore
import Testing

/// Pins the transition tables: a change to either must be deliberate and show up here.
@Suite struct TransitionTableTests {
    @Test func recipientTransitionsArePinned() {
        let expected: [RecipientStatus: Set<RecipientStatus>] = [
            .pending: [.queued, .cancelled, .suppressed],
            .queued: [.sending, .cancelled, .suppressed],
            .sending: [.sent, .delivered, .failed, .bounced, .queued, .suppressed, .cancelled],
            .sent: [.delivered, .bounced, .complained, .failed],
            .delivered: [.bounced, .complained, .failed],
            .failed: [.queued],
            .bounced: [.queued, .complained],
            .cancelled: [.queued],
            .complained: [],
            .suppressed: [],
        ]
        #expect(RecipientTransitions.allowed == expected)
        #expect(Set(RecipientTransitions.allowed.keys) == Set(RecipientStatus.allCases), "every status has a row")
    }

    @Test func batchTransitionsArePinned() {
        let expected: [BatchStatus: Set<BatchStatus>] = [
            .draft: [.queued, .scheduled, .cancelled],
            .scheduled: [.queued, .paused, .cancelled],
            .queued: [.processing, .paused, .cancelled, .completed],
            .processing: [.completed, .paused, .cancelled],
            .paused: [.queued, .processing, .scheduled, .cancelled, .completed],
            .completed: [.queued],
            .cancelled: [.queued],
        ]
        #expect(BatchTransitions.allowed == expected)
        #expect(Set(BatchTransitions.allowed.keys) == Set(BatchStatus.allCases))
    }

    @Test(arguments: RecipientStatus.allCases, RecipientStatus.allCases)
    func recipientCanTransitionFollowsTable(from: RecipientStatus, to: RecipientStatus) {
        #expect(from.canTransition(to: to) == (RecipientTransitions.allowed[from]?.contains(to) ?? false))
    }

    @Test(arguments: BatchStatus.allCases, BatchStatus.allCases)
    func batchCanTransitionFollowsTable(from: BatchStatus, to: BatchStatus) {
        #expect(from.canTransition(to: to) == (BatchTransitions.allowed[from]?.contains(to) ?? false))
    }

    @Test func statusSets() {
        #expect(RecipientStatus.open == [.pending, .queued, .sending])
        #expect(RecipientStatus.retryable == [.failed, .bounced, .cancelled])
        #expect(RecipientStatus.allCases.filter(\.isTerminal) == [
            .sent, .delivered, .failed, .bounced, .complained, .suppressed, .cancelled,
        ])
        #expect(BatchStatus.active == [.draft, .scheduled, .queued, .processing, .paused])
        #expect(!RecipientStatus.complained.canTransition(to: .queued), "complaints are never re-sent")
        #expect(!RecipientStatus.suppressed.canTransition(to: .queued))
    }

    // The moves the lifecycle makes are checked against both tables in BatchTransitionAgreementTests.
}
