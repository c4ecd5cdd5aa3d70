import Foundation

/// Turns ``CredentialClaims`` into the credential payload and signs it as a VC-JWT.
///
/// The server calls ``sign(_:with:)``; everything else is exposed for tests and previews.
public enum AchievementCredentialBuilder {
  /// W3C VC 2.0 base context; must be first.
  public static let vcContext = "https://www.w3.org/ns/credentials/v2"
  /// Open Badges 3.0 context.
  public static let openBadgesContext = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
  /// Open Badges 3.0 JSON Schema for achievement credentials.
  public static let openBadgesSchema =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
  /// The credential `type` array.
  public static let credentialTypes = ["VerifiableCredential", "OpenBadgeCredential"]
  /// Open Badges achievement type for volunteer service.
  public static let achievementType = "CommunityService"

  /// Builds the payload, refusing claims that would produce an unverifiable or misleading
  /// credential (bad identifiers, evidence count not matching the evaluation, validity
  /// ending before it starts, negative totals, star level outside 0–5).
  public static func credential(for claims: CredentialClaims) throws(CredentialValidationError) -> AchievementCredential {
    try validate(claims)
    let issuedAt = JSONCoding.wholeSeconds(claims.issuedAt)
    let validUntil = claims.validUntil.map(JSONCoding.wholeSeconds)
    let facts = claims.evaluation
    let achievementID = "urn:vrs:achievement:\(facts.policyID):\(facts.policyVersion)"
    var identifiers = [
      AchievementCredential.IdentityObject(
        type: "IdentityObject", hashed: false, identityHash: claims.volunteerNumber, identityType: "identifier", salt: nil)
    ]
    if let hash = claims.identityHash {
      identifiers.append(
        AchievementCredential.IdentityObject(
          type: "IdentityObject", hashed: true, identityHash: hash.identityHash,
          identityType: "nationalIdentityNumber", salt: hash.salt))
    }
    var evaluation = facts
    evaluation.asOf = JSONCoding.wholeSeconds(facts.asOf)
    return AchievementCredential(
      context: [vcContext, openBadgesContext],
      id: claims.credentialID,
      type: credentialTypes,
      name: "Volunteer service record \(claims.credentialNumber)",
      issuer: .init(id: claims.issuerID, type: ["Profile"], name: claims.organisationName),
      validFrom: JSONCoding.timestamp(issuedAt),
      validUntil: validUntil.map(JSONCoding.timestamp),
      credentialSubject: .init(
        id: claims.subjectID,
        type: ["AchievementSubject"],
        name: claims.maskedName,
        identifier: identifiers,
        achievement: .init(
          id: achievementID,
          type: ["Achievement"],
          achievementType: achievementType,
          name: "Volunteer service (\(facts.policyID) \(facts.policyVersion))",
          description: "Approved volunteer service hours evaluated under policy \(facts.policyID) version \(facts.policyVersion).",
          criteria: .init(
            narrative:
              "Star level by lifetime credited hours and annual tier by trailing-12-month hours for the volunteer's age group, computed from approved records only, as defined by policy \(facts.policyID) version \(facts.policyVersion)."
          ),
          resultDescription: resultDescriptions.map { name, label, kind in
            .init(id: "\(achievementID)#\(name)", type: ["ResultDescription"], name: label, resultType: kind)
          }),
        result: results(for: evaluation, achievementID: achievementID),
        evaluation: evaluation),
      evidence: [
        .init(
          id: "urn:vrs:evidence:" + claims.credentialNumber,
          type: ["Evidence"],
          name: "Approved service records counted",
          description:
            "SHA-256 over the vrs-evidence-v1 canonical encoding of the approved records counted (sorted record ids and minutes); export the records and recompute to check.",
          digestSRI: claims.evidence.sri,
          recordCount: claims.evidence.recordCount,
          totalMinutes: claims.evidence.totalMinutes)
      ],
      credentialStatus: [
        statusEntry(purpose: "revocation", reference: claims.revocation),
        statusEntry(purpose: "suspension", reference: claims.suspension),
      ],
      credentialSchema: [.init(id: openBadgesSchema, type: "1EdTechJsonSchemaValidator2019")],
      iss: claims.issuerID,
      sub: claims.subjectID,
      jti: claims.credentialID,
      nbf: Int64(issuedAt.timeIntervalSince1970),
      iat: Int64(issuedAt.timeIntervalSince1970),
      exp: validUntil.map { Int64($0.timeIntervalSince1970) })
  }

  /// The JSON payload bytes (sorted keys) for `claims`.
  public static func payload(for claims: CredentialClaims) throws(CredentialValidationError) -> Data {
    let credential = try credential(for: claims)
    do {
      return try JSONCoding.encoder().encode(credential)
    } catch {
      throw .malformedPayload("could not encode: \(error)")
    }
  }

