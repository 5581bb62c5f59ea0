import BatchSenderCore
import BatchSenderStore
import Foundation

/// The JSON shapes of the API (CONTRACT §3–§7). Built as `JSONValue` so absent values are an
/// explicit `null`, as the contract shows them.
enum Present {
    static func date(_ date: Date?) -> JSONValue { date.map { .string(Timestamp.format($0)) } ?? .null }

    static func string(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    static func batch(_ batch: Batch) -> JSONValue {
        var counts: [String: JSONValue] = ["total": .int(batch.counts.total)]
        for status in RecipientStatus.allCases { counts[status.rawValue] = .int(batch.counts[status]) }
        return .object([
            "id": .string(batch.id.rawValue), "name": .string(batch.name), "status": .string(batch.status.rawValue),
            "module": .string(batch.module.rawValue), "provider": .string(batch.provider.rawValue),
            "sendConfigId": .string(batch.sendConfigID.rawValue), "dryRun": .bool(batch.dryRun),
            "maxAttempts": .int(batch.maxAttempts), "payload": batch.payload,
            "createdAt": date(batch.createdAt), "scheduledAt": date(batch.scheduledAt),
            "startedAt": date(batch.startedAt), "completedAt": date(batch.completedAt),
            "updatedAt": date(batch.updatedAt), "counts": .object(counts),
            "engagement": ["opened": .int(batch.opened), "clicked": .int(batch.clicked)],
        ])
    }

    static func event(_ e: RecipientEvent) -> JSONValue {
        .object([
            "id": .string(e.eventID), "provider": .string(e.provider.rawValue), "type": .string(e.kind.rawValue),
            "hard": e.hard.map(JSONValue.bool) ?? .null, "detail": string(e.detail), "occurredAt": date(e.occurredAt),
            "receivedAt": date(e.receivedAt), "effect": .string(e.effect.rawValue),
        ])
    }

    static func recipient(_ r: Recipient) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(r.id.rawValue), "to": .string(r.to), "variables": .object(r.variables),
            "status": .string(r.status.rawValue), "attempts": .int(r.attempts), "lastError": string(r.lastError),
            "providerMessageId": string(r.providerMessageID), "nextAttemptAt": date(r.nextAttemptAt),
            "sentAt": date(r.sentAt), "deliveredAt": date(r.deliveredAt), "updatedAt": date(r.updatedAt),
        ]
        if let segments = r.segments { fields["segments"] = .int(segments) }
        return .object(fields)
    }

    static func sendConfig(_ c: SendConfig) -> JSONValue {
        .object([
            "id": .string(c.id.rawValue), "name": .string(c.name), "module": .string(c.module.rawValue),
            "provider": .string(c.provider.rawValue),
            "credentials": .object(c.credentialHints.mapValues(JSONValue.string)),
            "settings": .object(c.settings),
            "rateLimit": c.rateLimit.map { limit in
                .object(["perSecond": JSONValue.double(limit.perSecond).intValue.map(JSONValue.int)
                    ?? .double(limit.perSecond),
                    "burst": limit.burst.map(JSONValue.int) ?? .null])
            } ?? .null,
            "maxConcurrency": c.maxConcurrency.map(JSONValue.int) ?? .null,
            "createdAt": date(c.createdAt), "updatedAt": date(c.updatedAt),
        ])
    }

    static func apiKey(_ key: APIKey, plaintext: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(key.id.rawValue), "name": .string(key.name), "prefix": .string(key.prefix),
            "scopes": .array(key.scopes.map { .string($0.rawValue) }),
            "createdAt": date(key.createdAt), "revokedAt": date(key.revokedAt),
        ]
        if let plaintext { object["key"] = .string(plaintext) }
        return .object(object)
    }

    /// A dashboard user: never its password hash.
    static func user(_ user: User) -> JSONValue {
        .object([
            "id": .string(user.id.rawValue), "email": .string(user.email), "role": .string(user.role.rawValue),
            "createdAt": date(user.createdAt), "updatedAt": date(user.updatedAt),
        ])
    }

    static func suppression(_ s: Suppression) -> JSONValue {
        .object(["address": .string(s.address), "reason": .string(s.reason.rawValue), "createdAt": date(s.createdAt)])
    }

    /// The result of adding recipients: `{added, duplicates, rejected, total}` plus `suppressed`.
    static func added(_ result: RecipientAddResult, rejected: [ValidationIssue]) -> JSONValue {
        .object([
            "added": .int(result.added), "duplicates": .int(result.duplicates),
            "suppressed": .int(result.suppressed), "total": .int(result.total),
            "rejected": .array(rejected.map { issue in
                var entry: [String: JSONValue] = ["message": .string(issue.message)]
                if let row = issue.row { entry["row"] = .int(row) }
                if let index = issue.index { entry["index"] = .int(index) }
                if let field = issue.field { entry["field"] = .string(field) }
                return .object(entry)
            }),
        ])
    }
}
