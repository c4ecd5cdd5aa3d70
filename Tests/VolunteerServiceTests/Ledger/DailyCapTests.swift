import Foundation
import Testing

@testable import VolunteerService

@Suite("Daily minutes split")
struct DailyMinutesSplitTests {
  let zone = LedgerPolicy.national.timeZone

  func split(_ start: String, _ end: String) throws -> [DayMinutes] {
    DailyMinutes.split(try LedgerFixture.span(start, end), timeZone: zone)
  }

  func shares(_ pairs: [(String, Int)]) throws -> [DayMinutes] {
    try pairs.map { DayMinutes(day: try LedgerFixture.day($0.0), minutes: $0.1) }
  }

  @Test("A record within one day stays on that day")
  func sameDay() throws {
    #expect(try split("2026-03-01 09:00", "2026-03-01 17:00") == shares([("2026-03-01", 480)]))
  }

  @Test("A night shift is split at Beijing midnight")
  func crossesMidnight() throws {
    #expect(
      try split("2026-03-01 22:00", "2026-03-02 02:00")
        == shares([("2026-03-01", 120), ("2026-03-02", 120)]))
  }

  @Test("Ending exactly at midnight does not touch the next day")
  func endsAtMidnight() throws {
    #expect(try split("2026-03-01 20:00", "2026-03-02 00:00") == shares([("2026-03-01", 240)]))
    #expect(try split("2026-03-02 00:00", "2026-03-02 03:00") == shares([("2026-03-02", 180)]))
  }

  @Test("A 24-hour record from 06:00 splits 18 h / 6 h")
  func fullDay() throws {
    #expect(
      try split("2026-03-01 06:00", "2026-03-02 06:00")
        == shares([("2026-03-01", 1080), ("2026-03-02", 360)]))
    #expect(
      try split("2026-03-01 00:00", "2026-03-02 00:00") == shares([("2026-03-01", 1440)]))
  }

  @Test("Seconds are neither lost nor double-counted at midnight")
  func secondsAtMidnight() throws {
    // 30 s before midnight and 60 s after: 1 whole minute, which falls on the second day.
    #expect(
      try split("2026-03-01 23:59:30", "2026-03-02 00:01:00") == shares([("2026-03-02", 1)]))
    // 90 s before and 40 s after: 2 whole minutes, one on each day.
    #expect(
      try split("2026-03-01 23:58:30", "2026-03-02 00:00:40")
        == shares([("2026-03-01", 1), ("2026-03-02", 1)]))
  }

  @Test("Shares always add up to the record's minutes")
  func sharesSumToMinutes() throws {
    let base = try LedgerFixture.beijing("2026-03-01 00:00")
    for startOffset in stride(from: 0, to: 86_400, by: 3_607) {
      for length in stride(from: 1, through: 86_400, by: 2_011) {
        let start = base.addingTimeInterval(TimeInterval(startOffset))
        let span = RecordSpan(start: start, end: start.addingTimeInterval(TimeInterval(length)))
        let parts = DailyMinutes.split(span, timeZone: zone)
        #expect(parts.reduce(0) { $0 + $1.minutes } == span.minutes)
        #expect(parts.allSatisfy { $0.minutes > 0 })
        #expect(parts.count <= 2)
      }
    }
  }

  @Test("Days are Beijing days: 06:00–08:00 Beijing is the previous evening in UTC")
  func beijingDays() throws {
    #expect(try split("2026-03-02 06:00", "2026-03-02 08:00") == shares([("2026-03-02", 120)]))
  }

  @Test("Empty spans have no minutes on any day")
  func empty() throws {
    #expect(try split("2026-03-01 10:00", "2026-03-01 10:00").isEmpty)
    #expect(try split("2026-03-01 10:00", "2026-03-01 09:00").isEmpty)
  }

  @Test("In a zone with daylight saving the 23-hour day is split by real time")
  func daylightSavingZone() throws {
    let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = berlin
    // Clocks go forward on Sunday 2026-03-29, so that day has 23 hours.
    let start = try #require(
      calendar.date(from: DateComponents(year: 2026, month: 3, day: 28, hour: 12)))
    let end = try #require(
      calendar.date(from: DateComponents(year: 2026, month: 3, day: 30, hour: 12)))
    let parts = DailyMinutes.split(RecordSpan(start: start, end: end), timeZone: berlin)
    #expect(
      parts == (try shares([("2026-03-28", 720), ("2026-03-29", 1380), ("2026-03-30", 720)])))
  }
}

