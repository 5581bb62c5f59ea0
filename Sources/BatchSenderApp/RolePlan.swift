/// What a `serve --role` runs — the one place that decides it (CONTRACT §9).
struct RolePlan: Equatable {
    /// The `/v1` API and provider events; without it only `/health`, `/ready` and `/metrics`.
    let servesAPI: Bool
    /// The delivery engine and maintenance.
    let delivers: Bool

    init(_ role: AppConfig.Role) {
        switch role {
        case .all: (servesAPI, delivers) = (true, true)
        case .api: (servesAPI, delivers) = (true, false)
        case .worker: (servesAPI, delivers) = (false, true)
        }
    }
}
