import Foundation

/// A day in the Gregorian calendar with no time zone, such as a birth date or a consent date.
///
/// Birth dates and ages must not shift with the server's clock or zone, so they are kept as
/// plain year/month/day values. Only real dates from 1900-01-01 to 9999-12-31 can be built,
/// which lets every other domain rule assume the value is valid.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// The Gregorian year, 1900...9999.
  public let year: Int
  /// The month, 1...12.
  public let month: Int
  /// The day of the month, 1...28/29/30/31 depending on the month and year.
  public let day: Int

  /// The earliest date the service accepts (identity documents of living people start here).
  public static let earliest = CalendarDate(validYear: 1900, month: 1, day: 1)
  /// The latest date the service accepts (the last date with a four-digit year).
  public static let latest = CalendarDate(validYear: 9999, month: 12, day: 31)

  /// Creates a date only if it is a real Gregorian date (leap years included) in 1900...9999.
  public init?(year: Int, month: Int, day: Int) {
    guard (1900...9999).contains(year), (1...12).contains(month),
      (1...CalendarDate.daysInMonth(month, of: year)).contains(day)
    else { return nil }
    self.init(validYear: year, month: month, day: day)
  }

  /// Parses exactly `YYYY-MM-DD` (ASCII digits, hyphens at positions 5 and 8), as used on the
  /// wire and in storage; anything else (times, zones, missing zero padding) is rejected.
  public init?(iso8601: String) {
    let bytes = Array(iso8601.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      let year = CalendarDate.decimal(bytes[0..<4]),
      let month = CalendarDate.decimal(bytes[5..<7]),
      let day = CalendarDate.decimal(bytes[8..<10])
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  /// Builds a value whose components the caller has already checked.
  private init(validYear year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// The date as `YYYY-MM-DD`, the form used on the wire and in storage.
  public var iso8601: String {
    let pad = CalendarDate.pad
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  /// Same as ``iso8601``, so dates print readably in logs and error messages.
  public var description: String { iso8601 }

  /// The current calendar day in `timeZone` at the instant `now`.
  ///
  /// Ages are computed in the time zone of the record (Asia/Shanghai by default), so the caller
  /// passes both the zone and the clock reading. An instant outside 1900...9999 is clamped to
  /// ``earliest`` or ``latest``.
  public static func today(in timeZone: TimeZone, now: Date) -> CalendarDate {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents([.year, .month, .day], from: now)
    guard let year = parts.year, let month = parts.month, let day = parts.day else {
      // Unreachable for the Gregorian calendar; clamp by the side of the epoch instead.
      return now.timeIntervalSince1970 < 0 ? earliest : latest
    }
    if year < 1900 { return earliest }
    if year > 9999 { return latest }
    return CalendarDate(year: year, month: month, day: day) ?? latest
  }

  /// The number of completed years from `self` (a birth date) to `date`.
  ///
  /// Someone born on 29 February becomes a year older on 1 March in non-leap years. The result
  /// is negative when `date` is before `self`, which callers should treat as invalid.
  public func age(on date: CalendarDate) -> Int {
    let years = date.year - year
    let birthdayReached = (date.month, date.day) >= (month, day)
    return birthdayReached ? years : years - 1
  }

  /// Orders dates chronologically.
  public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  /// Decodes from the `YYYY-MM-DD` string form, rejecting anything that is not a valid date.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let date = CalendarDate(iso8601: text) else {
      throw DecodingError.dataCorruptedError(
        in: container,
        debugDescription: "expected a real date in the form YYYY-MM-DD (1900-01-01...9999-12-31)"
      )
    }
    self = date
  }

  /// Encodes as the `YYYY-MM-DD` string form.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(iso8601)
  }

  // MARK: - Helpers

  /// Whether `year` has a 29 February in the Gregorian calendar.
  static func isLeapYear(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  /// The number of days in `month` (1...12) of `year`.
  static func daysInMonth(_ month: Int, of year: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Reads a run of ASCII digits as a non-negative number; `nil` if any byte is not a digit.
  static func decimal(_ bytes: some Collection<UInt8>) -> Int? {
    guard !bytes.isEmpty else { return nil }
    var value = 0
    for byte in bytes {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
  }

  /// Left-pads a non-negative number with zeros to `width` digits.
  private static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
