import Crypto
import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Activities`: activities of organisations inside the caller's scope.
struct ActivitiesService: Volunteer_V1_Activities.SimpleServiceProtocol {
  let store: any RecordStore
  let policy: LedgerPolicy

  func createActivity(
    request: Volunteer_V1_CreateActivityRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Activity {
    let caller = try Caller.required()
    return try await withDomainErrors {
      try IdempotencyKey.validate(request.idempotencyKey)
      try Organisation.validateID(request.organisationID, field: "organisation_id")
      guard request.hasStartTime, request.hasEndTime else {
        throw IdentityValidationError(
          field: request.hasStartTime ? "end_time" : "start_time", reason: "required")
      }
      let draft = try ActivityDraft.validated(
        title: request.title, category: try ActivityCategory(proto: request.category),
        regionCode: request.regionCode, start: request.startTime.date, end: request.endTime.date,
        plannedMinutes: Int(request.plannedMinutes), policy: self.policy,
        validateRegionCode: Organisation.validateRegionCode)
      let place = request.place.trimmingCharacters(in: .whitespacesAndNewlines)
      let personInCharge = request.personInCharge.trimmingCharacters(in: .whitespacesAndNewlines)
      guard place.count <= 200 else {
        throw IdentityValidationError(field: "place", reason: "at most 200 characters")
      }
      guard (1...64).contains(personInCharge.count) else {
        throw IdentityValidationError(
          field: "person_in_charge", reason: "the person in charge (1-64 characters) is required")
      }
      guard
        try await self.store.organisation(
          id: request.organisationID, withinScope: caller.scopeOrganisationID) != nil
      else {
        throw RPCError.notFoundInScope("organisation \"\(request.organisationID)\"", field: "organisation_id")
      }
      let claim = IdempotencyClaim(
        principalID: caller.id, key: request.idempotencyKey,
        method: Volunteer_V1_Activities.Method.CreateActivity.descriptor.fullyQualifiedMethod,
        requestDigest: try IdempotencyKey.digest(of: request) { $0.idempotencyKey = "" })
      let now = Date()
      let organisationID = request.organisationID
      let outcome = try await self.store.addActivity(
        { id in
          Activity(
            id: id, organisationID: organisationID, title: draft.title, category: draft.category,
            regionCode: draft.regionCode, place: place, window: draft.window,
            plannedMinutes: draft.plannedMinutes, personInCharge: personInCharge, status: .draft,
            createdAt: now, createdBy: caller.id)
        }, idempotency: claim)
      return outcome.value.proto
    }
  }

  func publishActivity(
    request: Volunteer_V1_ActivityRef, context: ServerContext
  ) async throws -> Volunteer_V1_Activity {
    try await self.setStatus(.published, id: request.id)
  }

  func closeActivity(
    request: Volunteer_V1_ActivityRef, context: ServerContext
  ) async throws -> Volunteer_V1_Activity {
    try await self.setStatus(.closed, id: request.id)
  }

  func getActivity(
    request: Volunteer_V1_ActivityRef, context: ServerContext
  ) async throws -> Volunteer_V1_Activity {
    let caller = try Caller.required()
    guard let activity = try await self.store.activity(id: request.id, withinScope: caller.scopeOrganisationID)
    else { throw Self.notFound(request.id) }
    return activity.proto
  }

  func listActivities(
    request: Volunteer_V1_ListActivitiesRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListActivitiesResponse {
    let caller = try Caller.required()
    let root = request.organisationID.isEmpty ? caller.scopeOrganisationID : request.organisationID
    let page = try await withDomainErrors {
      try PageToken.request(token: request.pageToken, size: request.pageSize, default: 100, limit: 500)
    }
    guard
      let activities = try await self.store.activities(
        inSubtreeOf: root, from: request.hasFrom ? request.from.date : nil,
        before: request.hasBefore ? request.before.date : nil, page: page,
        withinScope: caller.scopeOrganisationID)
    else {
      throw RPCError.notFoundInScope("organisation \"\(root)\"", field: "organisation_id")
    }
    return .with {
      $0.activities = activities.items.map(\.proto)
      $0.nextPageToken = activities.nextAfterSequence.map(PageToken.encode) ?? ""
    }
  }

  private func setStatus(_ status: ActivityStatus, id: String) async throws -> Volunteer_V1_Activity {
    let caller = try Caller.required()
    return try await withDomainErrors {
      guard let activity = try await self.store.setActivityStatus(
        id: id, to: status, withinScope: caller.scopeOrganisationID)
      else { throw Self.notFound(id) }
      return activity.proto
    }
  }

  private static func notFound(_ id: String) -> RPCError {
    RPCError.notFoundInScope("activity \"\(id)\"")
  }
}

/// The idempotency keys partners attach to every write.
enum IdempotencyKey {
  /// A key is the partner's own id for the write: required, 1-128 bytes.
  static func validate(_ key: String) throws(IdentityValidationError) {
    guard !key.isEmpty, key.utf8.count <= 128 else {
      throw IdentityValidationError(
        field: "idempotency_key",
        reason: "required: your own id for this write (1-128 bytes), so a retry returns the "
          + "original result instead of failing or duplicating")
    }
  }

  /// SHA-256 of a request's deterministic encoding with its key cleared by `clearKey`:
  /// "the same content" means the same digest.
  static func digest<M: SwiftProtobuf.Message>(of request: M, clearKey: (inout M) -> Void) throws
    -> [UInt8]
  {
    var content = request
    clearKey(&content)
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    let bytes: [UInt8] = try content.serializedBytes(options: options)
    return Array(SHA256.hash(data: bytes))
  }
}
