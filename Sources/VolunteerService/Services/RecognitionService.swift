import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Recognition`: training hours and awards, recorded beside the service-hours
/// ledger and never added to it.
struct RecognitionService: Volunteer_V1_Recognition.SimpleServiceProtocol {
  let store: any RecordStore
  let policy: LedgerPolicy

  func recordTraining(
    request: Volunteer_V1_RecordTrainingRequest, context: ServerContext
  ) async throws -> Volunteer_V1_TrainingRecord {
    let caller = try Caller.required()
    return try await withDomainErrors {
      try IdempotencyKey.validate(request.idempotencyKey)
      let title = try Self.title(request.title)
      guard request.hasStartTime, request.hasEndTime else {
        throw IdentityValidationError(
          field: request.hasStartTime ? "end_time" : "start_time", reason: "required")
      }
      let now = Date()
      let span = try TrainingRecord.validatedSpan(
        start: request.startTime.date, end: request.endTime.date, now: now, policy: self.policy)
      let (volunteer, organisation) = try await self.target(
        request.volunteerNumber, request.organisationID, caller: caller)
      let claim = IdempotencyClaim(
        principalID: caller.id, key: request.idempotencyKey,
        method: Volunteer_V1_Recognition.Method.RecordTraining.descriptor.fullyQualifiedMethod,
        requestDigest: try IdempotencyKey.digest(of: request) { $0.idempotencyKey = "" })
      return try await self.store.recordTraining(
        { id in
          TrainingRecord(
            id: id, volunteerNumber: volunteer, organisationID: organisation, title: title,
            span: span, minutes: span.minutes, recordedBy: caller.id, recordedAt: now)
        }, idempotency: claim
      ).value.proto
    }
  }

  func recordAward(
    request: Volunteer_V1_RecordAwardRequest, context: ServerContext
  ) async throws -> Volunteer_V1_AwardRecord {
    let caller = try Caller.required()
    return try await withDomainErrors {
      try IdempotencyKey.validate(request.idempotencyKey)
      let title = try Self.title(request.title)
      let level = request.level.trimmingCharacters(in: .whitespacesAndNewlines)
      guard level.count <= 40 else {
        throw IdentityValidationError(field: "level", reason: "at most 40 characters")
      }
      guard request.hasAwardedOn else {
        throw IdentityValidationError(field: "awarded_on", reason: "the date of the award is required")
      }
      let awardedOn = try CalendarDate(proto: request.awardedOn, field: "awarded_on")
      let now = Date()
      guard awardedOn <= CalendarDate.today(in: self.policy.timeZone, now: now) else {
        throw IdentityValidationError(field: "awarded_on", reason: "the award date is in the future")
      }
      let (volunteer, organisation) = try await self.target(
        request.volunteerNumber, request.organisationID, caller: caller)
      let claim = IdempotencyClaim(
        principalID: caller.id, key: request.idempotencyKey,
        method: Volunteer_V1_Recognition.Method.RecordAward.descriptor.fullyQualifiedMethod,
        requestDigest: try IdempotencyKey.digest(of: request) { $0.idempotencyKey = "" })
      return try await self.store.recordAward(
        { id in
          AwardRecord(
            id: id, volunteerNumber: volunteer, organisationID: organisation, title: title,
            level: level, awardedOn: awardedOn, recordedBy: caller.id, recordedAt: now)
        }, idempotency: claim
      ).value.proto
    }
  }

  func listRecognition(
    request: Volunteer_V1_ListRecognitionRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListRecognitionResponse {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let number = try VolunteerNumber(validating: request.volunteerNumber)
      guard
        let (training, awards) = try await self.store.recognition(
          ofVolunteer: number.value, withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("volunteer \(number)")
      }
      return .with {
        $0.training = training.map(\.proto)
        $0.awards = awards.map(\.proto)
        $0.trainingMinutes = UInt64(training.reduce(0) { $0 + $1.minutes })
      }
    }
  }

  private static func title(_ raw: String) throws(IdentityValidationError) -> String {
    let title = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    guard (1...100).contains(title.count) else {
      throw IdentityValidationError(field: "title", reason: "a title of 1-100 characters is required")
    }
    return title
  }

  /// The volunteer and organisation a record is about, both inside the caller's scope.
  private func target(_ volunteerNumber: String, _ organisationID: String, caller: Principal)
    async throws -> (volunteer: String, organisation: String)
  {
    let number = try VolunteerNumber(validating: volunteerNumber)
    guard
      let volunteer = try await self.store.volunteer(
        number: number.value, withinScope: caller.scopeOrganisationID),
      volunteer.withdrawnAt == nil
    else {
      throw RPCError.notFoundInScope("volunteer \(number)")
    }
    guard
      try await self.store.organisation(id: organisationID, withinScope: caller.scopeOrganisationID)
        != nil
    else {
      throw RPCError.notFoundInScope("organisation \"\(organisationID)\"", field: "organisation_id")
    }
    return (volunteer.number, organisationID)
  }
}

extension TrainingRecord {
  var proto: Volunteer_V1_TrainingRecord {
    .with {
      $0.id = self.id
      $0.volunteerNumber = self.volunteerNumber
      $0.organisationID = self.organisationID
      $0.title = self.title
      $0.startTime = Google_Protobuf_Timestamp(date: self.span.start)
      $0.endTime = Google_Protobuf_Timestamp(date: self.span.end)
      $0.minutes = UInt32(clamping: self.minutes)
      $0.recordedBy = self.recordedBy
      $0.recordedAt = Google_Protobuf_Timestamp(date: self.recordedAt)
    }
  }
}

extension AwardRecord {
  var proto: Volunteer_V1_AwardRecord {
    .with {
      $0.id = self.id
      $0.volunteerNumber = self.volunteerNumber
      $0.organisationID = self.organisationID
      $0.title = self.title
      $0.level = self.level
      $0.awardedOn = self.awardedOn.proto
      $0.recordedBy = self.recordedBy
      $0.recordedAt = Google_Protobuf_Timestamp(date: self.recordedAt)
    }
  }
}
