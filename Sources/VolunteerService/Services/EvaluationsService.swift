import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Evaluations`: star levels, annual tiers and module credits from the approved
/// ledger under a named policy version, and the policy versions themselves.
struct EvaluationsService: Volunteer_V1_Evaluations.SimpleServiceProtocol {
  let store: any RecordStore
  let policies: PolicyRegistry
  /// The zone whose calendar days `as_of` and the trailing 12 months count in.
  let timeZone: TimeZone
  /// Policies apply to the whole tree, so only admins scoped to its root may load one.
  let rootOrganisationID: String

  func evaluate(
    request: Volunteer_V1_EvaluateRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Evaluation {
    let caller = try Caller.required()
    let now = Date()
    let asOf: CalendarDate
    do {
      asOf =
        request.hasAsOf
        ? try CalendarDate(proto: request.asOf, field: "as_of")
        : CalendarDate.today(in: self.timeZone, now: now)
    } catch {
      throw RPCError(error)
    }
    guard asOf <= CalendarDate.today(in: self.timeZone, now: now) else {
      throw RPCError(
        code: .invalidArgument,
        message: "as_of: \(asOf) is in the future; an evaluation states what was approved up to a day that has begun")
    }
    guard
      let stored = self.policies.policy(
        id: request.policyID, version: request.policyVersion == 0 ? nil : Int(request.policyVersion))
    else {
      throw RPCError(
        code: .notFound,
        message: "policy_id: policy \"\(request.policyID.isEmpty ? self.policies.defaultPolicyID : request.policyID)\""
          + (request.policyVersion == 0 ? "" : " version \(request.policyVersion)")
          + " does not exist; ListPolicies shows the known versions")
    }
    guard
      let (volunteer, summary) = try await self.store.creditSummary(
        ofVolunteer: request.volunteerNumber, asOf: asOf, withinScope: caller.scopeOrganisationID)
    else {
      throw RPCError.notFoundInScope("volunteer \(request.volunteerNumber)", field: "volunteer_number")
    }
    let evaluation = Evaluation.evaluate(
      volunteerNumber: volunteer.number, summary: summary, birthDate: volunteer.birthDate,
      asOf: asOf, policy: stored.policy)
    return evaluation.proto(evaluatedAt: now)
  }

  func listPolicies(
    request: Volunteer_V1_ListPoliciesRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListPoliciesResponse {
    .with { $0.policies = self.policies.all.map(self.proto) }
  }

  func getPolicy(
    request: Volunteer_V1_GetPolicyRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Policy {
    guard
      let stored = self.policies.policy(
        id: request.id, version: request.version == 0 ? nil : Int(request.version))
    else {
      throw RPCError(
        code: .notFound,
        message: "id: policy \"\(request.id)\"\(request.version == 0 ? "" : " version \(request.version)") does not exist")
    }
    return self.proto(stored)
  }

  func loadPolicy(
    request: Volunteer_V1_LoadPolicyRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Policy {
    let caller = try Caller.requiredAtRoot(
      self.rootOrganisationID, because: "policies apply to the whole tree", mayThen: "load one")
    guard request.documentJson.utf8.count <= 256 * 1024 else {
      throw RPCError(code: .invalidArgument, message: "document_json: at most 256 KiB")
    }
    let policy: EvaluationPolicy
    do {
      policy = try EvaluationPolicy(json: Data(request.documentJson.utf8))
    } catch {
      throw RPCError(error)
    }
    let outcome = try await withDomainErrors {
      try await self.store.storePolicy(
        StoredPolicy(policy: policy, loadedAt: Date(), loadedBy: caller.id))
    }
    self.policies.add(outcome.value)
    return self.proto(outcome.value)
  }

  private func proto(_ stored: StoredPolicy) -> Volunteer_V1_Policy {
    .with {
      $0.id = stored.policy.id
      $0.version = UInt32(stored.policy.version)
      $0.title = stored.policy.title
      $0.documentJson = String(decoding: stored.policy.json(), as: UTF8.self)
      $0.loadedAt = Google_Protobuf_Timestamp(date: stored.loadedAt)
      $0.loadedBy = stored.loadedBy
      $0.isDefault = stored.policy.id == self.policies.defaultPolicyID
    }
  }
}

extension Evaluation {
  /// The wire form.
  func proto(evaluatedAt: Date) -> Volunteer_V1_Evaluation {
    .with {
      $0.volunteerNumber = self.volunteerNumber
      $0.asOf = self.asOf.proto
      $0.age = UInt32(max(0, self.age))
      $0.policyID = self.policyID
      $0.policyVersion = UInt32(self.policyVersion)
      $0.lifetimeMinutes = UInt64(max(0, self.summary.lifetimeMinutes))
      $0.lifetimeCreditedHalfHours = UInt64(max(0, self.summary.lifetimeCreditedHalfHours))
      $0.trailingYearMinutes = UInt64(max(0, self.summary.trailingYearMinutes))
      $0.trailingYearCreditedHalfHours = UInt64(max(0, self.summary.trailingYearCreditedHalfHours))
      $0.approvedRecords = UInt64(max(0, self.summary.approvedRecords))
      $0.activities = UInt64(self.summary.activities)
      $0.organisations = UInt64(self.summary.organisations)
      $0.starLevel = UInt32(self.starLevel)
      $0.nextStarHours = UInt32(self.nextStarHours ?? 0)
      $0.annualTier =
        switch self.annualTier {
        case nil: .none
        case .bronze: .bronze
        case .silver: .silver
        case .gold: .gold
        }
      $0.lifetimeAward = self.lifetimeAward
      $0.modules = self.modules.map { module in
        .with {
          $0.moduleID = module.moduleID
          $0.creditedHalfHours = UInt64(max(0, module.creditedHalfHours))
          $0.credits = UInt32(module.credits)
        }
      }
      $0.evaluatedAt = Google_Protobuf_Timestamp(date: evaluatedAt)
    }
  }
}
