/// The scope of an API key (CONTRACT §10). A key may hold several; it may do what any of them
/// grants.
public enum APIScope: String, CaseIterable, Hashable, Sendable {
    /// Everything.
    case admin
    /// Send configs read-only plus their `test`; batches, recipients and suppressions in full.
    case send
    /// Every `GET` except the audit log (and the users list, which is for admins).
    case read

    /// What a key of this scope may do.
    public var permissions: Set<Permission> {
        switch self {
        case .admin: Set(Permission.allCases)
        case .send: [.read, .send]
        case .read: [.read]
        }
    }

    /// What a key holding `scopes` may do: the union of what each grants.
    public static func permissions(of scopes: some Sequence<APIScope>) -> Set<Permission> {
        scopes.reduce(into: []) { $0.formUnion($1.permissions) }
    }

    /// The scopes of a key created without any: full access, as before scopes existed.
    public static let defaultScopes: [APIScope] = [.admin]

    /// Checks a requested list of scopes: non-empty, known names, no duplicates. Returns the
    /// scopes in the order given, or the reason the list is refused (a client error, 422).
    public static func parse(_ names: [String]) -> Result<[APIScope], ScopeError> {
        guard !names.isEmpty else { return .failure(ScopeError("must name at least one scope")) }
        var scopes: [APIScope] = []
        for name in names {
            guard let scope = APIScope(rawValue: name) else {
                let known = allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(ScopeError("unknown scope \"\(name)\"; known scopes: \(known)"))
            }
            guard !scopes.contains(scope) else { return .failure(ScopeError("scope \"\(name)\" is listed twice")) }
            scopes.append(scope)
        }
        return .success(scopes)
    }
}

/// Why a list of scopes was refused.
public struct ScopeError: Error, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension APIScope {
    /// The stored form of a key's scopes, the same on every driver: a JSON array of names,
    /// `["admin"]` (SQLite text, PostgreSQL jsonb).
    public static func storedText(_ scopes: [APIScope]) -> String {
        JSONValue.array(scopes.map { .string($0.rawValue) }).jsonText()
    }

    /// The scopes of a stored JSON array; `nil` when the text is not a valid, non-empty list of
    /// known scopes (a corrupt row, never a key with no scopes at all).
    public static func fromStoredText(_ text: String) -> [APIScope]? {
        guard let names = JSONValue.parse(text)?.arrayValue else { return nil }
        let strings = names.compactMap(\.stringValue)
        guard strings.count == names.count, case .success(let scopes) = parse(strings) else { return nil }
        return scopes
    }
}
