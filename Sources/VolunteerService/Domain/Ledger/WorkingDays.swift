import Foundation

/// Counting working days for the late-entry rule.
///
/// A working day is Monday to Friday. There is no holiday calendar: China's public holidays
/// and the weekend days worked in exchange (调休) are announced each year, so they belong in a
/// policy extension (a per-year list of extra days off and extra working days) rather than in
/// a fixed rule. Until then a record entered just after a holiday may be flagged late a day or
/// two early, which only flags it; it is never refused.
public enum WorkingDays {
  /// The number of Monday–Friday days strictly after `from` up to and including `to`; 0 when
  /// `to` is not after `from`.
  ///
  /// So from a Friday to the following Monday is 1, and from a Friday to the Friday two weeks
  /// later is 10. Computed arithmetically, so far-apart dates cost the same as adjacent ones.
  public static func count(from: CalendarDate, to: CalendarDate) -> Int {
    let first = LedgerDays.dayNumber(of: from)
    let last = LedgerDays.dayNumber(of: to)
    guard last > first else { return 0 }
    // Weekdays in the half-open day range [from + 1, to + 1).
    return weekdays(before: last + 1) - weekdays(before: first + 1)
  }

  /// Whether `date` is a Monday to Friday.
  public static func isWorkingDay(_ date: CalendarDate) -> Bool {
    mondayBasedWeekday(LedgerDays.dayNumber(of: date)) < 5
  }

  /// 1970-01-05, the first Monday on or after the day-number epoch 1970-01-01 (a Thursday).
  private static let referenceMonday = 4

  /// 0 for Monday … 6 for Sunday.
  private static func mondayBasedWeekday(_ dayNumber: Int) -> Int {
    LedgerDays.floorMod(dayNumber - referenceMonday, 7)
  }

  /// The signed number of weekdays in [reference Monday, `dayNumber`), negative before the
  /// reference; differences of this function count weekdays in any range.
  private static func weekdays(before dayNumber: Int) -> Int {
    let offset = dayNumber - referenceMonday
    let weeks = LedgerDays.floorDiv(offset, 7)
    let rest = LedgerDays.floorMod(offset, 7)
    return weeks * 5 + min(rest, 5)
  }
}

/// DOMAIN: "records should be entered within 10 working days of the activity; later entries
/// are accepted but flagged as late."
public enum LateEntry {
  /// Whether a record submitted at `submittedAt` is late for an activity ending at
  /// `activityEnd`: more than `policy.lateEntryWorkingDays` working days lie after the
  /// activity's end date, up to and including the submission date, both dates taken in the
  /// policy time zone.
  ///
  /// The activity's end date is the day of its last instant, so an activity ending exactly at
  /// midnight ended the day before (its window is half-open). With the default of 10, an
  /// activity ending on a Friday may be entered until the Friday two weeks later; the Monday
  /// after that is late.
  public static func isLate(activityEnd: Date, submittedAt: Date, policy: LedgerPolicy) -> Bool {
    workingDaysAfter(activityEnd: activityEnd, submittedAt: submittedAt, policy: policy)
      > policy.lateEntryWorkingDays
  }

  /// The working days after the activity's end date up to and including the submission date
  /// in the policy time zone; reporting uses it to show how late an entry was.
  public static func workingDaysAfter(
    activityEnd: Date, submittedAt: Date, policy: LedgerPolicy
  ) -> Int {
    guard LedgerTime.isFinite(activityEnd), LedgerTime.isFinite(submittedAt) else { return 0 }
    let zone = policy.timeZone
    let endDay = LedgerDays.localDay(ofLastInstantBefore: activityEnd, in: zone)
    let submittedDay = LedgerDays.localDay(of: submittedAt, in: zone)
    return WorkingDays.count(from: endDay, to: submittedDay)
  }
}

/// Calendar-day arithmetic shared by the ledger rules.
enum LedgerDays {
  /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
  /// `days_from_civil`), so day differences need no `Calendar` and no time zone.
  static func dayNumber(of date: CalendarDate) -> Int {
    let year = date.month <= 2 ? date.year - 1 : date.year
    let era = floorDiv(year, 400)
    let yearOfEra = year - era * 400
    let monthFromMarch = (date.month + 9) % 12
    let dayOfYear = (153 * monthFromMarch + 2) / 5 + date.day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The date of a day number (the inverse of ``dayNumber(of:)``), clamped to the range
  /// ``CalendarDate`` accepts.
  static func date(fromDayNumber dayNumber: Int) -> CalendarDate {
    let shifted = dayNumber + 719_468
    let era = floorDiv(shifted, 146_097)
    let dayOfEra = shifted - era * 146_097
    let yearOfEra =
      (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthFromMarch = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
    let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    if let date = CalendarDate(year: year, month: month, day: day) { return date }
    return year < 1900 ? CalendarDate.earliest : CalendarDate.latest
  }

  /// The local calendar day of `instant` in `timeZone`.
  static func localDay(of instant: Date, in timeZone: TimeZone) -> CalendarDate {
    CalendarDate.today(in: timeZone, now: instant)
  }

  /// The local day of the last instant before `end`: the day of `end`, or the day before when
  /// `end` is exactly a local midnight, because spans and windows are half-open.
  static func localDay(ofLastInstantBefore end: Date, in timeZone: TimeZone) -> CalendarDate {
    let day = localDay(of: end, in: timeZone)
    guard startOfLocalDay(day, in: timeZone) == end else { return day }
    return date(fromDayNumber: dayNumber(of: day) - 1)
  }

  /// The first instant of `day` in `timeZone` (usually midnight; later on the rare days whose
  /// midnight a daylight-saving change skips).
  static func startOfLocalDay(_ day: CalendarDate, in timeZone: TimeZone) -> Date? {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    guard
      let noon = calendar.date(
        from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12))
    else { return nil }
    return calendar.startOfDay(for: noon)
  }

  /// Integer division rounding toward negative infinity.
  static func floorDiv(_ value: Int, _ divisor: Int) -> Int {
    let quotient = value / divisor
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }

  /// The remainder matching ``floorDiv(_:_:)``, always in 0..<divisor for a positive divisor.
  static func floorMod(_ value: Int, _ divisor: Int) -> Int {
    value - floorDiv(value, divisor) * divisor
  }
}
