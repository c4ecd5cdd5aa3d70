import Foundation

/// Everything the server decides about a credential, as plain values; the builder turns it
/// into the W3C VC 2.0 / Open Badges 3.0 payload and the decoder turns a payload back into it.
///
/// Identifiers become URNs: `urn:vrs:credential:<number>`, `urn:vrs:volunteer:<number>`,
/// `urn:vrs:organisation:<id>`, `urn:vrs:achievement:<policy>:<version>`. Those parts must be
/// 1–128 characters of `A–Z a–z 0–9 . _ : -`.
public struct CredentialClaims: Sendable, Equatable {
  /// The credential number people quote and `GetCredential` looks up.
  public var credentialNumber: String
  /// The volunteer number (never the ID-document number).
  public var volunteerNumber: String
  /// The volunteer's masked name, e.g. `张*明`.
  public var maskedName: String
  /// Optional salted hash of the ID-document number.
  public var identityHash: IdentityHash?
  /// The issuing organisation's identifier.
  public var organisationID: String
  /// The issuing organisation's display name.
  public var organisationName: String
  /// The evaluation the credential states.
  public var evaluation: EvaluationFacts
  /// Digest of exactly the approved records counted.
  public var evidence: EvidenceDigest
  /// Issue time; also `validFrom`, `nbf` and `iat`. Whole seconds are used.
  public var issuedAt: Date
  /// Optional end of validity; also `exp`.
  public var validUntil: Date?
  /// Revocation status list entry.
  public var revocation: StatusReference
  /// Suspension status list entry.
  public var suspension: StatusReference

  /// Creates the claims; see the property docs.
  public init(
    credentialNumber: String, volunteerNumber: String, maskedName: String, identityHash: IdentityHash?,
    organisationID: String, organisationName: String, evaluation: EvaluationFacts, evidence: EvidenceDigest,
    issuedAt: Date, validUntil: Date?, revocation: StatusReference, suspension: StatusReference
  ) {
    self.credentialNumber = credentialNumber
    self.volunteerNumber = volunteerNumber
    self.maskedName = maskedName
    self.identityHash = identityHash
    self.organisationID = organisationID
    self.organisationName = organisationName
    self.evaluation = evaluation
    self.evidence = evidence
    self.issuedAt = issuedAt
    self.validUntil = validUntil
    self.revocation = revocation
    self.suspension = suspension
  }

  /// `urn:vrs:credential:<number>`: the credential `id` and JWT `jti`.
  public var credentialID: String { "urn:vrs:credential:" + credentialNumber }
  /// `urn:vrs:volunteer:<number>`: the subject `id` and JWT `sub`.
  public var subjectID: String { "urn:vrs:volunteer:" + volunteerNumber }
  /// `urn:vrs:organisation:<id>`: the issuer `id` and JWT `iss`.
  public var issuerID: String { "urn:vrs:organisation:" + organisationID }
}
