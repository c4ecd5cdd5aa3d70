import Foundation

/// Where a credential stands. Suspension is reversible; revocation is final (DOMAIN
/// "Credentials"). Raw values are the stored spellings.
public enum CredentialState: String, Hashable, Sendable, CaseIterable {
  case active, suspended, revoked

  /// Checks a status change. Moving to the current status changes nothing, so a retried
  /// request answers like the first.
  ///
  /// - Throws: ``IdentityValidationError`` on `status` for a move out of `revoked`.
  public func transition(to next: CredentialState) throws(IdentityValidationError) -> CredentialState {
    switch (self, next) {
    case (.revoked, .revoked): return next
    case (.revoked, _):
      throw IdentityValidationError(
        field: "status", reason: "the credential is revoked, which is final; issue a new one")
    default: return next
    }
  }
}

/// A credential as the service keeps it: the signed token and what it must find again
/// without parsing it (status indexes, evidence, the evaluation it states).
public struct IssuedCredential: Hashable, Sendable {
  /// `C` and 9 digits, e.g. C000000001.
  public var number: String
  public var volunteerNumber: String
  /// The issuing organisation: the volunteer's home organisation at issue time.
  public var organisationID: String
  /// The compact JWS (VC-JWT).
  public var token: String
  /// The key that signed it.
  public var kid: String
  public var issuedAt: Date
  public var validUntil: Date?
  /// Positions in the revocation and suspension status lists.
  public var revocationIndex: Int
  public var suspensionIndex: Int
  public var state: CredentialState
  public var stateReason: String?
  public var stateChangedAt: Date?
  public var stateChangedBy: String?
  public var issuedBy: String
  public var starLevel: Int
  public var policyID: String
  public var policyVersion: Int
  /// `sha256-<base64>` over ``evidence``.
  public var evidenceDigest: String
  public var evidenceRecords: Int
  /// The canonical evidence encoding (docs/CREDENTIALS.md): what ExportEvidence returns.
  public var evidence: String

  /// The number of the `sequence`-th credential.
  public static func number(sequence: Int) -> String {
    "C" + String(format: "%09d", sequence)
  }

  /// Creates a credential record.
  public init(
    number: String, volunteerNumber: String, organisationID: String, token: String, kid: String,
    issuedAt: Date, validUntil: Date?, revocationIndex: Int, suspensionIndex: Int,
    state: CredentialState, stateReason: String? = nil, stateChangedAt: Date? = nil,
    stateChangedBy: String? = nil, issuedBy: String, starLevel: Int, policyID: String,
    policyVersion: Int, evidenceDigest: String, evidenceRecords: Int, evidence: String
  ) {
    self.number = number
    self.volunteerNumber = volunteerNumber
    self.organisationID = organisationID
    self.token = token
    self.kid = kid
    self.issuedAt = issuedAt
    self.validUntil = validUntil
    self.revocationIndex = revocationIndex
    self.suspensionIndex = suspensionIndex
    self.state = state
    self.stateReason = stateReason
    self.stateChangedAt = stateChangedAt
    self.stateChangedBy = stateChangedBy
    self.issuedBy = issuedBy
    self.starLevel = starLevel
    self.policyID = policyID
    self.policyVersion = policyVersion
    self.evidenceDigest = evidenceDigest
    self.evidenceRecords = evidenceRecords
    self.evidence = evidence
  }
}

/// Which credentials an export covers.
public struct CredentialFilter: Hashable, Sendable {
  /// Root of the subtree.
  public var organisationID: String
  public var issuedFrom: Date?
  public var issuedBefore: Date?
  public var state: CredentialState?

  /// Creates a filter for the subtree rooted at `organisationID`.
  public init(organisationID: String, issuedFrom: Date? = nil, issuedBefore: Date? = nil, state: CredentialState? = nil) {
    self.organisationID = organisationID
    self.issuedFrom = issuedFrom
    self.issuedBefore = issuedBefore
    self.state = state
  }
}
