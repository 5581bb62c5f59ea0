import BatchSenderCore
import BatchSenderStore
import Foundation
import Synchronization

/// Group commit for provider events: requests that arrive while a transaction is being written
/// wait for the next one, which records all of them together. Each request still answers only
/// after its own events are durable (CONTRACT §6), but a burst costs one commit, not hundreds.
final class EventRecorder<Store: EventStore>: Sendable {
    /// Most requests one transaction takes.
    static var maxPerTransaction: Int { 256 }

    private typealias Waiter = (submission: EventSubmission, continuation: CheckedContinuation<EventReport, any Error>)

    private struct State {
        var waiting: [Waiter] = []
        var writing = false
    }

    private let store: Store
    private let now: @Sendable () -> Date
    private let messageKeys: MessageKeys
    private let state = Mutex(State())

    init(store: Store, now: @escaping @Sendable () -> Date, messageKeys: MessageKeys = .untagged) {
        self.store = store
        self.now = now
        self.messageKeys = messageKeys
    }

    /// Records `events` and returns once they are committed.
    func record(_ events: [ProviderEvent], for sendConfig: SendConfig) async throws -> EventReport {
        // A message key that does not verify is not ours: match such an event by message id only.
        let events = events.map { event in
            var event = event
            if let key = event.recipientKey, !messageKeys.isAuthentic(key) { event.recipientKey = nil }
            return event
        }
        return try await withCheckedThrowingContinuation { continuation in
            let startWriter = state.withLock { state -> Bool in
                state.waiting.append((EventSubmission(events: events, sendConfig: sendConfig), continuation))
                if state.writing { return false }
                state.writing = true
                return true
            }
            if startWriter { Task { await self.writeAll() } }
        }
    }

    /// Writes groups until no request is waiting.
    private func writeAll() async {
        while true {
            let group = state.withLock { state -> [Waiter] in
                let taken = Array(state.waiting.prefix(Self.maxPerTransaction))
                state.waiting.removeFirst(taken.count)
                if taken.isEmpty { state.writing = false }
                return taken
            }
            guard !group.isEmpty else { return }
            do {
                let reports = try await store.recordEvents(group.map(\.submission), now: now())
                for (waiter, report) in zip(group, reports) { waiter.continuation.resume(returning: report) }
            } catch {
                for waiter in group { waiter.continuation.resume(throwing: error) }
            }
        }
    }
}
