import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Health`: whether the service and its store are serving, and who the
/// caller is as the server sees it.
struct HealthService: Volunteer_V1_Health.SimpleServiceProtocol {
  let store: any RecordStore
  let serverVersion: String

  func check(
    request: Volunteer_V1_HealthCheckRequest, context: ServerContext
  ) async throws -> Volunteer_V1_HealthCheckResponse {
    let caller = try Caller.required()
    let serving: Bool
    do {
      try await self.store.checkHealth()
      serving = true
    } catch {
      serving = false
    }
    return .with {
      $0.status = serving ? .serving : .notServing
      $0.serverVersion = self.serverVersion
      $0.store = self.store.kind
      $0.serverTime = Google_Protobuf_Timestamp(date: Date())
      $0.caller = caller.proto
    }
  }
}
