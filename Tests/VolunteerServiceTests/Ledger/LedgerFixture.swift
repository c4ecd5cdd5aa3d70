import Foundation
import Testing

@testable import VolunteerService

/// Builders for the ledger tests, namespaced so they never collide with helpers of other test
/// files in the same target.
enum LedgerFixture {
  /// The national defaults.
  static let policy = LedgerPolicy.national

  /// The instant of a Beijing wall-clock time `yyyy-MM-dd HH:mm` or `yyyy-MM-dd HH:mm:ss`.
  ///
  /// Built from UTC arithmetic with a fixed +08:00 offset, independently of the time zone
  /// database the code under test uses, so the tests also check that Asia/Shanghai is UTC+8
  /// without daylight saving.
  static func beijing(
    _ text: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> Date {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" })
      .compactMap { Int($0) }
    try #require(
      parts.count == 5 || parts.count == 6, "bad fixture time \(text)",
      sourceLocation: sourceLocation)
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = try #require(TimeZone(secondsFromGMT: 0), sourceLocation: sourceLocation)
    let components = DateComponents(
      year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
      second: parts.count == 6 ? parts[5] : 0)
    let asIfUTC = try #require(utc.date(from: components), sourceLocation: sourceLocation)
    return asIfUTC.addingTimeInterval(-8 * 3600)
  }

  /// A calendar date from `YYYY-MM-DD`.
  static func day(
    _ text: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> CalendarDate {
    try #require(CalendarDate(iso8601: text), sourceLocation: sourceLocation)
  }

  /// A span between two Beijing wall-clock times.
  static func span(
    _ start: String, _ end: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> RecordSpan {
    RecordSpan(
      start: try beijing(start, sourceLocation: sourceLocation),
      end: try beijing(end, sourceLocation: sourceLocation))
  }

  /// Runs `body`, expecting an ``IdentityValidationError``; returns it, or records an issue.
  static func refusal<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(IdentityValidationError) -> T
  ) -> IdentityValidationError? {
    do {
      let value = try body()
      Issue.record("expected a refusal, got \(value)", sourceLocation: sourceLocation)
      return nil
    } catch {
      return error
    }
  }
}
