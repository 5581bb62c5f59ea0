import BatchSenderCore
import BatchSenderPostgres
import BatchSenderStore
import BatchSenderTesting
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Wake-ups between processes: the publisher's payloads and coalescing (no database needed).
@Suite("PostgreSQL wake-up publisher")
struct PostgresWakeupPublisherTests {
    let origin = PostgresWakeupOrigin(rawValue: "publisher1")!

    @Test("a burst of calls makes a round trip or two, each distinct wake-up once per round trip")
    func burstIsCoalesced() async throws {
        let gate = Gate()
        let rounds = Mutex<[[String]]>([])
        let publisher = PostgresWakeupPublisher(channel: "c", origin: origin, logger: Logger(label: "test")) { channel, payloads in
            #expect(channel == "c")
            rounds.withLock { $0.append(payloads) }
            // The first round trip is slow: everything else arrives while it is in flight.
            await gate.wait()
        }
        let batches = (0..<10).map { _ in Batch.ID.generate() }
        for i in 0..<1_000 {
            if i % 100 == 0 { publisher.batchChanged(batches[i / 100]) }
            publisher.workAvailable()
        }
        await gate.open()
        let expected = Set(["w publisher1"] + batches.map { "b:\($0.rawValue) publisher1" })
        for _ in 0..<1_500 where Set(rounds.withLock { $0.joined() }) != expected {
            try await Task.sleep(for: .milliseconds(20))
        }
        let sent = rounds.withLock { $0 }
        #expect(Set(sent.joined()) == expected)
        #expect(sent.count <= 2, "\(sent.count) round trips for 1,010 calls")
        #expect(sent.allSatisfy { Set($0).count == $0.count }, "a payload twice in one round trip")
    }

    @Test("a failed round trip loses only its wake-ups: later ones are still sent")
    func failureDoesNotStopPublishing() async throws {
        let rounds = Mutex<[[String]]>([])
        let publisher = PostgresWakeupPublisher(channel: "c", origin: origin, logger: Logger(label: "test")) { _, payloads in
            let first = rounds.withLock { rounds in
                rounds.append(payloads)
                return rounds.count == 1
            }
            if first { throw CancellationError() }
        }
        publisher.workAvailable()
        for _ in 0..<1_500 where rounds.withLock({ $0.count }) < 1 { try await Task.sleep(for: .milliseconds(10)) }
        let config = SendConfig.ID.generate()
        publisher.sendConfigChanged(config)
        for _ in 0..<1_500 where rounds.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(rounds.withLock { $0 } == [["w publisher1"], ["c:\(config.rawValue) publisher1"]])
    }
}

/// Wake-ups between processes over a real server: what one process publishes, another's
/// listener hands to its engine — also after its connection was cut.
@Suite("PostgreSQL wake-ups", .enabled(if: TestDatabase.isConfigured, TestDatabase.skipReason))
struct PostgresWakeupTests {
    /// A channel of the test's own: tests run in parallel on one server.
    let channel = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    /// Also names the listener's session (`application_name`): unique per test.
    let listenerOrigin = PostgresWakeupOrigin.random()

    @Test("each kind of wake-up published by another client reaches the listener's notifier, in order")
    func eachKindArrives() async throws {
        try await withListener { store, recorder in
            // The wake-up a (re)connection always gives: nothing sent before LISTEN is lost unseen.
            try await recorder.wait { $0 == [.work] }
            let publisher = PostgresWakeupPublisher(
                store: store, channel: channel, origin: .random(), logger: Logger(label: "test"))
            let batch = Batch.ID.generate(), config = SendConfig.ID.generate()
            publisher.workAvailable()
            publisher.batchChanged(batch)
            publisher.sendConfigChanged(config)
            let calls = try await recorder.wait { $0.contains(.config(config)) }
            #expect(calls == [.work, .work, .batch(batch), .config(config)])
        }
    }

    @Test("the listener skips its own process's wake-ups and payloads that are not wake-ups")
    func ownAndForeignPayloadsAreSkipped() async throws {
        try await withListener { store, recorder in
            try await recorder.wait { $0 == [.work] }
            let own = Batch.ID.generate(), other = Batch.ID.generate()
            for payload in ["b:\(own.rawValue) \(listenerOrigin.rawValue)", "hello", "b:not-an-id elsewhere", "x elsewhere",
                "b:\(other.rawValue) elsewhere"] {
                try await store.client.query("SELECT pg_notify(\(channel), \(payload))")
            }
            let calls = try await recorder.wait { $0.contains(.batch(other)) }
            #expect(calls == [.work, .batch(other)])
        }
    }

