import ServiceLifecycle

/// Keeps the `ServeLock` alive exactly as long as the service group runs.
struct LockHolder: Service {
    let lock: ServeLock?

    func run() async throws {
        try? await gracefulShutdown()
        withExtendedLifetime(lock) {}
    }
}
