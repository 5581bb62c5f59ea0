/// Up to `maxConnections` SMTP sessions to one server, shared by all `send` calls of a provider.
/// A caller takes a session, runs its transactions, and gives it back; when all are busy it
/// waits, but only for `waitTimeout` (listmonk #2069: an unbounded wait hides a stuck server).
/// Sessions that failed, saw 421 or reached `messagesPerConnection` are closed instead of kept;
/// idle ones are closed with QUIT after `idleTimeout`, so a pool whose provider is gone empties
/// itself.
actor SMTPConnectionPool {
    typealias Connector = @Sendable () async throws(SMTPError) -> SMTPConnection

    let maxConnections: Int
    let messagesPerConnection: Int
    let waitTimeout: Duration
    let idleTimeout: Duration
    private let connector: Connector

    private var idle: [SMTPConnection] = []
    /// Sessions open or being opened, idle ones included; never more than `maxConnections`.
    private var open = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Grant, any Error>)] = []
    private var waiterTimers: [Int: Task<Void, Never>] = [:]
    private var nextWaiterID = 0
    private var retiring: [Int: Task<Void, Never>] = [:]
    private var nextRetireID = 0
    private var reaper: Task<Void, Never>?
    private var isShutDown = false

    /// What a waiter is given: a session someone released, or the right to open one.
    private enum Grant: Sendable {
        case connection(SMTPConnection)
        case permit
    }

    init(
        maxConnections: Int, messagesPerConnection: Int, waitTimeout: Duration, idleTimeout: Duration = .seconds(60),
        connector: @escaping Connector
    ) {
        self.maxConnections = max(1, maxConnections)
        self.messagesPerConnection = max(1, messagesPerConnection)
        self.waitTimeout = waitTimeout
        self.idleTimeout = idleTimeout
        self.connector = connector
    }

    /// Sessions open right now (busy, idle or opening).
    var openCount: Int { open }

    /// A usable session: an idle one (most recently used first), a new one, or one released by
    /// another caller within `waitTimeout`.
    func acquire() async throws(SMTPError) -> SMTPConnection {
        guard !isShutDown else { throw .shutDown }
        while let connection = idle.popLast() {
            if connection.isUsable { return connection }
            open -= 1
            retire(connection)
        }
        if open < maxConnections {
            open += 1
            return try await connect()
        }
        switch try await waitForGrant() {
        case .connection(let connection): return connection
        case .permit: return try await connect()
        }
    }

    /// Gives a session back. `reusable` is the caller's view (false after a transport error);
    /// the pool also retires sessions that are broken or have sent their share of messages.
    func release(_ connection: SMTPConnection, reusable: Bool) {
        if reusable, !isShutDown, connection.isUsable, connection.transactions < messagesPerConnection {
            if let waiter = popWaiter() {
                waiter.resume(returning: .connection(connection))
                return
            }
            connection.markIdle()
            idle.append(connection)
            startReaper()
            return
        }
        open -= 1
        retire(connection)
        grantPermit()
    }

    /// Closes idle sessions with QUIT, waits for those already closing, and refuses new work;
    /// sessions in use close when released.
    func shutdown() async {
        isShutDown = true
        reaper?.cancel()
        for waiter in waiters { waiter.continuation.resume(throwing: SMTPError.shutDown) }
        waiters = []
        waiterTimers.values.forEach { $0.cancel() }
        waiterTimers = [:]
        let closing = idle
        idle = []
        open -= closing.count
        closing.forEach(retire)
        for task in retiring.values { await task.value }
    }

    /// Says QUIT in the background; `shutdown` waits for every goodbye under way.
    private func retire(_ connection: SMTPConnection) {
        let id = nextRetireID
        nextRetireID += 1
        retiring[id] = Task {
            await connection.quit()
            retiring[id] = nil
        }
    }

    private func connect() async throws(SMTPError) -> SMTPConnection {
        do {
            return try await connector()
        } catch {
            open -= 1
            grantPermit()
            throw error
        }
    }

    /// Lets the longest waiter open a session in the place of one that closed.
    private func grantPermit() {
        guard open < maxConnections, let waiter = popWaiter() else { return }
        open += 1
        waiter.resume(returning: .permit)
    }

    private func popWaiter() -> CheckedContinuation<Grant, any Error>? {
        guard !waiters.isEmpty else { return nil }
        let (id, continuation) = waiters.removeFirst()
        waiterTimers.removeValue(forKey: id)?.cancel()
        return continuation
    }

    private func waitForGrant() async throws(SMTPError) -> Grant {
        let id = nextWaiterID
        nextWaiterID += 1
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    waiters.append((id, continuation))
                    let timeout = waitTimeout
                    waiterTimers[id] = Task {
                        try? await Task.sleep(for: timeout)
                        if !Task.isCancelled { self.expire(id, with: .poolTimeout(self.maxConnections)) }
                    }
                }
            } onCancel: {
                Task { await self.expire(id, with: .transport("cancelled")) }
            }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .transport("cancelled")
        }
    }

    private func expire(_ id: Int, with error: SMTPError) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiterTimers.removeValue(forKey: id)?.cancel()
        waiter.continuation.resume(throwing: error)
    }

    /// Runs while sessions sit idle, closing those idle longer than `idleTimeout`.
    private func startReaper() {
        guard reaper == nil else { return }
        reaper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: idleTimeout / 4)
                if closeStaleIdleConnections() { break }
            }
        }
    }

    /// Closes stale idle sessions; `true` (and the reaper ends) when none is left idle.
    private func closeStaleIdleConnections() -> Bool {
        let now = ContinuousClock.now
        var stale: [SMTPConnection] = [], fresh: [SMTPConnection] = []
        for connection in idle {
            if now - connection.idleSince >= idleTimeout || !connection.isUsable {
                stale.append(connection)
            } else {
                fresh.append(connection)
            }
        }
        idle = fresh
        open -= stale.count
        stale.forEach(retire)
        for _ in stale { grantPermit() }
        guard idle.isEmpty else { return false }
        reaper = nil
        return true
    }
}
