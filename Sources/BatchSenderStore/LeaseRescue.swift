import BatchSenderCore

/// What the rescuer does with a recipient whose lease expired: one rule for every driver.
public enum LeaseRescue {
    /// Back to the queue; cancelled in a cancelled batch; failed once it has used every attempt,
    /// so a recipient whose call kills the process (and so never reports) cannot cycle forever.
    /// Returns the new status and, when it fails, its `lastError`.
    public static func outcome(attempts: Int, maxAttempts: Int, batchCancelled: Bool) -> (RecipientStatus, String?) {
        if batchCancelled { return (.cancelled, nil) }
        if attempts >= maxAttempts {
            return (.failed, "lease lost after \(attempts) attempt\(attempts == 1 ? "" : "s"): the call never reported an outcome")
        }
        return (.queued, nil)
    }
}
