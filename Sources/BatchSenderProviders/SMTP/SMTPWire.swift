import NIOCore

/// Commands out, replies in, on one connected channel, each step bounded by `timeout`. When
/// time runs out the channel is closed: a session that missed a reply has lost its place.
struct SMTPWire: Sendable {
    let channel: any Channel
    let inbox: SMTPReplyInbox
    let timeout: TimeAmount

    /// Sends `line` and CRLF, and reads the reply. `step` names the command in error messages
    /// (never the line itself: it may hold an address or a password).
    func command(_ line: String, step: String) async throws(SMTPError) -> SMTPReply {
        try await write(line + "\r\n", step: step)
        return try await readReply(step: step)
    }

    /// Writes text as is (several pipelined commands at once, for example).
    func write(_ text: String, step: String) async throws(SMTPError) {
        try await write(channel.allocator.buffer(string: text), step: step)
    }

    func write(_ buffer: ByteBuffer, step: String) async throws(SMTPError) {
        try await bounded(step) { try await channel.writeAndFlush(buffer) }
    }

    /// The next reply; `step` names what it answers.
    func readReply(step: String) async throws(SMTPError) -> SMTPReply {
        try await bounded(step) { try await inbox.next() }
    }

    /// Closes the channel without a goodbye.
    func close() {
        channel.close(promise: nil)
    }

    /// Runs one step; on timeout, or any error, the session ends and the error is the
    /// inbox's account of why (a closed channel's write error says less than the TLS alert
    /// that closed it).
    private func bounded<T>(_ step: String, _ operation: () async throws -> T) async throws(SMTPError) -> T {
        let inbox = self.inbox, channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            inbox.fail(.timeout("SMTP server did not answer in time (\(step))"))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await operation()
        } catch {
            if let failure = inbox.failure { throw failure }
            let failure = (error as? SMTPError) ?? SMTPReplyHandler.classify(error)
            inbox.fail(failure)
            channel.close(promise: nil)
            throw failure
        }
    }
}
