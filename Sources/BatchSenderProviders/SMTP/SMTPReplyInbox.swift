import Synchronization

/// Where the channel handler leaves the replies it parsed and where the connection's one reader
/// waits for the next. A failure (closed connection, TLS error, timeout) is kept: every later
/// read throws it, since a session that lost its place cannot be trusted again.
final class SMTPReplyInbox: Sendable {
    private struct State {
        var replies: [SMTPReply] = []
        var failure: SMTPError?
        var waiter: CheckedContinuation<SMTPReply, any Error>?
    }

    private let state = Mutex(State())

    /// The failure that ended the session, if any.
    var failure: SMTPError? { state.withLock { $0.failure } }

    /// Whether replies arrived that nobody asked for yet.
    var hasUnreadReplies: Bool { state.withLock { !$0.replies.isEmpty } }

    /// Called by the handler for each complete reply.
    func deliver(_ reply: SMTPReply) {
        let waiter = state.withLock { state -> CheckedContinuation<SMTPReply, any Error>? in
            guard state.failure == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.replies.append(reply)
            return nil
        }
        waiter?.resume(returning: reply)
    }

    /// Ends the session; the first failure wins, later ones are ignored.
    func fail(_ error: SMTPError) {
        let waiter = state.withLock { state -> CheckedContinuation<SMTPReply, any Error>? in
            if state.failure == nil { state.failure = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    /// The next reply, in arrival order. One reader at a time.
    func next() async throws -> SMTPReply {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SMTPReply, any Error>) in
                let immediate = state.withLock { state -> Result<SMTPReply, any Error>? in
                    if !state.replies.isEmpty { return .success(state.replies.removeFirst()) }
                    if let failure = state.failure { return .failure(failure) }
                    if state.waiter != nil { return .failure(SMTPError.protocolViolation("two readers on one SMTP connection")) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            fail(.transport("cancelled"))
        }
    }
}
