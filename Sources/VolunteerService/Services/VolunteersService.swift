import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Volunteers`: registration under the identity-document rules of the domain,
/// and lookup inside the caller's scope.
struct VolunteersService: Volunteer_V1_Volunteers.SimpleServiceProtocol {
  let store: any RecordStore
  let protector: PersonalDataProtector
  /// Ages and "today" are computed in the record's time zone (Asia/Shanghai by default).
  let timeZone: TimeZone

  func registerVolunteer(
    request: Volunteer_V1_RegisterVolunteerRequest, context: ServerContext
  ) async throws -> Volunteer_V1_RegisterVolunteerResponse {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let key = request.idempotencyKey
      try IdempotencyKey.validate(key)
      let registration = try self.validate(request)
      guard
        try await self.store.organisation(
          id: registration.organisationID, withinScope: caller.scopeOrganisationID) != nil
      else {
        throw RPCError.notFoundInScope("organisation \"\(registration.organisationID)\"", field: "organisation_id")
      }
      let claim = IdempotencyClaim(
        principalID: caller.id, key: key,
        method: Volunteer_V1_Volunteers.Method.RegisterVolunteer.descriptor.fullyQualifiedMethod,
        requestDigest: try IdempotencyKey.digest(of: request) { $0.idempotencyKey = "" })
      let outcome = try await self.store.registerVolunteer(
        try self.newVolunteer(registration, registeredBy: caller.id), idempotency: claim)
      return try .with {
        $0.volunteer = try outcome.value.proto(for: caller, protector: self.protector)
        if case .replayed = outcome { $0.replayed = true }
      }
    }
  }

  func getVolunteer(
    request: Volunteer_V1_GetVolunteerRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Volunteer {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let number = try VolunteerNumber(validating: request.volunteerNumber)
      guard
        let record = try await self.store.volunteer(
          number: number.value, withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("volunteer \(number)")
      }
      return try record.proto(for: caller, protector: self.protector)
    }
  }

  func listVolunteers(
    request: Volunteer_V1_ListVolunteersRequest, context: ServerContext
  ) async throws -> Volunteer_V1_ListVolunteersResponse {
    let caller = try Caller.required()
    return try await withDomainErrors {
      var query = VolunteerQuery(
        organisationID: request.organisationID.isEmpty
          ? caller.scopeOrganisationID : request.organisationID)
      let page = try PageToken.request(
        token: request.pageToken, size: request.pageSize, default: 50, limit: 500)
      query.pageSize = page.size
      query.afterSequence = page.afterSequence
      if request.hasRegisteredFrom { query.registeredFrom = request.registeredFrom.date }
      if request.hasRegisteredBefore { query.registeredBefore = request.registeredBefore.date }
      query.includeWithdrawn = request.includeWithdrawn
      guard let page = try await self.store.volunteers(
        matching: query, withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("organisation \"\(query.organisationID)\"", field: "organisation_id")
      }
      return try .with {
        $0.volunteers = try page.records.map { try $0.proto(for: caller, protector: self.protector) }
        $0.nextPageToken = page.nextAfterSequence.map(PageToken.encode) ?? ""
      }
    }
  }

  func transferVolunteer(
    request: Volunteer_V1_TransferVolunteerRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Volunteer {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let number = try VolunteerNumber(validating: request.volunteerNumber)
      try Organisation.validateID(request.toOrganisationID, field: "to_organisation_id")
      let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
      guard (1...200).contains(reason.count) else {
        throw IdentityValidationError(field: "reason", reason: "a reason of 1-200 characters is required")
      }
      guard
        let record = try await self.store.transferVolunteer(
          number: number.value, to: request.toOrganisationID, reason: reason, by: caller.id,
          at: Date(), withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("volunteer \(number) or organisation \"\(request.toOrganisationID)\"")
      }
      return try record.proto(for: caller, protector: self.protector)
    }
  }

  func withdrawVolunteer(
    request: Volunteer_V1_WithdrawVolunteerRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Volunteer {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let number = try VolunteerNumber(validating: request.volunteerNumber)
      guard
        let record = try await self.store.withdrawVolunteer(
          number: number.value, at: Date(), withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("volunteer \(number)")
      }
      return try record.proto(for: caller, protector: self.protector)
    }
  }

  private func validate(_ request: Volunteer_V1_RegisterVolunteerRequest) throws(
    IdentityValidationError
  ) -> VolunteerRegistration {
    let today = CalendarDate.today(in: self.timeZone, now: Date())
    let consent: GuardianConsent?
    if request.hasGuardianConsent {
      let proto = request.guardianConsent
      consent = GuardianConsent(
        guardianName: proto.guardianName, relation: proto.relation,
        consentDate: try CalendarDate(
          proto: proto.consentDate, field: "guardian_consent.consent_date"))
    } else {
      consent = nil
    }
    var registration = try VolunteerRegistration.validated(
      realName: request.realName,
      documentType: try DocumentType(proto: request.documentType),
      documentNumber: request.documentNumber,
      birthDate: request.hasBirthDate
        ? try CalendarDate(proto: request.birthDate, field: "birth_date") : nil,
      sex: Sex(proto: request.sex),
      phone: request.phone,
      organisationID: request.organisationID,
      guardianConsent: consent,
      today: today)
    registration.skills = try VolunteerRegistration.validatedSkills(request.skills)
    return registration
  }

  private func newVolunteer(_ registration: VolunteerRegistration, registeredBy: String) throws
    -> NewVolunteer
  {
    let document = registration.document
    let sealedDocument = try self.protector.seal(document.number)
    let sealedPhone = try registration.phone.map { try self.protector.seal($0) }
    let hashes = self.protector.documentHashes(type: document.type, number: document.number)
    let documentHash = hashes[0]
    let now = Date()
    return NewVolunteer(olderDocumentHashes: Array(hashes.dropFirst())) { number in
      VolunteerRecord(
        number: number, realName: registration.realName, documentType: document.type,
        sealedDocumentNumber: sealedDocument, documentHash: documentHash,
        maskedDocumentNumber: Masking.maskIdentifier(document.number),
        birthDate: document.birthDate, sex: document.sex, sealedPhone: sealedPhone,
        maskedPhone: registration.phone.map(Masking.maskIdentifier),
        organisationID: registration.organisationID,
        guardianConsent: registration.guardianConsent, registeredAt: now,
        registeredBy: registeredBy, skills: registration.skills)
    }
  }

}
