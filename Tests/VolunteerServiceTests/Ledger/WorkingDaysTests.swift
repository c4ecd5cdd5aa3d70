import Foundation
import Testing

@testable import VolunteerService

@Suite("Working days and late entry")
struct WorkingDaysTests {
  /// Counts Monday–Friday days one by one with Foundation's calendar, as an independent check
  /// of the arithmetic in ``WorkingDays``.
  static func referenceCount(from: CalendarDate, to: CalendarDate) throws -> Int {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
    func instant(_ date: CalendarDate) throws -> Date {
      try #require(
        calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)))
    }
    let end = try instant(to)
    var cursor = try instant(from)
    var count = 0
    while true {
      cursor = try #require(calendar.date(byAdding: .day, value: 1, to: cursor))
      guard cursor <= end else { break }
      let weekday = calendar.component(.weekday, from: cursor)  // 1 = Sunday, 7 = Saturday
      if weekday != 1 && weekday != 7 { count += 1 }
    }
    return count
  }

  @Test(
    "Known counts",
    arguments: [
      // 2026-03-06 is a Friday.
      ("2026-03-06", "2026-03-06", 0), ("2026-03-06", "2026-03-07", 0),
      ("2026-03-06", "2026-03-08", 0), ("2026-03-06", "2026-03-09", 1),
      ("2026-03-06", "2026-03-13", 5), ("2026-03-06", "2026-03-20", 10),
      ("2026-03-06", "2026-03-21", 10), ("2026-03-06", "2026-03-22", 10),
      ("2026-03-06", "2026-03-23", 11),
      // From a Saturday the first working day is Monday.
      ("2026-03-07", "2026-03-09", 1), ("2026-03-07", "2026-03-20", 10),
      // Backwards or equal gives 0.
      ("2026-03-20", "2026-03-06", 0),
      // Across a year end and a leap day.
      ("2023-12-29", "2024-01-02", 2), ("2024-02-28", "2024-03-01", 2),
      ("1900-01-01", "9999-12-31", 2_113_189),
    ])
  func knownCounts(from: String, to: String, expected: Int) throws {
    #expect(
      WorkingDays.count(from: try LedgerFixture.day(from), to: try LedgerFixture.day(to))
        == expected)
  }

  @Test("Matches a day-by-day count for every pair of dates in a 10-week range")
  func matchesReference() throws {
    let start = try LedgerFixture.day("2026-02-23")
    let days = (0..<70).map { LedgerDays.date(fromDayNumber: LedgerDays.dayNumber(of: start) + $0) }
    for from in days {
      for to in days {
        #expect(
          WorkingDays.count(from: from, to: to) == (try Self.referenceCount(from: from, to: to)),
          "\(from) → \(to)")
      }
    }
  }

  @Test(
    "Matches the reference far from the epoch",
    arguments: [
      ("1900-01-01", "1900-03-01"), ("1969-12-20", "1970-01-20"), ("2099-12-01", "2100-03-15"),
      ("9999-10-01", "9999-12-31"),
    ])
  func farDates(from: String, to: String) throws {
    let a = try LedgerFixture.day(from)
    let b = try LedgerFixture.day(to)
    #expect(WorkingDays.count(from: a, to: b) == (try Self.referenceCount(from: a, to: b)))
  }

  @Test(
    "Weekdays",
    arguments: [
      ("2026-03-02", true), ("2026-03-06", true), ("2026-03-07", false), ("2026-03-08", false),
      ("1970-01-01", true), ("1970-01-03", false), ("1900-01-01", true), ("2000-02-29", true),
    ])
  func weekdays(date: String, working: Bool) throws {
    #expect(WorkingDays.isWorkingDay(try LedgerFixture.day(date)) == working)
  }

  @Test("Day numbers round-trip through dates")
  func dayNumberRoundTrip() throws {
    #expect(LedgerDays.dayNumber(of: try LedgerFixture.day("1970-01-01")) == 0)
    #expect(LedgerDays.dayNumber(of: try LedgerFixture.day("2000-03-01")) == 11_017)
    #expect(LedgerDays.dayNumber(of: try LedgerFixture.day("1900-01-01")) == -25_567)
    for number in stride(from: -25_567, through: 2_932_896, by: 997) {
      #expect(LedgerDays.dayNumber(of: LedgerDays.date(fromDayNumber: number)) == number)
    }
    #expect(LedgerDays.date(fromDayNumber: -30_000) == CalendarDate.earliest)
    #expect(LedgerDays.date(fromDayNumber: 3_000_000) == CalendarDate.latest)
  }

  @Test(
    "Late after the 10th working day, across weekends",
    arguments: [
      // The activity ends Friday 2026-03-06 in Beijing.
      ("2026-03-20 23:59", false),  // Friday, 10th working day
      ("2026-03-21 12:00", false),  // Saturday: still 10
      ("2026-03-22 23:59", false),  // Sunday: still 10
      ("2026-03-23 00:00", true),  // Monday, 11th working day
      ("2026-03-06 20:00", false),  // same day
      ("2026-03-01 12:00", false),  // before the end: never late
    ])
  func lateAcrossWeekend(submitted: String, late: Bool) throws {
    let end = try LedgerFixture.beijing("2026-03-06 17:00")
    let submittedAt = try LedgerFixture.beijing(submitted)
    #expect(
      LateEntry.isLate(activityEnd: end, submittedAt: submittedAt, policy: .national) == late)
  }

  @Test("Days are taken in the policy zone: 00:30 Friday in Beijing is Thursday in UTC")
  func lateUsesPolicyZone() throws {
    let end = try LedgerFixture.beijing("2026-03-06 00:30")
    let submitted = try LedgerFixture.beijing("2026-03-20 12:00")
    #expect(!LateEntry.isLate(activityEnd: end, submittedAt: submitted, policy: .national))
    #expect(
      LateEntry.workingDaysAfter(activityEnd: end, submittedAt: submitted, policy: .national)
        == 10)
    let utc = try LedgerPolicy(timeZoneIdentifier: "UTC")
    // In UTC the activity ended Thursday 03-05 and the submission is Friday 03-20: 11 days.
    #expect(LateEntry.isLate(activityEnd: end, submittedAt: submitted, policy: utc))
  }

  @Test("An activity ending exactly at midnight ended the day before")
  func endAtMidnight() throws {
    // Ends at Saturday 00:00, i.e. its last instant is on Friday 2026-03-06.
    let end = try LedgerFixture.beijing("2026-03-07 00:00")
    #expect(
      !LateEntry.isLate(
        activityEnd: end, submittedAt: try LedgerFixture.beijing("2026-03-20 12:00"),
        policy: .national))
    #expect(
      LateEntry.isLate(
        activityEnd: end, submittedAt: try LedgerFixture.beijing("2026-03-23 00:00"),
        policy: .national))
  }

  @Test("Midnight end on a weekday: the previous day is the end date")
  func endAtWeekdayMidnight() throws {
    // Ends Tuesday 2026-03-03 00:00, so the activity's last day is Monday 03-02 and the
    // 10th working day after it is Monday 03-16 (counting from Tuesday it would be 03-17).
    let end = try LedgerFixture.beijing("2026-03-03 00:00")
    let onTuesday = try LedgerFixture.beijing("2026-03-17 12:00")
    #expect(
      LateEntry.workingDaysAfter(activityEnd: end, submittedAt: onTuesday, policy: .national)
        == 11)
    #expect(LateEntry.isLate(activityEnd: end, submittedAt: onTuesday, policy: .national))
    #expect(
      !LateEntry.isLate(
        activityEnd: end, submittedAt: try LedgerFixture.beijing("2026-03-16 23:59"),
        policy: .national))
  }

  @Test("The threshold is a policy knob")
  func customThreshold() throws {
    let policy = try LedgerPolicy(lateEntryWorkingDays: 3)
    let end = try LedgerFixture.beijing("2026-03-06 17:00")
    #expect(
      !LateEntry.isLate(
        activityEnd: end, submittedAt: try LedgerFixture.beijing("2026-03-11 09:00"),
        policy: policy))
    #expect(
      LateEntry.isLate(
        activityEnd: end, submittedAt: try LedgerFixture.beijing("2026-03-12 09:00"),
        policy: policy))
  }
}
