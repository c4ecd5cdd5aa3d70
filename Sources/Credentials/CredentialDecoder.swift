import Foundation

/// Checks a presented credential payload and reads its claims back out.
///
/// Verifies shape and internal consistency, not the signature or status (see
/// ``CredentialVerifier`` for the whole check): contexts and types, Open Badges achievement
/// type, JWT claims equal to the credential fields they mirror (`iss`=`issuer.id`,
/// `sub`=`credentialSubject.id`, `jti`=`id`, `nbf`=`iat`=`validFrom`, `exp`=`validUntil`),
/// identifiers in our URN scheme, evidence count matching the evaluation, one revocation and
/// one suspension entry, and the Open Badges results agreeing with the evaluation.
public enum CredentialDecoder {
  /// Decodes and checks `payload` (the JWS payload bytes).
  public static func decode(_ payload: Data) throws(CredentialValidationError) -> DecodedCredential {
    let credential: AchievementCredential
    do {
      credential = try JSONCoding.decoder().decode(AchievementCredential.self, from: payload)
    } catch {
      throw .malformedPayload("not an AchievementCredential JSON object: \(describe(error))")
    }
    return try check(credential)
  }

  /// Checks an already decoded credential.
  public static func check(_ credential: AchievementCredential) throws(CredentialValidationError) -> DecodedCredential {
    let builder = AchievementCredentialBuilder.self
    guard credential.context.count >= 2, credential.context[0] == builder.vcContext,
      credential.context[1] == builder.openBadgesContext
    else {
      throw .invalidField(field: "@context", reason: "must start with [\(builder.vcContext), \(builder.openBadgesContext)]")
    }
    guard credential.type.contains("VerifiableCredential"),
      credential.type.contains("OpenBadgeCredential") || credential.type.contains("AchievementCredential")
    else { throw .invalidField(field: "type", reason: "must include VerifiableCredential and OpenBadgeCredential") }
    guard credential.issuer.type.contains("Profile") else { throw .invalidField(field: "issuer.type", reason: "must include Profile") }
    let subject = credential.credentialSubject
    guard subject.type.contains("AchievementSubject") else {
      throw .invalidField(field: "credentialSubject.type", reason: "must include AchievementSubject")
    }
    guard subject.achievement.type.contains("Achievement"),
      subject.achievement.achievementType == builder.achievementType
    else {
      throw .invalidField(field: "credentialSubject.achievement.achievementType", reason: "must be \(builder.achievementType)")
    }

    try same("iss", credential.iss, credential.issuer.id)
    try same("sub", credential.sub, subject.id)
    try same("jti", credential.jti, credential.id)
    guard let validFrom = JSONCoding.parseTimestamp(credential.validFrom) else {
      throw .invalidField(field: "validFrom", reason: "\"\(credential.validFrom)\" is not an RFC 3339 date-time")
    }
    let validFromSeconds = Int64(floor(validFrom.timeIntervalSince1970))
    try same("nbf", String(credential.nbf), String(validFromSeconds))
    try same("iat", String(credential.iat), String(validFromSeconds))
    var validUntil: Date?
    switch (credential.validUntil, credential.exp) {
    case (nil, nil): break
    case (let text?, let exp?):
      guard let date = JSONCoding.parseTimestamp(text) else {
        throw .invalidField(field: "validUntil", reason: "\"\(text)\" is not an RFC 3339 date-time")
      }
      try same("exp", String(exp), String(Int64(floor(date.timeIntervalSince1970))))
      guard date > validFrom else { throw .invalidField(field: "validUntil", reason: "must be after validFrom") }
      validUntil = date
    case (nil, let exp?): throw .inconsistentClaim(claim: "exp", expected: "absent (no validUntil)", found: String(exp))
    case (let text?, nil): throw .inconsistentClaim(claim: "exp", expected: text, found: "absent")
    }

    let credentialNumber = try suffix(of: credential.id, prefix: "urn:vrs:credential:", field: "id")
    let volunteerNumber = try suffix(of: subject.id, prefix: "urn:vrs:volunteer:", field: "credentialSubject.id")
    let organisationID = try suffix(of: credential.issuer.id, prefix: "urn:vrs:organisation:", field: "issuer.id")

    let plainIdentifiers = subject.identifier.filter { !$0.hashed && $0.identityType == "identifier" }
    guard plainIdentifiers.count == 1, plainIdentifiers[0].identityHash == volunteerNumber else {
      throw .invalidField(field: "credentialSubject.identifier", reason: "must hold the volunteer number \(volunteerNumber) once")
    }
    guard !subject.identifier.contains(where: { $0.identityType == "nationalIdentityNumber" && !$0.hashed }) else {
      throw .invalidField(field: "credentialSubject.identifier", reason: "an ID-document number must never appear unhashed")
    }
    let hashed = subject.identifier.filter { $0.hashed }
    guard hashed.count <= 1 else { throw .invalidField(field: "credentialSubject.identifier", reason: "at most one hashed identifier") }
    var identityHash: IdentityHash?
    if let item = hashed.first {
      guard let salt = item.salt, item.identityHash.hasPrefix("sha256$"), item.identityHash.count == 71 else {
        throw .invalidField(field: "credentialSubject.identifier", reason: "hashed identifier must be sha256$<64 hex> with a salt")
      }
      identityHash = IdentityHash(identityHash: item.identityHash, salt: salt)
    }

    guard credential.evidence.count == 1 else { throw .invalidField(field: "evidence", reason: "expected exactly one records digest") }
    let evidence = credential.evidence[0]
    let digestBytes: Data
    do { digestBytes = try EvidenceDigest.parseSRI(evidence.digestSRI) } catch {
      throw .invalidField(field: "evidence.digestSRI", reason: error.description)
    }

    let revocation = try statusReference(credential.credentialStatus, purpose: "revocation")
    let suspension = try statusReference(credential.credentialStatus, purpose: "suspension")

    let claims = CredentialClaims(
      credentialNumber: credentialNumber, volunteerNumber: volunteerNumber, maskedName: subject.name,
      identityHash: identityHash, organisationID: organisationID, organisationName: credential.issuer.name,
      evaluation: subject.evaluation,
      evidence: EvidenceDigest(sha256: digestBytes, recordCount: evidence.recordCount, totalMinutes: evidence.totalMinutes),
      issuedAt: validFrom, validUntil: validUntil, revocation: revocation, suspension: suspension)
    try builder.validate(claims)

    let achievementID = "urn:vrs:achievement:\(subject.evaluation.policyID):\(subject.evaluation.policyVersion)"
    guard subject.achievement.id == achievementID else {
      throw .invalidField(field: "credentialSubject.achievement.id", reason: "must be \(achievementID) for the stated policy")
    }
    let expectedResults = builder.results(for: subject.evaluation, achievementID: achievementID)
    for expected in expectedResults {
      guard let found = subject.result.first(where: { $0.resultDescription == expected.resultDescription }),
        found.value == expected.value
      else {
        throw .invalidField(
          field: "credentialSubject.result", reason: "\(expected.resultDescription) must be \(expected.value) per the evaluation")
      }
    }
    return DecodedCredential(credential: credential, claims: claims)
  }

