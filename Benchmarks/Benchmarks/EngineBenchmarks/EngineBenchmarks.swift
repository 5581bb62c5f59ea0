import BatchSenderCore
import BatchSenderDelivery
import BatchSenderSQLite
import BatchSenderStore
import Benchmark
import Foundation

/// Template rendering, the token bucket, and one claim-and-complete round trip of the SQLite store.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5))

    Benchmark("render email (subject + html + text)") { benchmark in
        let templates = try PayloadTemplates(module: .email, payload: [
            "from": "news@example.com", "subject": "Hi {{name}}, your {{plan}} plan",
            "html": "<p>Hello {{name}}</p><p>{{#items}}<li>{{.}}</li>{{/items}}</p>", "text": "Hello {{name}}",
        ])
        let variables: [String: JSONValue] = ["name": "Ann <ann@example.com>", "plan": "pro", "items": ["a", "b", "c"]]
        for _ in benchmark.scaledIterations {
            blackHole(templates.message(to: "ann@example.com", variables: variables))
        }
    }

    Benchmark("render webhook JSON body") { benchmark in
        let templates = try PayloadTemplates(module: .webhook, payload: [
            "body": ["event": "order.created", "order": ["id": "{{order}}", "note": "{{note}}"], "tags": ["{{a}}", "{{b}}"]],
        ])
        let variables: [String: JSONValue] = ["order": "A-1", "note": "say \"hi\"\n", "a": "x", "b": "y"]
        for _ in benchmark.scaledIterations {
            if case .webhook(let message) = templates.message(to: "https://example.com/h", variables: variables) {
                blackHole(message.body?.jsonText())
            }
        }
    }

    Benchmark("token bucket take") { benchmark in
        var bucket = TokenBucket(rate: 1_000_000, burst: 1_000, now: 0)
        var t = 0.0
        for _ in benchmark.scaledIterations {
            t += 0.000_001
            blackHole(bucket.take(upTo: 1, now: t))
        }
    }

    Benchmark(
        "SQLite claim 100 + complete 100", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10))
    ) { benchmark in
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bs-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore.open(path: directory.appendingPathComponent("b.db").path)
        let now = Date()
        let workspace = try await store.ensureWorkspace(Workspace(id: .generate(), slug: "bench", createdAt: now))
        let config = SendConfig(
            id: .generate(), workspaceID: workspace.id, name: "b", module: .sms, provider: .sandbox,
            sealedCredentials: Data(), credentialHints: [:], settings: [:], rateLimit: nil, maxConcurrency: nil,
            createdAt: now, updatedAt: now)
        try await store.insertSendConfig(config)
        let rounds = benchmark.scaledIterations.count
        let batch = Batch(
            id: .generate(), workspaceID: workspace.id, name: "b", sendConfigID: config.id, module: .sms,
            provider: .sandbox, payload: ["from": "ACME", "message": "x"], dryRun: false, maxAttempts: 5, createdAt: now)
        let recipients = (0..<(rounds * 100)).map {
            NewRecipient(to: "+1415\($0 + 1_000_000)", normalizedTo: "+1415\($0 + 1_000_000)", variables: ["n": .int($0)])
        }
        _ = try await store.createBatch(batch, recipients: recipients)
        _ = try await store.apply(.send, to: batch.id, in: workspace.id, at: now)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let claimed = try await store.claim(sendConfig: config.id, limit: 100, now: Date(), leaseDuration: 30)
            _ = try await store.complete(claimed.map {
                DeliveryCompletion(recipientID: $0.recipientID, batchID: $0.batchID, leaseToken: $0.leaseToken,
                                   resolution: .sent(providerMessageID: "m"))
            }, now: Date())
        }
        benchmark.stopMeasurement()
    }
}
