import NIOCore

/// What the server answered a mail transaction.
enum SMTPTransactionResult: Hashable, Sendable {
    /// The final 250 after the data: the message is the server's responsibility now.
    case accepted(SMTPReply)
    /// The reply that refused the message (to MAIL FROM, RCPT TO, DATA or the data).
    case refused(SMTPReply)
}

/// A mail transaction that broke off; `dataSent` when the message may have reached the server.
struct SMTPTransactionFailure: Error, Sendable {
    var error: SMTPError
    var dataSent: Bool
}

extension SMTPConnection {
    /// Sends one message to one recipient: MAIL FROM, RCPT TO, DATA and the framed data.
    /// With PIPELINING (RFC 2920) the three commands go out in one write and their replies are
    /// read in order. A refused transaction is reset (RSET) so the session can go on, unless the
    /// server said 421 (it is closing the session).
    /// - Parameter data: the message already framed by `SMTPDataFraming`.
    func send(from: String, to: String, data: ByteBuffer) async throws(SMTPTransactionFailure) -> SMTPTransactionResult {
        countTransaction()
        let utf8 = !(from.utf8.allSatisfy { $0 < 0x80 } && to.utf8.allSatisfy { $0 < 0x80 })
        let mail = "MAIL FROM:<\(from)>" + (utf8 ? " SMTPUTF8" : "")
        let rcpt = "RCPT TO:<\(to)>"
        var dataSent = false
        do {
            if extensions.pipelining {
                try await wire.write("\(mail)\r\n\(rcpt)\r\nDATA\r\n", step: "MAIL FROM")
                // A 421 ends the session: the replies after it may never come.
                let mailReply = try await wire.readReply(step: "MAIL FROM")
                if mailReply.code == 421 { return await abort(mailReply) }
                let rcptReply = try await wire.readReply(step: "RCPT TO")
                if rcptReply.code == 421 { return await abort(rcptReply) }
                let dataReply = try await wire.readReply(step: "DATA")
                let refusal = [mailReply, rcptReply].first { !$0.isPositive }
                guard dataReply.code == 354 else { return await abort(refusal ?? dataReply) }
                if let refusal {
                    // RFC 2920 §3.1: DATA was taken though nothing before it was; end the
                    // (recipient-less) message at once.
                    try await wire.write(".\r\n", step: "DATA")
                    _ = try await wire.readReply(step: "end of data")
                    return await abort(refusal)
                }
            } else {
                let mailReply = try await wire.command(mail, step: "MAIL FROM")
                guard mailReply.isPositive else { return await abort(mailReply) }
                let rcptReply = try await wire.command(rcpt, step: "RCPT TO")
                guard rcptReply.isPositive else { return await abort(rcptReply) }
                let dataReply = try await wire.command("DATA", step: "DATA")
                guard dataReply.code == 354 else { return await abort(dataReply) }
            }
            dataSent = true
            try await wire.write(data, step: "message data")
            let final = try await wire.readReply(step: "end of data")
            if final.code == 421 { markBroken() }
            // After the final reply the transaction is over either way: no RSET needed.
            return final.isPositive ? .accepted(final) : .refused(final)
        } catch {
            throw SMTPTransactionFailure(error: error, dataSent: dataSent)
        }
    }

    /// Ends a refused transaction with RSET, so the next one starts clean.
    private func abort(_ refusal: SMTPReply) async -> SMTPTransactionResult {
        if refusal.code == 421 {
            markBroken()
            return .refused(refusal)
        }
        do {
            let reset = try await wire.command("RSET", step: "RSET")
            if !reset.isPositive { markBroken() }
        } catch {
            markBroken()
        }
        return .refused(refusal)
    }
}
