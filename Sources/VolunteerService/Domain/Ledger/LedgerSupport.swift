import Foundation

/// The protobuf request field names that ledger errors report against, kept in one place so
/// the RPC layer and the messages agree.
enum LedgerField {
  static let startTime = "start_time"
  static let endTime = "end_time"
  static let activityID = "activity_id"
  static let recordID = "record_id"
  static let title = "title"
  static let regionCode = "region_code"
  static let plannedMinutes = "planned_minutes"
  static let status = "status"
  static let reason = "reason"
  static let adjustmentMinutes = "adjustment_minutes"
}

/// Text formatting shared by ledger messages, so partners see one style of times and
/// durations everywhere.
enum LedgerFormat {
  /// `2026-03-01T09:00:00+08:00`: the instant in the policy zone with its offset, so a
  /// partner can compare it with their own local time without converting from UTC.
  static func timestamp(_ date: Date, in timeZone: TimeZone) -> String {
    guard date.timeIntervalSinceReferenceDate.isFinite else { return "(not a finite time)" }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents(
      [.year, .month, .day, .hour, .minute, .second], from: date)
    let offset = timeZone.secondsFromGMT(for: date)
    let sign = offset < 0 ? "-" : "+"
    let offsetMinutes = abs(offset) / 60
    return "\(pad(parts.year ?? 0, 4))-\(pad(parts.month ?? 0, 2))-\(pad(parts.day ?? 0, 2))"
      + "T\(pad(parts.hour ?? 0, 2)):\(pad(parts.minute ?? 0, 2)):\(pad(parts.second ?? 0, 2))"
      + "\(sign)\(pad(offsetMinutes / 60, 2)):\(pad(offsetMinutes % 60, 2))"
  }

  /// Hours as people say them: `9 h`, `9.5 h`, or `9 h 5 min` when not a half-hour multiple.
  static func hours(minutes: Int) -> String {
    let sign = minutes < 0 ? "-" : ""
    let magnitude = minutes.magnitude
    let whole = magnitude / 60
    let remainder = magnitude % 60
    switch remainder {
    case 0: return "\(sign)\(whole) h"
    case 30: return "\(sign)\(whole).5 h"
    default: return whole == 0 ? "\(sign)\(remainder) min" : "\(sign)\(whole) h \(remainder) min"
    }
  }

  /// Left-pads a non-negative number with zeros to `width` digits.
  private static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

/// Checks shared by the ledger's free-text fields.
enum LedgerText {
  /// The longest reason accepted for a rejection or a correction, in characters.
  static let maxReasonLength = 500

  /// Trims surrounding whitespace and checks the length in user-perceived characters
  /// (grapheme clusters), so a Chinese reason of 500 characters fits regardless of its UTF-8
  /// size.
  static func trimmed(
    _ text: String, field: String, allowed: ClosedRange<Int>, what: String
  ) throws(IdentityValidationError) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    let count = trimmed.count
    guard count > 0 || allowed.lowerBound == 0 else {
      throw IdentityValidationError(
        field: field, reason: "is required: \(what), 1 to \(allowed.upperBound) characters")
    }
    guard allowed.contains(count) else {
      throw IdentityValidationError(
        field: field,
        reason: "has \(count) characters; \(what) is \(allowed.lowerBound) to "
          + "\(allowed.upperBound) characters")
    }
    return trimmed
  }
}

/// Instant arithmetic shared by the ledger rules.
enum LedgerTime {
  /// Whether a date is a real instant; NaN or infinite dates would make every comparison
  /// false and conversions to whole minutes trap, so they are refused before any other rule.
  static func isFinite(_ date: Date) -> Bool {
    date.timeIntervalSinceReferenceDate.isFinite
  }

  /// Whole minutes from `start` to `end`, rounded down (a record of 59.9 seconds is 0
  /// minutes): the domain stores minutes and never credits time that was not served.
  /// Non-finite or absurdly long intervals give `nil` instead of trapping.
  ///
  /// The interval is first rounded to the millisecond: a `Date` is a binary floating-point
  /// number, so 09:00:00.1 to 11:20:00.1 can subtract to 8399.99999 s, which must still be
  /// 140 minutes and not 139.
  static func wholeMinutes(from start: Date, to end: Date) -> Int? {
    let seconds = (end.timeIntervalSince(start) * 1000).rounded() / 1000
    guard seconds.isFinite else { return nil }
    let minutes = (seconds / 60).rounded(.down)
    guard minutes.magnitude < 1e15 else { return nil }
    return Int(minutes)
  }
}