@Suite("Daily cap")
struct DailyCapTests {
  let policy = LedgerPolicy.national

  func decide(
    existing: [String: Int] = [:], _ start: String, _ end: String,
    override: CapOverride = .none, policy: LedgerPolicy = .national
  ) throws -> DailyCapDecision {
    var byDay: [CalendarDate: Int] = [:]
    for (day, minutes) in existing { byDay[try LedgerFixture.day(day)] = minutes }
    return DailyCapDecision.decide(
      approvedMinutesByDay: byDay, span: try LedgerFixture.span(start, end), override: override,
      policy: policy)
  }

  func needs(_ level: CapOverride, _ day: String, _ total: Int) throws -> DailyCapDecision {
    .needsOverride(level, day: try LedgerFixture.day(day), totalMinutes: total)
  }

  @Test(
    "Boundaries: 8 h, 8 h + 1 min, 12 h, 12 h + 1 min",
    arguments: [
      // (existing minutes that day, record end after 09:00 start, override, expected)
      (360, "11:00", CapOverride.none, "allowed"),  // exactly 8 h
      (360, "11:01", .none, "verifying-organisation 481"),
      (360, "11:01", .verifyingOrganisation, "allowed"),
      (360, "11:01", .provinceLevel, "allowed"),
      (600, "11:00", .verifyingOrganisation, "allowed"),  // exactly 12 h
      (600, "11:00", .none, "verifying-organisation 720"),
      (600, "11:01", .none, "province-level 721"),
      (600, "11:01", .verifyingOrganisation, "province-level 721"),
      (600, "11:01", .provinceLevel, "allowed"),
      (0, "17:00", .none, "allowed"),  // an 8-hour record on an empty day
      (0, "17:01", .none, "verifying-organisation 481"),
      (0, "21:00", .verifyingOrganisation, "allowed"),
      (0, "21:01", .verifyingOrganisation, "province-level 721"),
    ])
  func boundaries(existing: Int, end: String, override: CapOverride, expected: String) throws {
    let decision = try decide(
      existing: ["2026-03-01": existing], "2026-03-01 09:00", "2026-03-01 \(end)",
      override: override)
    let description: String
    switch decision {
    case .allowed: description = "allowed"
    case .needsOverride(let level, let day, let total):
      #expect(day == (try LedgerFixture.day("2026-03-01")))
      description = "\(level.rawValue) \(total)"
    case .refused(_, let total): description = "refused \(total)"
    }
    #expect(description == expected)
    #expect(decision.isAllowed == (expected == "allowed"))
  }

