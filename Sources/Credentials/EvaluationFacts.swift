import Foundation

/// The outcome of evaluating one volunteer under one policy, as stated in a credential.
///
/// Mirrors the evaluation described in DOMAIN.md ("Evaluation"): totals, levels reached,
/// policy id and version, and the as-of time. Minutes are authoritative; hours shown in the
/// Open Badges `result` entries are derived from them.
public struct EvaluationFacts: Sendable, Equatable, Codable {
  /// Policy identifier, e.g. `national-default`.
  public var policyID: String
  /// Policy version, e.g. `2025.1`.
  public var policyVersion: String
  /// The moment the evaluation is as of.
  public var asOf: Date
  /// Star level 0–5 (0 = below the first threshold).
  public var starLevel: Int
  /// Annual award tier over the trailing 12 months (`bronze`, `silver`, `gold`), nil if none.
  public var annualTier: String?
  /// Whether the lifetime award threshold is reached.
  public var lifetimeAward: Bool
  /// Lifetime credited minutes.
  public var lifetimeMinutes: Int
  /// Credited minutes in the 12 months before `asOf`.
  public var trailing12MonthMinutes: Int
  /// Number of approved records counted.
  public var recordCount: Int
  /// Number of distinct activities among them.
  public var distinctActivities: Int
  /// Number of distinct organisations among them.
  public var distinctOrganisations: Int

  /// Creates the facts; see the property docs for meanings.
  public init(
    policyID: String, policyVersion: String, asOf: Date, starLevel: Int, annualTier: String?,
    lifetimeAward: Bool, lifetimeMinutes: Int, trailing12MonthMinutes: Int, recordCount: Int,
    distinctActivities: Int, distinctOrganisations: Int
  ) {
    self.policyID = policyID
    self.policyVersion = policyVersion
    self.asOf = asOf
    self.starLevel = starLevel
    self.annualTier = annualTier
    self.lifetimeAward = lifetimeAward
    self.lifetimeMinutes = lifetimeMinutes
    self.trailing12MonthMinutes = trailing12MonthMinutes
    self.recordCount = recordCount
    self.distinctActivities = distinctActivities
    self.distinctOrganisations = distinctOrganisations
  }
}