  private static func same(_ claim: String, _ found: String, _ expected: String) throws(CredentialValidationError) {
    guard found == expected else { throw .inconsistentClaim(claim: claim, expected: expected, found: found) }
  }

  private static func suffix(of value: String, prefix: String, field: String) throws(CredentialValidationError) -> String {
    guard value.hasPrefix(prefix) else { throw .invalidField(field: field, reason: "\"\(value)\" must start with \(prefix)") }
    return String(value.dropFirst(prefix.count))
  }

  private static func statusReference(
    _ entries: [AchievementCredential.StatusEntry], purpose: String
  ) throws(CredentialValidationError) -> StatusReference {
    let matching = entries.filter { $0.statusPurpose == purpose }
    guard matching.count == 1, let entry = matching.first else {
      throw .invalidField(field: "credentialStatus", reason: "expected exactly one \(purpose) entry")
    }
    guard entry.type == "BitstringStatusListEntry" else {
      throw .invalidField(field: "credentialStatus.type", reason: "must be BitstringStatusListEntry")
    }
    guard let index = Int(entry.statusListIndex), index >= 0, String(index) == entry.statusListIndex else {
      throw .invalidField(field: "credentialStatus.statusListIndex", reason: "\"\(entry.statusListIndex)\" must be a decimal string")
    }
    guard entry.id == "\(entry.statusListCredential)#\(index)" else {
      throw .invalidField(field: "credentialStatus.id", reason: "must be <statusListCredential>#<statusListIndex>")
    }
    return StatusReference(listURL: entry.statusListCredential, index: index)
  }

  private static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
      DecodingError.dataCorrupted(let context):
      "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
    default:
      "\(error)"
    }
  }
}
