extension Batch {
    /// This batch in `status`, or nil when `BatchTransitions` does not allow the move: every change
    /// of a batch's status goes through here.
    public func moved(to status: BatchStatus) -> Batch? {
        guard self.status.canTransition(to: status) else { return nil }
        var next = self
        next.status = status
        return next
    }
}