  /// Builds and signs the credential: a compact JWS with `typ` `vc+jwt` and the key's `kid`.
  ///
  /// The caller must pass the key that ``KeyRing/signingKey(at:)`` returns for
  /// `claims.issuedAt`, otherwise verifiers will reject the credential for key status.
  public static func sign(_ claims: CredentialClaims, with key: Ed25519SigningKey) throws -> String {
    try key.sign(payload: payload(for: claims), type: JOSEHeader.verifiableCredentialType)
  }

  /// (member name, label, Open Badges resultType) of each result, in order.
  static let resultDescriptions: [(String, String, String)] = [
    ("starLevel", "Star level", "PerformanceLevel"),
    ("annualTier", "Annual award tier", "PerformanceLevel"),
    ("lifetimeAward", "Lifetime award", "Status"),
    ("lifetimeHours", "Lifetime credited hours", "RawScore"),
    ("trailing12MonthHours", "Credited hours, trailing 12 months", "RawScore"),
    ("recordCount", "Approved records", "RawScore"),
    ("distinctActivities", "Distinct activities", "RawScore"),
    ("distinctOrganisations", "Distinct organisations", "RawScore"),
  ]

  static func results(for facts: EvaluationFacts, achievementID: String) -> [AchievementCredential.Result] {
    let values = [
      String(facts.starLevel),
      facts.annualTier ?? "none",
      facts.lifetimeAward ? "achieved" : "not achieved",
      hours(facts.lifetimeMinutes),
      hours(facts.trailing12MonthMinutes),
      String(facts.recordCount),
      String(facts.distinctActivities),
      String(facts.distinctOrganisations),
    ]
    return zip(resultDescriptions, values).map { description, value in
      .init(type: ["Result"], resultDescription: "\(achievementID)#\(description.0)", value: value)
    }
  }

  /// Minutes as hours with two decimals, rounded half up: 90 → "1.50".
  static func hours(_ minutes: Int) -> String {
    let hundredths = (minutes * 100 + 30) / 60
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }

  private static func statusEntry(purpose: String, reference: StatusReference) -> AchievementCredential.StatusEntry {
    .init(
      id: "\(reference.listURL)#\(reference.index)",
      type: "BitstringStatusListEntry",
      statusPurpose: purpose,
      statusListIndex: String(reference.index),
      statusListCredential: reference.listURL)
  }

  static func validate(_ claims: CredentialClaims) throws(CredentialValidationError) {
    let facts = claims.evaluation
    for (field, value) in [
      ("credentialNumber", claims.credentialNumber), ("volunteerNumber", claims.volunteerNumber),
      ("organisationID", claims.organisationID), ("evaluation.policyID", facts.policyID),
      ("evaluation.policyVersion", facts.policyVersion),
    ] where !EvidenceDigest.isValidRecordID(value) {
      throw .invalidField(field: field, reason: "\"\(value)\" must be 1-128 characters of A-Z a-z 0-9 . _ : -")
    }
    if claims.maskedName.isEmpty { throw .invalidField(field: "maskedName", reason: "must not be empty") }
    if claims.organisationName.isEmpty { throw .invalidField(field: "organisationName", reason: "must not be empty") }
    guard (0...5).contains(facts.starLevel) else {
      throw .invalidField(field: "evaluation.starLevel", reason: "\(facts.starLevel) is outside 0-5")
    }
    if let tier = facts.annualTier, tier.isEmpty || tier == "none" {
      throw .invalidField(field: "evaluation.annualTier", reason: "use nil for no tier")
    }
    for (field, value) in [
      ("lifetimeMinutes", facts.lifetimeMinutes), ("trailing12MonthMinutes", facts.trailing12MonthMinutes),
      ("recordCount", facts.recordCount), ("distinctActivities", facts.distinctActivities),
      ("distinctOrganisations", facts.distinctOrganisations),
    ] where value < 0 {
      throw .invalidField(field: "evaluation.\(field)", reason: "must not be negative")
    }
    guard claims.evidence.sha256.count == 32 else {
      throw .invalidField(field: "evidence", reason: "digest must be 32 bytes of SHA-256")
    }
    guard claims.evidence.recordCount == facts.recordCount else {
      throw .invalidField(
        field: "evidence.recordCount",
        reason: "digest covers \(claims.evidence.recordCount) records but the evaluation counted \(facts.recordCount)")
    }
    if let validUntil = claims.validUntil, JSONCoding.wholeSeconds(validUntil) <= JSONCoding.wholeSeconds(claims.issuedAt) {
      throw .invalidField(field: "validUntil", reason: "must be after issuedAt")
    }
    for (field, reference) in [("revocation", claims.revocation), ("suspension", claims.suspension)] {
      guard reference.index >= 0 else { throw .invalidField(field: "\(field).index", reason: "must not be negative") }
      guard let url = URL(string: reference.listURL), url.scheme != nil, url.fragment == nil else {
        throw .invalidField(field: "\(field).listURL", reason: "\"\(reference.listURL)\" must be an absolute URL without a fragment")
      }
    }
    if claims.revocation.listURL == claims.suspension.listURL {
      throw .invalidField(field: "suspension.listURL", reason: "revocation and suspension need separate lists")
    }
  }
}
