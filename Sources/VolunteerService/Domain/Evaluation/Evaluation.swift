import Foundation

/// What the ledger credits a volunteer with up to a moment: the sums an evaluation needs, read
/// from the per-volunteer credit buckets the store keeps beside the ledger (never from a scan
/// of the records).
public struct CreditSummary: Hashable, Sendable {
  /// Approved minutes and credited half-hours over the volunteer's whole history.
  public var lifetimeMinutes = 0
  public var lifetimeCreditedHalfHours = 0
  /// The same over the trailing 12 months.
  public var trailingYearMinutes = 0
  public var trailingYearCreditedHalfHours = 0
  /// Approved service records (reversed ones no longer count).
  public var approvedRecords = 0
  /// Distinct activities and organisations the volunteer has approved hours with.
  public var activities = 0
  public var organisations = 0
  /// Lifetime credited half-hours by activity category (kebab-case), for modules.
  public var creditedHalfHoursByCategory: [String: Int] = [:]

  public init() {}
}

/// An evaluation: DOMAIN "Evaluation", computed from approved records only under one policy
/// version, as of one day.
public struct Evaluation: Hashable, Sendable {
  /// The volunteer evaluated.
  public var volunteerNumber: String
  /// The day evaluated (inclusive), in the policy's time zone.
  public var asOf: CalendarDate
  /// The volunteer's age on ``asOf``.
  public var age: Int
  /// The policy and version used.
  public var policyID: String
  public var policyVersion: Int
  /// The sums the levels come from.
  public var summary: CreditSummary
  /// Stars reached by lifetime credited hours (0 = none yet).
  public var starLevel: Int
  /// The hours the next star needs, `nil` at the top level.
  public var nextStarHours: Int?
  /// The annual tier reached over the trailing 12 months for the age group at ``asOf``.
  public var annualTier: EvaluationPolicy.Tier?
  /// The age group's index in the policy's `annual_tiers`; `nil` below the youngest group.
  public var ageGroup: Int?
  /// Whether lifetime credited hours reach the lifetime award.
  public var lifetimeAward: Bool
  /// Second-classroom credits per module, in the policy's module order.
  public var modules: [ModuleCredit]

  /// One module's hours and the credits they give.
  public struct ModuleCredit: Hashable, Sendable {
    public var moduleID: String
    public var creditedHalfHours: Int
    public var credits: Int
  }

  /// Evaluates `summary` under `policy`. Thresholds compare credited time, so half-hour
  /// rounding (or exact minutes) follows the policy under which the records were credited.
  public static func evaluate(
    volunteerNumber: String, summary: CreditSummary, birthDate: CalendarDate,
    asOf: CalendarDate, policy: EvaluationPolicy
  ) -> Evaluation {
    let lifetime = summary.lifetimeCreditedHalfHours
    let stars = StarLevel.level(creditedHalfHours: lifetime, thresholdsHours: policy.starThresholdsHours)
    let next = stars < policy.starThresholdsHours.count ? policy.starThresholdsHours[stars] : nil
    let age = birthDate.age(on: asOf)
    let group = policy.annualTiers.firstIndex { age >= $0.minAge && age <= ($0.maxAge ?? Int.max) }
    var tier: EvaluationPolicy.Tier?
    if let group {
      let thresholds = policy.annualTiers[group]
      let trailing = summary.trailingYearCreditedHalfHours
      for (candidate, hours) in zip(
        EvaluationPolicy.Tier.allCases,
        [thresholds.bronzeHours, thresholds.silverHours, thresholds.goldHours])
      where trailing >= hours * 2 {
        tier = candidate
      }
    }
    let modules = policy.modules.map { module in
      let halfHours = module.categories.reduce(0) {
        $0 + (summary.creditedHalfHoursByCategory[$1] ?? 0)
      }
      let credits = module.thresholds.last { halfHours >= $0.hours * 2 }?.credits ?? 0
      return ModuleCredit(moduleID: module.id, creditedHalfHours: halfHours, credits: credits)
    }
    return Evaluation(
      volunteerNumber: volunteerNumber, asOf: asOf, age: age, policyID: policy.id,
      policyVersion: policy.version, summary: summary, starLevel: stars, nextStarHours: next,
      annualTier: tier, ageGroup: group, lifetimeAward: lifetime >= policy.lifetimeAwardHours * 2,
      modules: modules)
  }
}
