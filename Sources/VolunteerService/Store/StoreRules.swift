import Foundation

/// Decisions both record stores make the same way, written once so that a store differs from
/// the other only in how it reads and writes rows.
enum StoreRules {
  /// Runs a lifecycle rule. A refusal about the record's or activity's current state is
  /// FAILED_PRECONDITION (the request was well formed; the state forbids it); one about a
  /// request field, such as a missing rejection reason, stays a validation error.
  @discardableResult
  static func stateRule<T>(_ rule: () throws -> T) throws -> T {
    do {
      return try rule()
    } catch let error as IdentityValidationError
      where error.field == LedgerField.status || error.field == LedgerField.recordID
    {
      throw RecordStoreError.failedPrecondition(error.description)
    }
  }

  /// The refusal of a record overlapping `recordID`'s span (one person, one place), saying
  /// which record and when, and how the partner can proceed.
  static func overlapRefusal(recordID: String, start: Date, end: Date) -> RecordStoreError {
    .failedPrecondition(
      "the volunteer already has record \(recordID) from \(start.formatted(.iso8601)) to "
        + "\(end.formatted(.iso8601)) overlapping this one (one person, one place); it can be "
        + "submitted again once that record is rejected")
  }

  /// The first excluded day of the 12 months ending on `asOf`: the same date a year earlier
  /// (28 February for a 29 February; the earliest date for the first year the service knows).
  static func yearBefore(_ asOf: CalendarDate) -> CalendarDate {
    CalendarDate(year: asOf.year - 1, month: asOf.month, day: asOf.day)
      ?? CalendarDate(year: asOf.year - 1, month: asOf.month, day: asOf.day - 1)
      ?? CalendarDate.earliest
  }
}
