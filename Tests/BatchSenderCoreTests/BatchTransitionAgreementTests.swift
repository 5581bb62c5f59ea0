import BatchSenderCore
import Foundation
import Testing

/// The lifecycle code and `BatchTransitions` agree: every batch move the code makes — each
/// command's step, settling, a claim, a schedule coming due — is in the table, and every entry of
/// the table is a move the code makes.
@Suite struct BatchTransitionAgreementTests {
    struct Move: Hashable, CustomStringConvertible {
        let from: BatchStatus
        let to: BatchStatus
        var description: String { "\(from.rawValue) → \(to.rawValue)" }
    }

    static let now = Date(timeIntervalSince1970: 1_767_225_600)

    static let commands: [BatchCommand] = [
        .send, .pause, .resume, .cancel, .retry([.failed]), .retry([.failed, .bounced, .cancelled]),
    ]

    /// Batches in every status with a spread of counts and dates, enough to reach every branch.
    static let batches: [Batch] = {
        let counts: [[RecipientStatus: Int]] = [
            [.pending: 2], [.queued: 2], [.sending: 1, .sent: 1], [.failed: 1, .sent: 1],
            [.bounced: 1, .cancelled: 1], [.sent: 2], [.suppressed: 1],
        ]
        var all: [Batch] = []
        for status in BatchStatus.allCases {
            for count in counts {
                for startedAt in [nil, now - 50] {
                    for scheduledAt in [nil, now - 60, now + 60] {
                        for completedAt in [nil, now - 5] {
                            all.append(batch(status, count, startedAt: startedAt, scheduledAt: scheduledAt, completedAt: completedAt))
                        }
                    }
                }
            }
        }
        return all
    }()

    /// Every status change the lifecycle code makes over `batches`.
    static let observed: Set<Move> = {
        var moves: Set<Move> = []
        func record(_ before: Batch, _ after: Batch) {
            if before.status != after.status { moves.insert(Move(from: before.status, to: after.status)) }
        }
        for batch in batches {
            for command in commands {
                guard let stepped = try? BatchLifecycle.step(command, to: batch, at: now).batch else { continue }
                record(batch, stepped)
                record(stepped, BatchLifecycle.settle(stepped, at: now))
            }
            record(batch, BatchLifecycle.settle(batch, at: now))
            record(batch, BatchLifecycle.claimed(batch, at: now))
            record(batch, BatchLifecycle.scheduleReached(batch))
        }
        return moves
    }()

    @Test(arguments: BatchStatus.allCases, BatchStatus.allCases)
    func theCodeMakesAMoveExactlyWhenTheTableAllowsIt(from: BatchStatus, to: BatchStatus) {
        guard from != to else { return }
        let move = Move(from: from, to: to)
        #expect(Self.observed.contains(move) == from.canTransition(to: to),
                "\(move): code makes it \(Self.observed.contains(move)), table allows it \(from.canTransition(to: to))")
    }

    /// So the moves observed above are all the moves `apply` makes.
    @Test func applyIsAStepThenSettle() throws {
        for batch in Self.batches {
            for command in Self.commands {
                guard let applied = try? BatchLifecycle.apply(command, to: batch, at: Self.now) else { continue }
                let stepped = try BatchLifecycle.step(command, to: batch, at: Self.now)
                let settled = stepped.batch == batch ? batch : BatchLifecycle.settle(stepped.batch, at: Self.now)
                #expect(applied.batch == settled)
                #expect(applied.moves == stepped.moves)
            }
        }
    }

    @Test func everyRecipientMoveOfACommandIsInTheRecipientTable() {
        for batch in Self.batches {
            for command in Self.commands {
                for move in (try? BatchLifecycle.step(command, to: batch, at: Self.now).moves) ?? [] {
                    #expect(move.from.canTransition(to: move.to), "\(command): \(move.from) → \(move.to)")
                }
            }
        }
    }

    @Test func movedConsultsTheTable() {
        for batch in Self.batches {
            for status in BatchStatus.allCases {
                #expect((batch.moved(to: status)?.status == status) == batch.status.canTransition(to: status))
            }
        }
    }

    static func batch(
        _ status: BatchStatus, _ counts: [RecipientStatus: Int], startedAt: Date?, scheduledAt: Date?, completedAt: Date?
    ) -> Batch {
        var recipientCounts = RecipientCounts()
        for (status, n) in counts { recipientCounts[status] = n }
        return Batch(
            id: .generate(at: now), workspaceID: .generate(at: now), name: "b", sendConfigID: .generate(at: now),
            module: .email, provider: .sandbox, payload: [:], status: status, dryRun: false, maxAttempts: 5,
            createdAt: now.addingTimeInterval(-100), scheduledAt: scheduledAt, startedAt: startedAt,
            completedAt: completedAt, counts: recipientCounts)
    }
}
