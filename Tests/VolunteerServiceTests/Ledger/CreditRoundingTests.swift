import Foundation
import Testing

@testable import VolunteerService

@Suite("Credit rounding")
struct CreditRoundingTests {
  /// An independent statement of the half-hour bands: shifting by 15 minutes and counting
  /// whole half hours puts remainders 0–14 in the lower half hour, 15–44 in the next and
  /// 45–59 in the full hour.
  static func referenceHalfHours(_ minutes: Int) -> Int { (minutes + 15) / 30 }

  @Test(
    "Half-hour bands match the independent formula for 0…1500 minutes",
    arguments: 0...1500)
  func exhaustiveBands(minutes: Int) {
    #expect(
      CreditRounding.creditedHalfHours(minutes: minutes, rule: .halfHourBands)
        == Self.referenceHalfHours(minutes))
    #expect(
      CreditRounding.creditedMinutes(minutes: minutes, rule: .halfHourBands)
        == Self.referenceHalfHours(minutes) * 30)
  }

  @Test(
    "Band edges",
    arguments: [
      (0, 0), (1, 0), (14, 0), (15, 1), (29, 1), (30, 1), (44, 1), (45, 2), (59, 2), (60, 2),
      (74, 2), (75, 3), (104, 3), (105, 4), (140, 5), (480, 16), (481, 16), (1440, 48),
    ])
  func bandEdges(minutes: Int, halfHours: Int) {
    #expect(CreditRounding.creditedHalfHours(minutes: minutes, rule: .halfHourBands) == halfHours)
  }

  @Test("DOMAIN: 2 h 20 min credits 2.5 h")
  func domainExample() {
    let halfHours = CreditRounding.creditedHalfHours(minutes: 2 * 60 + 20, rule: .halfHourBands)
    #expect(halfHours == 5)
    #expect(Double(halfHours) / 2 == 2.5)
  }

  @Test(
    "Exact minutes credits the raw minutes; half hours are whole half hours contained",
    arguments: [(0, 0), (14, 0), (29, 0), (30, 1), (59, 1), (140, 4), (1440, 48)])
  func exactMinutes(minutes: Int, halfHours: Int) {
    #expect(CreditRounding.creditedMinutes(minutes: minutes, rule: .exactMinutes) == minutes)
    #expect(CreditRounding.creditedHalfHours(minutes: minutes, rule: .exactMinutes) == halfHours)
  }

  @Test(
    "Negative minutes round symmetrically, so a reversal cancels its entry exactly",
    arguments: CreditRoundingRule.allCases)
  func negativeSymmetry(rule: CreditRoundingRule) {
    for minutes in 0...1500 {
      #expect(
        CreditRounding.creditedHalfHours(minutes: -minutes, rule: rule)
          == -CreditRounding.creditedHalfHours(minutes: minutes, rule: rule))
      #expect(
        CreditRounding.creditedMinutes(minutes: -minutes, rule: rule)
          == -CreditRounding.creditedMinutes(minutes: minutes, rule: rule))
    }
  }

  @Test("Extreme values neither trap nor change sign")
  func extremes() {
    for rule in CreditRoundingRule.allCases {
      #expect(CreditRounding.creditedHalfHours(minutes: .max, rule: rule) > 0)
      #expect(CreditRounding.creditedHalfHours(minutes: .min, rule: rule) < 0)
      #expect(CreditRounding.creditedMinutes(minutes: .max, rule: rule) > 0)
      #expect(CreditRounding.creditedMinutes(minutes: .min, rule: rule) < 0)
    }
  }

  @Test("Rule spellings are stable")
  func spellings() {
    #expect(CreditRoundingRule.halfHourBands.rawValue == "half-hour-bands")
    #expect(CreditRoundingRule.exactMinutes.rawValue == "exact-minutes")
  }
}
