/// The JWT claims set of a credential: a W3C VC 2.0 credential in the Open Badges 3.0
/// `AchievementCredential` shape, with the registered JWT claims alongside (VC-JOSE-COSE puts
/// the credential itself in the JWS payload; `iss`, `sub`, `jti`, `nbf`, `iat`, `exp` repeat
/// the credential's own fields for JWT libraries).
///
/// Field names are the JSON member names. Build one with ``AchievementCredentialBuilder``;
/// check one with ``CredentialDecoder``.
public struct AchievementCredential: Sendable, Equatable, Codable {
  /// JSON-LD contexts: VC 2.0 first, then Open Badges 3.0.
  public var context: [String]
  /// `urn:vrs:credential:<number>`.
  public var id: String
  /// `VerifiableCredential`, `OpenBadgeCredential`.
  public var type: [String]
  /// Human-readable title, required by Open Badges.
  public var name: String
  /// The issuing organisation.
  public var issuer: Profile
  /// RFC 3339 issue time.
  public var validFrom: String
  /// RFC 3339 end of validity, if any.
  public var validUntil: String?
  /// The volunteer and what they achieved.
  public var credentialSubject: AchievementSubject
  /// The records digest.
  public var evidence: [Evidence]
  /// Revocation and suspension entries.
  public var credentialStatus: [StatusEntry]
  /// The Open Badges JSON Schema the credential conforms to.
  public var credentialSchema: [Schema]?
  /// JWT issuer: equals `issuer.id`.
  public var iss: String
  /// JWT subject: equals `credentialSubject.id`.
  public var sub: String
  /// JWT ID: equals `id`.
  public var jti: String
  /// JWT not-before (seconds): equals `validFrom`.
  public var nbf: Int64
  /// JWT issued-at (seconds): equals `validFrom`; judged against the key's signing window.
  public var iat: Int64
  /// JWT expiry (seconds): equals `validUntil` when present.
  public var exp: Int64?

  enum CodingKeys: String, CodingKey {
    case context = "@context"
    case id, type, name, issuer, validFrom, validUntil, credentialSubject, evidence, credentialStatus
    case credentialSchema, iss, sub, jti, nbf, iat, exp
  }

  /// The issuing organisation (Open Badges `Profile`).
  public struct Profile: Sendable, Equatable, Codable {
    /// `urn:vrs:organisation:<id>`.
    public var id: String
    /// `["Profile"]`.
    public var type: [String]
    /// Organisation name.
    public var name: String
  }

  /// The recipient and the achievement (Open Badges `AchievementSubject`).
  public struct AchievementSubject: Sendable, Equatable, Codable {
    /// `urn:vrs:volunteer:<number>`.
    public var id: String
    /// `["AchievementSubject"]`.
    public var type: [String]
    /// Masked name of the volunteer.
    public var name: String
    /// Volunteer number (`identifier`) and optional salted ID-number hash (`nationalIdentityNumber`).
    public var identifier: [IdentityObject]
    /// What was achieved, under which policy.
    public var achievement: Achievement
    /// Open Badges results: star level, tier, hours and counts as strings.
    public var result: [Result]
    /// Machine-readable evaluation (authoritative integers; `result` is derived from it).
    public var evaluation: EvaluationFacts
  }

  /// Open Badges `IdentityObject`.
  public struct IdentityObject: Sendable, Equatable, Codable {
    /// `IdentityObject`.
    public var type: String
    /// Whether `identityHash` is a hash (`true`) or the plain identifier (`false`).
    public var hashed: Bool
    /// The identifier, or `sha256$<hex>` when hashed.
    public var identityHash: String
    /// `identifier` (volunteer number) or `nationalIdentityNumber` (ID document).
    public var identityType: String
    /// Salt appended before hashing, when hashed.
    public var salt: String?
  }

  /// Open Badges `Achievement`: what the result means and the policy it was judged under.
  public struct Achievement: Sendable, Equatable, Codable {
    /// `urn:vrs:achievement:<policyId>:<policyVersion>`.
    public var id: String
    /// `["Achievement"]`.
    public var type: [String]
    /// `CommunityService`.
    public var achievementType: String
    /// Title.
    public var name: String
    /// Description.
    public var description: String
    /// How it is earned.
    public var criteria: Criteria
    /// Definitions the `result` entries refer to.
    public var resultDescription: [ResultDescription]
  }

  /// Open Badges `Criteria`.
  public struct Criteria: Sendable, Equatable, Codable {
    /// Plain-language rule.
    public var narrative: String
  }

  /// Open Badges `ResultDescription`.
  public struct ResultDescription: Sendable, Equatable, Codable {
    /// `<achievement id>#<name>`.
    public var id: String
    /// `["ResultDescription"]`.
    public var type: [String]
    /// Label.
    public var name: String
    /// Open Badges result type (`PerformanceLevel`, `RawScore`, `Status`).
    public var resultType: String
  }

  /// Open Badges `Result`.
  public struct Result: Sendable, Equatable, Codable {
    /// `["Result"]`.
    public var type: [String]
    /// The `ResultDescription.id` this value belongs to.
    public var resultDescription: String
    /// The value as text.
    public var value: String
  }

  /// W3C `Evidence` carrying the records digest.
  public struct Evidence: Sendable, Equatable, Codable {
    /// `urn:vrs:evidence:<credential number>`.
    public var id: String
    /// `["Evidence"]`.
    public var type: [String]
    /// Title.
    public var name: String
    /// What the digest covers and how to recompute it.
    public var description: String
    /// `sha256-<base64>` over the canonical record encoding (`vrs-evidence-v1`).
    public var digestSRI: String
    /// Number of records covered.
    public var recordCount: Int
    /// Sum of their minutes.
    public var totalMinutes: Int
  }

  /// W3C `BitstringStatusListEntry`.
  public struct StatusEntry: Sendable, Equatable, Codable {
    /// `<list URL>#<index>`.
    public var id: String
    /// `BitstringStatusListEntry`.
    public var type: String
    /// `revocation` or `suspension`.
    public var statusPurpose: String
    /// Decimal index, as a string (the spec requires a string).
    public var statusListIndex: String
    /// URL of the status list credential.
    public var statusListCredential: String
  }

  /// W3C `credentialSchema` entry.
  public struct Schema: Sendable, Equatable, Codable {
    /// Schema URL.
    public var id: String
    /// Validator type.
    public var type: String
  }
}