  @Test("A night shift counts towards each day it touches")
  func midnightCrossing() throws {
    // 22:00–02:00: 2 h on each day. The second day already has 7 h approved.
    #expect(
      try decide(existing: ["2026-03-02": 420], "2026-03-01 22:00", "2026-03-02 02:00")
        == needs(.verifyingOrganisation, "2026-03-02", 540))
    #expect(
      try decide(existing: ["2026-03-02": 360], "2026-03-01 22:00", "2026-03-02 02:00")
        == .allowed)
    // Without splitting, 4 h on top of 6 h on the first day would need an override.
    #expect(
      try decide(existing: ["2026-03-01": 360], "2026-03-01 22:00", "2026-03-02 02:00")
        == .allowed)
  }

  @Test("The most serious day is named; among equals, the earliest")
  func worstDay() throws {
    #expect(
      try decide(
        existing: ["2026-03-01": 400, "2026-03-02": 700], "2026-03-01 22:00",
        "2026-03-02 02:00") == needs(.provinceLevel, "2026-03-02", 820))
    #expect(
      try decide(
        existing: ["2026-03-01": 400, "2026-03-02": 400], "2026-03-01 22:00",
        "2026-03-02 02:00") == needs(.verifyingOrganisation, "2026-03-01", 520))
  }

  @Test("Days the record does not touch are not its problem")
  func untouchedDays() throws {
    #expect(
      try decide(existing: ["2026-02-28": 1000], "2026-03-01 09:00", "2026-03-01 10:00")
        == .allowed)
  }

  @Test("A 24-hour record needs a province-level override for its 18-hour day")
  func fullDayRecord() throws {
    #expect(
      try decide("2026-03-01 06:00", "2026-03-02 06:00")
        == needs(.provinceLevel, "2026-03-01", 1080))
    #expect(
      try decide("2026-03-01 06:00", "2026-03-02 06:00", override: .provinceLevel) == .allowed)
  }

  @Test("More than the day holds is refused whatever the override")
  func impossibleTotal() throws {
    let decision = try decide(
      existing: ["2026-03-01": 1400], "2026-03-01 09:00", "2026-03-01 10:00",
      override: .provinceLevel)
    #expect(decision == .refused(day: try LedgerFixture.day("2026-03-01"), totalMinutes: 1460))
    #expect(
      decision.message(policy: policy)
        == "2026-03-01 would total 24 h 20 min, more than the day has; no override can "
        + "approve it, so check that day's records for mistakes")
    #expect(
      try decide(
        existing: ["2026-03-01": 1380], "2026-03-01 09:00", "2026-03-01 10:00",
        override: .provinceLevel) == .allowed)
  }

  @Test("On a 23-hour daylight-saving day the impossible total starts above 23 h")
  func impossibleTotalOnShortDay() throws {
    let berlinPolicy = try LedgerPolicy(timeZoneIdentifier: "Europe/Berlin")
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = berlinPolicy.timeZone
    // Sunday 2026-03-29 has 23 hours in Berlin.
    let start = try #require(
      calendar.date(from: DateComponents(year: 2026, month: 3, day: 29, hour: 12)))
    let span = RecordSpan(start: start, end: start.addingTimeInterval(3600))
    let day = try LedgerFixture.day("2026-03-29")
    #expect(
      DailyCapDecision.decide(
        approvedMinutesByDay: [day: 1321], span: span, override: .provinceLevel,
        policy: berlinPolicy) == .refused(day: day, totalMinutes: 1381))
    #expect(
      DailyCapDecision.decide(
        approvedMinutesByDay: [day: 1320], span: span, override: .provinceLevel,
        policy: berlinPolicy) == .allowed)
  }

  @Test("Messages name the day, the total and who must override")
  func messages() throws {
    let verifying = try needs(.verifyingOrganisation, "2026-03-01", 570)
    #expect(
      verifying.message(policy: policy)
        == "2026-03-01 would total 9.5 h; more than 8 h a day needs an override by the "
        + "verifying organisation")
    let province = try needs(.provinceLevel, "2026-03-01", 721)
    #expect(
      province.message(policy: policy)
        == "2026-03-01 would total 12 h 1 min; more than 12 h a day is refused unless a "
        + "province-level organisation overrides")
    #expect(DailyCapDecision.allowed.message(policy: policy) == nil)
  }

  @Test("The caps are policy knobs")
  func customCaps() throws {
    let strict = try LedgerPolicy(dailyNormalCapMinutes: 360, dailyHardCapMinutes: 600)
    #expect(
      try decide("2026-03-01 09:00", "2026-03-01 15:01", policy: strict)
        == needs(.verifyingOrganisation, "2026-03-01", 361))
    #expect(
      try decide(
        "2026-03-01 09:00", "2026-03-01 19:01", override: .verifyingOrganisation,
        policy: strict) == needs(.provinceLevel, "2026-03-01", 601))
    #expect(
      try needs(.verifyingOrganisation, "2026-03-01", 361).message(policy: strict)?
        .contains("more than 6 h a day") == true)
  }

  @Test("Override levels are ordered by authority")
  func overrideOrder() {
    #expect(CapOverride.none < .verifyingOrganisation)
    #expect(CapOverride.verifyingOrganisation < .provinceLevel)
    #expect(CapOverride.allCases.sorted() == [.none, .verifyingOrganisation, .provinceLevel])
  }

  @Test("An empty span is always allowed")
  func emptySpan() throws {
    #expect(
      try decide(existing: ["2026-03-01": 2000], "2026-03-01 09:00", "2026-03-01 09:00")
        == .allowed)
  }
}
