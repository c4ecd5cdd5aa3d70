import Foundation
import Testing

@testable import VolunteerService

@Suite("Evaluation policies")
struct EvaluationPolicyTests {
  static func shipped(_ name: String) throws -> EvaluationPolicy {
    try EvaluationPolicy(json: Data(contentsOf: URL(fileURLWithPath: repositoryPath("Policies/\(name).json"))))
  }

  /// The national document with `edit` applied to its JSON object.
  static func edited(_ edit: (inout [String: Any]) -> Void) throws -> Data {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Policies/national.json")))
    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    edit(&object)
    return try JSONSerialization.data(withJSONObject: object)
  }

  static func refusal(_ data: Data) -> IdentityValidationError? {
    do {
      _ = try EvaluationPolicy(json: data)
      return nil
    } catch {
      return error
    }
  }

  @Test("the shipped national and Beijing policies load with DOMAIN's thresholds")
  func shippedPolicies() throws {
    let national = try Self.shipped("national")
    #expect(national.starThresholdsHours == [100, 300, 600, 1000, 1500])
    #expect(national.lifetimeAwardHours == 4000)
    #expect(national.annualTiers.map(\.goldHours) == [75, 100, 250, 500])
    #expect(national.annualTiers.last?.maxAge == nil)
    #expect(national.ledger == LedgerPolicy.national)
    let beijing = try Self.shipped("beijing")
    #expect(beijing.starThresholdsHours == [100, 200, 500, 800, 1000])
    // The stored form reads back to the same policy.
    #expect(try EvaluationPolicy(json: beijing.json()) == beijing)
  }

  @Test(
    "a malformed policy is refused naming the exact field",
    arguments: [
      ("star_thresholds_hours", "star_thresholds_hours[2]", "more than the one before"),
      ("gold", "annual_tiers[1].gold_hours", "more than the one before"),
      ("gap", "annual_tiers[2].min_age", "without gaps or overlaps"),
      ("open", "annual_tiers[3].max_age", "must be open-ended"),
      ("category", "modules[0].categories[1]", "not an activity category"),
      ("twice", "modules[1].categories[0]", "already counts towards module \"volunteering\""),
      ("missing", "lifetime_award_hours", "is required"),
      ("type", "version", "wrong type"),
      ("id", "id", "a-z, 0-9 and -"),
      ("cap", "ledger", "daily_hard_cap_minutes"),
    ])
  func malformed(fault: String, field: String, reason: String) throws {
    let data = try Self.edited { object in
      var tiers = object["annual_tiers"] as? [[String: Any]] ?? []
      var modules = object["modules"] as? [[String: Any]] ?? []
      switch fault {
      case "star_thresholds_hours": object["star_thresholds_hours"] = [100, 300, 300]
      case "gold": tiers[1]["gold_hours"] = 60
      case "gap": tiers[2]["min_age"] = 17
      case "open": tiers[3]["max_age"] = 99
      case "category": modules[0]["categories"] = ["community-service", "gardening"]
      case "twice": modules[1]["categories"] = ["health"]
      case "missing": object.removeValue(forKey: "lifetime_award_hours")
      case "type": object["version"] = "one"
      case "id": object["id"] = "Beijing City"
      case "cap": object["ledger"] = ["daily_normal_cap_minutes": 600, "daily_hard_cap_minutes": 500]
      default: Issue.record("unknown fault \(fault)")
      }
      object["annual_tiers"] = tiers
      object["modules"] = modules
    }
    let error = try #require(Self.refusal(data))
    #expect(error.field == field, "\(error)")
    #expect("\(error)".contains(reason), "\(error)")
  }

  @Test("invalid JSON is refused as such")
  func notJSON() {
    let error = Self.refusal(Data("{\"id\": ".utf8))
    #expect(error?.field == "policy")
    #expect(error?.reason.contains("not valid JSON") == true)
  }

  @Test(
    "star levels, tiers by age group, lifetime award and module credits",
    arguments: [
      // (lifetime h, trailing h, age, stars, tier, award)
      (0, 0, 30, 0, nil, false), (99.5, 0, 30, 0, nil, false), (100, 0, 30, 1, nil, false),
      (299.5, 0, 30, 1, nil, false), (1500, 0, 30, 5, nil, false), (4000, 100, 30, 5, "bronze", true),
      (300, 26, 8, 2, "bronze", false), (300, 75, 10, 2, "gold", false),
      (300, 75, 11, 2, "silver", false), (300, 174.5, 20, 2, "bronze", false),
      (300, 250, 25, 2, "gold", false), (300, 250, 26, 2, "silver", false), (300, 50, 4, 2, nil, false),
    ] as [(Double, Double, Int, Int, String?, Bool)])
  func levels(case values: (Double, Double, Int, Int, String?, Bool)) throws {
    let (lifetime, trailing, age, stars, tier, award) = values
    let national = try Self.shipped("national")
    var summary = CreditSummary()
    summary.lifetimeCreditedHalfHours = Int(lifetime * 2)
    summary.trailingYearCreditedHalfHours = Int(trailing * 2)
    summary.creditedHalfHoursByCategory = ["elderly-care": 20, "health": 12, "education": 80, "culture": 31]
    let asOf = try #require(CalendarDate(year: 2026, month: 11, day: 28))
    let birth = try #require(CalendarDate(year: 2026 - age, month: 11, day: 28))
    let evaluation = Evaluation.evaluate(
      volunteerNumber: "V0000000014", summary: summary, birthDate: birth, asOf: asOf,
      policy: national)
    #expect(evaluation.age == age)
    #expect(evaluation.starLevel == stars)
    #expect(evaluation.annualTier?.rawValue == tier)
    #expect(evaluation.lifetimeAward == award)
    // volunteering: 16 h → 1 credit; social practice: 40 h → 2; culture: 15.5 h → 0.
    #expect(evaluation.modules.map(\.credits) == [1, 2, 0])
    #expect(evaluation.modules.map(\.creditedHalfHours) == [32, 80, 31])
  }

  @Test("Beijing's thresholds give more stars for the same hours")
  func beijing() throws {
    var summary = CreditSummary()
    summary.lifetimeCreditedHalfHours = 2 * 800
    let asOf = try #require(CalendarDate(year: 2026, month: 11, day: 28))
    let birth = try #require(CalendarDate(year: 2000, month: 1, day: 1))
    let national = Evaluation.evaluate(
      volunteerNumber: "V", summary: summary, birthDate: birth, asOf: asOf, policy: try Self.shipped("national"))
    let beijing = Evaluation.evaluate(
      volunteerNumber: "V", summary: summary, birthDate: birth, asOf: asOf, policy: try Self.shipped("beijing"))
    #expect(national.starLevel == 3)
    #expect(national.nextStarHours == 1000)
    #expect(beijing.starLevel == 4)
    #expect(beijing.nextStarHours == 1000)
  }
}
