/// Counts pulls of a test stream.
actor PullCounter {
    private var pulls = 0

    func next() -> Int {
        defer { pulls += 1 }
        return pulls
    }
}
