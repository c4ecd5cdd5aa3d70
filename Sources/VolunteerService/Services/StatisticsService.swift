import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Statistics`: organisation figures rolled up over a subtree, computed from
/// the ledger.
struct StatisticsService: Volunteer_V1_Statistics.SimpleServiceProtocol {
  let store: any RecordStore
  /// The default policy's star thresholds give the star distribution.
  let policies: PolicyRegistry

  func getStatistics(
    request: Volunteer_V1_GetStatisticsRequest, context: ServerContext
  ) async throws -> Volunteer_V1_OrganisationStatistics {
    let caller = try Caller.required()
    let root = request.organisationID.isEmpty ? caller.scopeOrganisationID : request.organisationID
    let before = request.hasBefore ? request.before.date : Date()
    let from = request.hasFrom ? request.from.date : nil
    if let from, from >= before {
      throw RPCError(code: .invalidArgument, message: "from: must be before `before`")
    }
    guard
      let statistics = try await self.store.statistics(
        of: root, from: from, before: before,
        starThresholdsHours: self.policies.defaultPolicy.starThresholdsHours,
        withinScope: caller.scopeOrganisationID)
    else {
      throw RPCError.notFoundInScope("organisation \"\(root)\"", field: "organisation_id")
    }
    return .with {
      $0.organisationID = statistics.organisationID
      if let from = statistics.from { $0.from = Google_Protobuf_Timestamp(date: from) }
      $0.before = Google_Protobuf_Timestamp(date: statistics.before)
      $0.registeredVolunteers = UInt64(statistics.registeredVolunteers)
      $0.activeVolunteers = UInt64(statistics.activeVolunteers)
      $0.approvedMinutes = Int64(statistics.approvedMinutes)
      $0.approvedCreditedHalfHours = Int64(statistics.approvedCreditedHalfHours)
      $0.approvedRecords = UInt64(statistics.approvedRecords)
      $0.activities = UInt64(statistics.activities)
      $0.starDistribution = statistics.starDistribution.map(UInt64.init)
      $0.lateEntryShare = statistics.lateEntryShare
    }
  }
}
