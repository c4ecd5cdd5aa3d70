import Foundation

/// How a record's raw minutes become credited time; the raw minutes are always kept as well.
public enum CreditRoundingRule: String, Hashable, Sendable, Codable, CaseIterable {
  /// DOMAIN default: whole hours plus the remainder rounded to a half hour — under 15 minutes
  /// counts 0, 15–44 counts 0.5 h, 45–59 counts a full hour (2 h 20 min credits 2.5 h).
  case halfHourBands = "half-hour-bands"
  /// Credit exactly the raw minutes, for policies that do not round.
  case exactMinutes = "exact-minutes"
}

/// Converts raw minutes into credited time under a ``CreditRoundingRule``.
///
/// Rounding applies to each ledger entry on its own (never to a sum), so a volunteer's
/// credited total is the sum of per-record credits and can be recomputed from an export of
/// the records. Negative minutes (reversals, downward adjustments) round symmetrically, so a
/// reversal cancels exactly the credit of the entry it reverses.
public enum CreditRounding {
  /// Credited time in half-hour units: 2 h 20 min → 5 (2.5 h), 59 min → 2, 14 min → 0.
  ///
  /// Half-hour units keep the band rule in exact integers. Under
  /// ``CreditRoundingRule/exactMinutes`` a half-hour unit cannot represent the credit, so the
  /// result is the whole half hours contained (rounded toward zero); use
  /// ``creditedMinutes(minutes:rule:)`` when the rule may be `exactMinutes`.
  public static func creditedHalfHours(minutes: Int, rule: CreditRoundingRule) -> Int {
    let magnitude = minutes.magnitude
    let halfHours: UInt
    switch rule {
    case .halfHourBands:
      let remainder = magnitude % 60
      let band: UInt
      switch remainder {
      case 0..<15: band = 0
      case 15..<45: band = 1
      default: band = 2
      }
      halfHours = (magnitude / 60) * 2 + band
    case .exactMinutes:
      halfHours = magnitude / 30
    }
    // At most |Int.min| / 30 + 2, which always fits in an Int.
    let value = Int(halfHours)
    return minutes < 0 ? -value : value
  }

  /// Credited time in minutes: a multiple of 30 under ``CreditRoundingRule/halfHourBands``,
  /// the raw minutes under ``CreditRoundingRule/exactMinutes``.
  ///
  /// Evaluations sum this value, which is exact under either rule.
  public static func creditedMinutes(minutes: Int, rule: CreditRoundingRule) -> Int {
    switch rule {
    case .halfHourBands:
      let halfHours = creditedHalfHours(minutes: minutes, rule: rule)
      // Only absurd inputs near Int.max can overflow; saturate rather than trap.
      let (credited, overflow) = halfHours.multipliedReportingOverflow(by: 30)
      guard !overflow else { return minutes < 0 ? Int.min : Int.max }
      return credited
    case .exactMinutes:
      return minutes
    }
  }
}