    @Test("after its session is terminated the listener reconnects, signals work once, and hears wake-ups again")
    func recoversFromATerminatedConnection() async throws {
        try await withListener(migrated: true) { store, recorder in
            let f = Fixtures()
            var config = try await f.seed(store).sendConfig
            try await recorder.wait { $0 == [.work] }
            // A change whose wake-up is lost with the connection (the store alone notifies nobody).
            config.updatedAt = Date()
            try await store.updateSendConfig(config)
            let first = try await listenerPID(store)
            let terminated = try await store.client.query("SELECT pg_terminate_backend(\(first))").collect()
            #expect(try terminated.first?.decode(Bool.self) == true)
            // Back: looking once for work whose notification it may have missed, and announcing
            // the send config that changed around the gap.
            try await recorder.wait { $0.count >= 3 }
            let second = try await listenerPID(store)
            #expect(second != first)
            let batch = Batch.ID.generate()
            PostgresWakeupPublisher(store: store, channel: channel, origin: .random(), logger: Logger(label: "test"))
                .batchChanged(batch)
            let calls = try await recorder.wait { $0.contains(.batch(batch)) }
            #expect(calls == [.work, .work, .config(config.id), .batch(batch)])
        }
    }

    @Test("frequent connection checks do not disturb listening")
    func checksKeepTheConnection() async throws {
        try await withListener(pingInterval: .milliseconds(50)) { store, recorder in
            try await recorder.wait { $0 == [.work] }
            // Many checks, each a query on the listening connection.
            try await Task.sleep(for: .seconds(1))
            let batch = Batch.ID.generate()
            PostgresWakeupPublisher(store: store, channel: channel, origin: .random(), logger: Logger(label: "test"))
                .batchChanged(batch)
            let calls = try await recorder.wait { $0.contains(.batch(batch)) }
            #expect(calls == [.work, .batch(batch)], "a reconnection (a second .work) means a check failed")
        }
    }

    @Test(
        "the listener's own connection honours sslmode=verify-full",
        .enabled(if: TestDatabase.hasTLS, TestDatabase.noTLSReason))
    func listenerUsesTLS() async throws {
        let ca = try #require(TestDatabase.certificateAuthority)
        try await withListener(configure: {
            $0.host = "localhost"
            $0.sslMode = .verifyFull
            $0.sslRootCertificatePath = ca
        }) { store, recorder in
            try await recorder.wait { $0 == [.work] }
            let pid = try await listenerPID(store)
            let rows = try await store.client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = \(pid)").collect()
            #expect(try rows.first?.decode(Bool.self) == true)
        }
    }

    /// Runs `body` with a running pool and a listener on the test's channel feeding a recorder.
    private func withListener(
        migrated: Bool = false, pingInterval: Duration = .seconds(15),
        configure: (inout PostgresConfiguration) -> Void = { _ in },
        _ body: (PostgresStore, WakeupRecorder) async throws -> Void
    ) async throws {
        let recorder = WakeupRecorder()
        let listening = { (store: PostgresStore) in
            let listener = PostgresWakeupListener(
                configuration: store.configuration, channel: channel, origin: listenerOrigin, notifier: recorder,
                backoff: .init(base: .milliseconds(50), cap: .milliseconds(500)), pingInterval: pingInterval,
                logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                defer { group.cancelAll() }
                try await body(store, recorder)
            }
        }
        if migrated { return try await TestDatabase.withStore(listening) }
        var configuration = try TestDatabase.freshConfiguration()
        configure(&configuration)
        try await TestDatabase.withRunningStore(configuration, listening)
    }

    /// The backend pid of the test listener's session (it waits for there to be one).
    private func listenerPID(_ store: PostgresStore) async throws -> Int32 {
        let name = "batchsender-listener-\(listenerOrigin.rawValue)"
        for _ in 0..<1_500 {
            let rows = try await store.client.query("SELECT pid FROM pg_stat_activity WHERE application_name = \(name)").collect()
            if rows.count == 1, let pid = try rows.first?.decode(Int32.self) { return pid }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw WakeupRecorder.TimedOut(calls: [])
    }
}

/// Holds callers until opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        guard !isOpen else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}
