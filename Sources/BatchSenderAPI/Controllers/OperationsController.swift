import BatchSenderStore
import Hummingbird

/// `GET /health` and `GET /ready` (CONTRACT §8); neither needs a key.
struct OperationsController<Store: StoreHealth> {
    let store: Store

    func addRoutes(to router: Router<APIContext>) {
        router.get("health") { _, _ in JSONResponse(.ok, ["status": "ok"]).response }
        router.get("ready") { _, context in
            do {
                try await store.checkReady()
                return JSONResponse(.ok, ["status": "ready"]).response
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(String(reflecting: error))"])
                return JSONResponse(.serviceUnavailable, ["status": "unavailable", "detail": "database not ready"])
                    .response
            }
        }
    }
}
