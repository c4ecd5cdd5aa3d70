import Foundation
import Testing

@testable import VolunteerService

@Suite("Ledger policy")
struct LedgerPolicyTests {
  @Test("National defaults match DOMAIN")
  func nationalDefaults() throws {
    let policy = LedgerPolicy.national
    #expect(policy.dailyNormalCapMinutes == 480)
    #expect(policy.dailyHardCapMinutes == 720)
    #expect(policy.rounding == .halfHourBands)
    #expect(policy.maxRecordMinutes == 1440)
    #expect(policy.allowedFutureSkewMinutes == 5)
    #expect(policy.activityWindowToleranceMinutes == 30)
    #expect(policy.lateEntryWorkingDays == 10)
    #expect(policy.timeZoneIdentifier == "Asia/Shanghai")
    #expect(policy.timeZone.identifier == "Asia/Shanghai")
    #expect(try LedgerPolicy() == policy)
  }

  @Test("A deployment changes only what it lists")
  func customPolicy() throws {
    let beijing = try LedgerPolicy(dailyNormalCapMinutes: 6 * 60, rounding: .exactMinutes)
    #expect(beijing.dailyNormalCapMinutes == 360)
    #expect(beijing.rounding == .exactMinutes)
    #expect(beijing.dailyHardCapMinutes == 720)
    #expect(beijing.timeZoneIdentifier == "Asia/Shanghai")
  }

  /// One out-of-range setting per knob, with the field its error must name.
  enum BadKnob: String, CaseIterable, Sendable {
    case normalCapZero = "daily_normal_cap_minutes"
    case hardCapAboveDay = "daily_hard_cap_minutes"
    case hardBelowNormal = "daily_hard_cap_minutes (below normal)"
    case recordAbove24h = "max_record_minutes"
    case negativeSkew = "allowed_future_skew_minutes"
    case skewAboveHour = "allowed_future_skew_minutes (above 60)"
    case negativeTolerance = "activity_window_tolerance_minutes"
    case negativeLateDays = "late_entry_working_days"
    case unknownZone = "time_zone"

    var field: String { String(rawValue.prefix { $0 != " " }) }

    func build() throws(IdentityValidationError) -> LedgerPolicy {
      switch self {
      case .normalCapZero: return try LedgerPolicy(dailyNormalCapMinutes: 0)
      case .hardCapAboveDay: return try LedgerPolicy(dailyHardCapMinutes: 1441)
      case .hardBelowNormal:
        return try LedgerPolicy(dailyNormalCapMinutes: 600, dailyHardCapMinutes: 599)
      case .recordAbove24h: return try LedgerPolicy(maxRecordMinutes: 24 * 60 + 1)
      case .negativeSkew: return try LedgerPolicy(allowedFutureSkewMinutes: -1)
      case .skewAboveHour: return try LedgerPolicy(allowedFutureSkewMinutes: 61)
      case .negativeTolerance: return try LedgerPolicy(activityWindowToleranceMinutes: -5)
      case .negativeLateDays: return try LedgerPolicy(lateEntryWorkingDays: -1)
      case .unknownZone: return try LedgerPolicy(timeZoneIdentifier: "Mars/Olympus_Mons")
      }
    }
  }

  @Test("Out-of-range knobs are refused, naming the knob", arguments: BadKnob.allCases)
  func invalidKnobs(knob: BadKnob) {
    let error = LedgerFixture.refusal { () throws(IdentityValidationError) in try knob.build() }
    #expect(error?.field == knob.field)
    #expect(error?.reason.isEmpty == false)
  }

  @Test("An equal hard and normal cap is allowed")
  func equalCaps() throws {
    let policy = try LedgerPolicy(dailyNormalCapMinutes: 600, dailyHardCapMinutes: 600)
    #expect(policy.dailyHardCapMinutes == policy.dailyNormalCapMinutes)
  }

  @Test("Codable round trip keeps every knob; the resolved zone is not serialised")
  func codableRoundTrip() throws {
    let policy = try LedgerPolicy(
      dailyNormalCapMinutes: 420, dailyHardCapMinutes: 600, rounding: .exactMinutes,
      maxRecordMinutes: 720, allowedFutureSkewMinutes: 2, activityWindowToleranceMinutes: 15,
      lateEntryWorkingDays: 5, timeZoneIdentifier: "Asia/Urumqi")
    let data = try JSONEncoder().encode(policy)
    let object = try #require(
      try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(object["rounding"] as? String == "exact-minutes")
    #expect(object["timeZoneIdentifier"] as? String == "Asia/Urumqi")
    #expect(object["timeZone"] == nil)
    #expect(object.count == 8)
    #expect(try JSONDecoder().decode(LedgerPolicy.self, from: data) == policy)
  }

  @Test("Missing keys decode to the national defaults")
  func partialDecoding() throws {
    let json = #"{"dailyNormalCapMinutes": 360}"#
    let policy = try JSONDecoder().decode(LedgerPolicy.self, from: Data(json.utf8))
    #expect(policy.dailyNormalCapMinutes == 360)
    #expect(policy.dailyHardCapMinutes == LedgerPolicy.national.dailyHardCapMinutes)
    #expect(policy.timeZone == LedgerPolicy.national.timeZone)
    #expect(try JSONDecoder().decode(LedgerPolicy.self, from: Data("{}".utf8)) == .national)
  }

  @Test(
    "Invalid policy files fail to decode",
    arguments: [
      #"{"dailyHardCapMinutes": 100}"#, #"{"timeZoneIdentifier": "Nowhere"}"#,
      #"{"rounding": "nearest-hour"}"#, #"{"maxRecordMinutes": 2000}"#,
    ])
  func invalidDecoding(json: String) {
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(LedgerPolicy.self, from: Data(json.utf8))
    }
  }

  @Test("Asia/Shanghai is UTC+8 all year, every year the ledger covers (no daylight saving)")
  func shanghaiHasNoDaylightSaving() throws {
    let zone = LedgerPolicy.national.timeZone
    for year in 1992...2035 {
      for month in 1...12 {
        for day in [1, 15] {
          let instant = try LedgerFixture.beijing(
            "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day) 12:00")
          #expect(zone.secondsFromGMT(for: instant) == 8 * 3600, "\(year)-\(month)-\(day)")
          #expect(!zone.isDaylightSavingTime(for: instant))
        }
      }
    }
  }
}
