import Credentials
import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Credentials`: credentials issued from evaluations, signed with the service's
/// key ring, with status lists and offline bundles (docs/CREDENTIALS.md).
struct CredentialsService: Volunteer_V1_Credentials.SimpleServiceProtocol {
  let store: any RecordStore
  let policies: PolicyRegistry
  let keys: SigningKeys
  let protector: PersonalDataProtector
  /// The zone whose calendar day an issued evaluation is as of.
  let timeZone: TimeZone
  /// Keys are the whole tree's, so only admins scoped to its root administer them.
  let rootOrganisationID: String

  /// Positions in each status list: the W3C minimum, 16 KiB before compression.
  static let statusListSize = BitstringStatusList.minimumSize
  static func statusListURL(_ purpose: String) -> String { "urn:vrs:status-list:" + purpose }
  var issuer: String { "urn:vrs:organisation:" + self.rootOrganisationID }

  func issueCredential(
    request: Volunteer_V1_IssueCredentialRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Credential {
    let caller = try Caller.required()
    let now = Date()
    return try await withDomainErrors {
      try IdempotencyKey.validate(request.idempotencyKey)
      let number = try VolunteerNumber(validating: request.volunteerNumber)
      guard request.validDays <= 3650 else {
        throw IdentityValidationError(field: "valid_days", reason: "1-3650 days, got \(request.validDays)")
      }
      let claim = IdempotencyClaim(
        principalID: caller.id, key: request.idempotencyKey,
        method: Volunteer_V1_Credentials.Method.IssueCredential.descriptor.fullyQualifiedMethod,
        requestDigest: try IdempotencyKey.digest(of: request) { $0.idempotencyKey = "" })
      let asOf = CalendarDate.today(in: self.timeZone, now: now)
      guard
        let (volunteer, summary) = try await self.store.creditSummary(
          ofVolunteer: number.value, asOf: asOf, withinScope: caller.scopeOrganisationID),
        let organisation = try await self.store.organisation(
          id: volunteer.organisationID, withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("volunteer \(number)", field: "volunteer_number")
      }
      guard volunteer.withdrawnAt == nil else {
        throw RPCError(code: .failedPrecondition, message: "volunteer \(number) has withdrawn")
      }
      let policy = self.policies.defaultPolicy
      let evaluation = Evaluation.evaluate(
        volunteerNumber: volunteer.number, summary: summary, birthDate: volunteer.birthDate,
        asOf: asOf, policy: policy)
      let records = try await self.store.evidenceRecords(ofVolunteer: volunteer.number)
        .map { EvidenceRecord(recordID: $0.recordID, minutes: $0.minutes) }
      guard !records.isEmpty else {
        throw RPCError(
          code: .failedPrecondition,
          message: "volunteer_number: \(number) has no approved service hours to state yet")
      }
      let evidence = try EvidenceDigest.compute(records)
      let evidenceText = String(decoding: try EvidenceDigest.canonicalEncoding(of: records), as: UTF8.self)
      let identityHash =
        request.includeIdentityHash
        ? IdentityHash.compute(
          idNumber: try self.protector.open(volunteer.sealedDocumentNumber),
          salt: IdentityHash.randomSalt())
        : nil
      let validUntil = now.addingTimeInterval(Double(request.validDays == 0 ? 365 : request.validDays) * 86_400)
      let signingKey = try await self.keys.signingKey(at: now)
      let facts = EvaluationFacts(
        policyID: policy.id, policyVersion: String(policy.version), asOf: now,
        starLevel: evaluation.starLevel, annualTier: evaluation.annualTier?.rawValue,
        lifetimeAward: evaluation.lifetimeAward, lifetimeMinutes: summary.lifetimeMinutes,
        trailing12MonthMinutes: summary.trailingYearMinutes, recordCount: evidence.recordCount,
        distinctActivities: summary.activities, distinctOrganisations: summary.organisations)
      let maskedName = Masking.maskName(volunteer.realName)
      let outcome = try await self.store.issueCredential(
        idempotency: claim, listSize: Self.statusListSize
      ) { credentialNumber, revocationIndex, suspensionIndex in
        let claims = CredentialClaims(
          credentialNumber: credentialNumber, volunteerNumber: volunteer.number,
          maskedName: maskedName, identityHash: identityHash, organisationID: organisation.id,
          organisationName: organisation.name, evaluation: facts, evidence: evidence,
          issuedAt: now, validUntil: validUntil,
          revocation: StatusReference(listURL: Self.statusListURL("revocation"), index: revocationIndex),
          suspension: StatusReference(listURL: Self.statusListURL("suspension"), index: suspensionIndex))
        return IssuedCredential(
          number: credentialNumber, volunteerNumber: volunteer.number,
          organisationID: organisation.id,
          token: try AchievementCredentialBuilder.sign(claims, with: signingKey),
          kid: signingKey.kid, issuedAt: now, validUntil: validUntil,
          revocationIndex: revocationIndex, suspensionIndex: suspensionIndex, state: .active,
          issuedBy: caller.id, starLevel: evaluation.starLevel, policyID: policy.id,
          policyVersion: policy.version, evidenceDigest: evidence.sri,
          evidenceRecords: evidence.recordCount, evidence: evidenceText)
      }
      return outcome.value.proto
    }
  }

  func getCredential(
    request: Volunteer_V1_GetCredentialRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Credential {
    try await self.credential(request.number).proto
  }

  func verifyCredential(
    request: Volunteer_V1_VerifyCredentialRequest, context: ServerContext
  ) async throws -> Volunteer_V1_VerifyCredentialResponse {
    guard !request.token.isEmpty, request.token.utf8.count <= 256 * 1024 else {
      throw RPCError(code: .invalidArgument, message: "token: a compact JWS of 1 byte to 256 KiB")
    }
    let keySet = await self.keys.keySet()
    var lists: [String: VerifiedStatusList] = [:]
    for purpose in ["revocation", "suspension"] {
      let list = try StatusListCredential.verify(try await self.signedStatusList(purpose), keySet: keySet)
      lists[list.url] = list
    }
    let verification = CredentialVerifier.verify(
      request.token, keySet: keySet, statusLists: lists, now: Date())
    var response = Volunteer_V1_VerifyCredentialResponse()
    response.valid = verification.isValid
    response.problems = verification.problems.map(\.description)
    response.kid = verification.kid ?? ""
    if let claims = verification.decoded?.claims {
      response.number = claims.credentialNumber
      // The state is the service's own record; only shown inside the caller's scope.
      if let caller = Caller.current,
        let stored = try await self.store.credential(
          number: claims.credentialNumber, withinScope: caller.scopeOrganisationID)
      {
        response.status = stored.state.proto
      }
    }
    return response
  }

  func setCredentialStatus(
    request: Volunteer_V1_SetCredentialStatusRequest, context: ServerContext
  ) async throws -> Volunteer_V1_Credential {
    let caller = try Caller.required()
    return try await withDomainErrors {
      let state: CredentialState
      switch request.status {
      case .active: state = .active
      case .suspended: state = .suspended
      case .revoked: state = .revoked
      case .unspecified, .UNRECOGNIZED:
        throw IdentityValidationError(
          field: "status", reason: "ACTIVE (reinstate), SUSPENDED or REVOKED is required")
      }
      let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
      guard (1...500).contains(reason.count) else {
        throw IdentityValidationError(field: "reason", reason: "why (1-500 characters) is required")
      }
      guard
        let credential = try await self.store.setCredentialState(
          number: request.number, to: state, reason: reason, by: caller.id, at: Date(),
          withinScope: caller.scopeOrganisationID)
      else {
        throw RPCError.notFoundInScope("credential \(request.number)", field: "number")
      }
      return credential.proto
    }
  }

  func exportEvidence(
    request: Volunteer_V1_GetCredentialRequest,
    response: RPCWriter<Volunteer_V1_EvidenceChunk>, context: ServerContext
  ) async throws {
    let credential = try await self.credential(request.number)
    let bytes = Array(credential.evidence.utf8)
    var offset = 0
    repeat {
      let end = min(bytes.count, offset + 64 * 1024)
      try await response.write(.with { $0.text = Data(bytes[offset..<end]) })
      offset = end
    } while offset < bytes.count
  }

  func exportCredentials(
    request: Volunteer_V1_ExportCredentialsRequest,
    response: RPCWriter<Volunteer_V1_ExportPart>, context: ServerContext
  ) async throws {
    let caller = try Caller.required()
    var filter = CredentialFilter(
      organisationID: request.organisationID.isEmpty ? caller.scopeOrganisationID : request.organisationID)
    if request.hasIssuedFrom { filter.issuedFrom = request.issuedFrom.date }
    if request.hasIssuedBefore { filter.issuedBefore = request.issuedBefore.date }
    switch request.status {
    case .active: filter.state = .active
    case .suspended: filter.state = .suspended
    case .revoked: filter.state = .revoked
    case .unspecified, .UNRECOGNIZED: filter.state = nil
    }
    // Check the scope before anything is sent.
    guard
      try await self.store.organisation(id: filter.organisationID, withinScope: caller.scopeOrganisationID)
        != nil
    else {
      throw RPCError.notFoundInScope("organisation \"\(filter.organisationID)\"", field: "organisation_id")
    }
    let now = Date()
    let keySet = await self.keys.keySet()
    var assembler = try BundleAssembler(
      keySet: keySet,
      statusLists: [
        "revocation": try await self.signedStatusList("revocation"),
        "suspension": try await self.signedStatusList("suspension"),
      ])
    let total = try await self.store.countCredentials(matching: filter)
    try await response.write(
      .with {
        $0.header = .with {
          $0.jwksJson = assembler.keySetJSON
          $0.statusLists = assembler.statusLists
          $0.credentials = UInt64(total)
        }
      })
    // Page by page: memory stays constant, and the writer suspends while the client is slow.
    var page = PageRequest(size: 200)
    while true {
      guard
        let batch = try await self.store.credentials(
          matching: filter, page: page, withinScope: caller.scopeOrganisationID)
      else { break }
      for credential in batch.items {
        let line = try assembler.line(
          number: credential.number, token: credential.token,
          metadata: [
            "status": credential.state.rawValue, "organisation": credential.organisationID,
            "issued_at": Self.timestamp(credential.issuedAt), "volunteer": credential.volunteerNumber,
          ])
        try await response.write(.with { $0.credentialLine = line })
      }
      guard let next = batch.nextAfterSequence else { break }
      page.afterSequence = next
    }
    var filters = ["organisation": filter.organisationID]
    if let from = filter.issuedFrom { filters["issued_from"] = Self.timestamp(from) }
    if let before = filter.issuedBefore { filters["issued_before"] = Self.timestamp(before) }
    if let state = filter.state { filters["status"] = state.rawValue }
    let manifest = try assembler.signedManifest(
      filters: filters, createdAt: now, signingKey: try await self.keys.signingKey(at: now))
    try await response.write(.with { $0.manifestJwt = manifest.jwt })
  }

  func getKeySet(
    request: Volunteer_V1_GetKeySetRequest, context: ServerContext
  ) async throws -> Volunteer_V1_KeySet {
    try await self.keySetProto()
  }

  func getStatusList(
    request: Volunteer_V1_GetStatusListRequest, context: ServerContext
  ) async throws -> Volunteer_V1_StatusList {
    guard request.purpose == "revocation" || request.purpose == "suspension" else {
      throw RPCError(code: .invalidArgument, message: "purpose: \"revocation\" or \"suspension\"")
    }
    let jwt = try await self.signedStatusList(request.purpose)
    return .with {
      $0.purpose = request.purpose
      $0.jwt = jwt
    }
  }

  func rotateKey(
    request: Volunteer_V1_RotateKeyRequest, context: ServerContext
  ) async throws -> Volunteer_V1_KeySet {
    try self.requireRootAdmin()
    guard request.activationDelaySeconds <= 30 * 86_400 else {
      throw RPCError(
        code: .invalidArgument, message: "activation_delay_seconds: at most 30 days (2592000)")
    }
    try await self.keyAdministration {
      try await self.keys.rotate(activationDelay: TimeInterval(request.activationDelaySeconds))
    }
    return try await self.keySetProto()
  }

  func retireKey(
    request: Volunteer_V1_KeyRequest, context: ServerContext
  ) async throws -> Volunteer_V1_KeySet {
    try self.requireRootAdmin()
    try await self.keyAdministration { try await self.keys.retire(kid: request.kid) }
    return try await self.keySetProto()
  }

  func markKeyCompromised(
    request: Volunteer_V1_KeyRequest, context: ServerContext
  ) async throws -> Volunteer_V1_KeySet {
    try self.requireRootAdmin()
    try await self.keyAdministration { try await self.keys.markCompromised(kid: request.kid) }
    return try await self.keySetProto()
  }

  // MARK: Helpers

  private func credential(_ number: String) async throws -> IssuedCredential {
    let caller = try Caller.required()
    guard let credential = try await self.store.credential(number: number, withinScope: caller.scopeOrganisationID)
    else {
      throw RPCError.notFoundInScope("credential \(number)", field: "number")
    }
    return credential
  }

  /// The status list of `purpose` as of now, signed with the current key.
  private func signedStatusList(_ purpose: String) async throws -> String {
    var list = try BitstringStatusList(size: Self.statusListSize)
    for position in try await self.store.statusListPositions(of: purpose == "revocation" ? .revoked : .suspended) {
      try list.set(position)
    }
    let now = Date()
    return try StatusListCredential.sign(
      list: list, purpose: purpose, listURL: Self.statusListURL(purpose), issuer: self.issuer,
      timestamp: now, key: try await self.keys.signingKey(at: now))
  }

  private func keySetProto() async throws -> Volunteer_V1_KeySet {
    let keySet = await self.keys.keySet()
    let signing = try await self.keys.signingKey()
    return .with {
      $0.jwksJson = (try? keySet.encoded()) ?? Data()
      $0.signingKid = signing.kid
    }
  }

  private func requireRootAdmin() throws {
    _ = try Caller.requiredAtRoot(
      self.rootOrganisationID, because: "signing keys serve the whole tree",
      mayThen: "administer them")
  }

  /// Runs a key change, reporting a refused change as FAILED_PRECONDITION and an unknown kid
  /// as NOT_FOUND.
  private func keyAdministration(_ body: () async throws -> Void) async throws {
    do {
      try await body()
    } catch let error as KeyAdministrationError {
      throw RPCError(code: .failedPrecondition, message: error.message)
    } catch let error as KeyRingError {
      if case .unknownKey = error {
        throw RPCError(code: .notFound, message: "kid: \(error)")
      }
      throw RPCError(code: .failedPrecondition, message: "kid: \(error)")
    }
  }

  private static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601)
  }
}

extension CredentialState {
  var proto: Volunteer_V1_CredentialStatus {
    switch self {
    case .active: .active
    case .suspended: .suspended
    case .revoked: .revoked
    }
  }
}

extension IssuedCredential {
  /// The wire form.
  var proto: Volunteer_V1_Credential {
    .with {
      $0.number = self.number
      $0.volunteerNumber = self.volunteerNumber
      $0.organisationID = self.organisationID
      $0.token = self.token
      $0.kid = self.kid
      $0.issuedAt = Google_Protobuf_Timestamp(date: self.issuedAt)
      if let validUntil = self.validUntil { $0.validUntil = Google_Protobuf_Timestamp(date: validUntil) }
      $0.status = self.state.proto
      $0.statusReason = self.stateReason ?? ""
      if let changed = self.stateChangedAt { $0.statusChangedAt = Google_Protobuf_Timestamp(date: changed) }
      $0.issuedBy = self.issuedBy
      $0.starLevel = UInt32(self.starLevel)
      $0.policyID = self.policyID
      $0.policyVersion = UInt32(self.policyVersion)
      $0.evidenceDigest = self.evidenceDigest
      $0.evidenceRecords = UInt32(self.evidenceRecords)
    }
  }
}
