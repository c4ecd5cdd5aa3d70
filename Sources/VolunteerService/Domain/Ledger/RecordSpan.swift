import Foundation

/// The time a service record covers, as the half-open interval `[start, end)`.
///
/// Half-open so that back-to-back records (one ending at 12:00, the next starting at 12:00)
/// do not overlap, while any shared instant after that does. Spans are kept as two instants
/// rather than a start and a `TimeInterval`, so no floating-point duration is ever stored or
/// compared. A span whose end is not after its start is empty and overlaps nothing; record
/// validation refuses such spans before they reach the ledger.
public struct RecordSpan: Hashable, Sendable, Codable {
  /// The first instant of service.
  public let start: Date
  /// The first instant after the service; not part of the span.
  public let end: Date

  /// Creates a span; an end at or before the start gives an empty span.
  public init(start: Date, end: Date) {
    self.start = start
    self.end = end
  }

  /// Whether the span contains no instant (`end` is not after `start`, or either is not a
  /// finite time).
  public var isEmpty: Bool {
    !(LedgerTime.isFinite(start) && LedgerTime.isFinite(end) && start < end)
  }

  /// Whole minutes covered, rounded down; 0 for an empty span.
  public var minutes: Int {
    guard !isEmpty else { return 0 }
    return LedgerTime.wholeMinutes(from: start, to: end) ?? 0
  }

  /// Whether the two spans share at least one instant. Touching spans (`a.end == b.start`)
  /// do not overlap, and an empty span overlaps nothing.
  public func overlaps(_ other: RecordSpan) -> Bool {
    guard !isEmpty, !other.isEmpty else { return false }
    return start < other.end && other.start < end
  }
}

/// An existing record of the same volunteer, as the overlap rule needs to see it.
public struct ExistingRecordSpan: Hashable, Sendable {
  /// The record's identifier, so the error can name it.
  public var recordID: String
  /// The record's current status; only pending and approved records block a new one.
  public var status: RecordStatus
  /// The time the record covers.
  public var span: RecordSpan

  /// Creates the view of an existing record.
  public init(recordID: String, status: RecordStatus, span: RecordSpan) {
    self.recordID = recordID
    self.status = status
    self.span = span
  }
}

/// DOMAIN: "a record overlapping another pending or approved record of the same volunteer is
/// refused (one person, one place); once the other is rejected, it can be submitted again."
public enum RecordOverlap {
  /// The conflicting span that starts earliest (then ends earliest), or `nil` if none.
  ///
  /// The caller passes the volunteer's pending and approved spans. Choosing the earliest
  /// rather than the first in storage order makes the answer, and so the error message, the
  /// same whatever order the store returns rows in.
  public static func firstConflict(
    of span: RecordSpan, among existing: some Sequence<RecordSpan>
  ) -> RecordSpan? {
    var best: RecordSpan?
    for candidate in existing where candidate.overlaps(span) {
      if let current = best, (current.start, current.end) <= (candidate.start, candidate.end) {
        continue
      }
      best = candidate
    }
    return best
  }

  /// The earliest-starting pending or approved record whose span overlaps `span`, or `nil`.
  ///
  /// Rejected records are skipped, so a volunteer can resubmit once the conflicting record has
  /// been rejected. Among records with identical spans the first in sequence order wins.
  public static func firstConflict(
    of span: RecordSpan, among existing: some Sequence<ExistingRecordSpan>
  ) -> ExistingRecordSpan? {
    var best: ExistingRecordSpan?
    for candidate in existing
    where candidate.status.blocksOverlappingRecords && candidate.span.overlaps(span) {
      if let current = best,
        (current.span.start, current.span.end) <= (candidate.span.start, candidate.span.end)
      {
        continue
      }
      best = candidate
    }
    return best
  }

  /// Refuses `span` if it overlaps a pending or approved record of the same volunteer.
  ///
  /// - Throws: ``IdentityValidationError`` on `start_time`, naming the conflicting record and
  ///   its times in `timeZone`, and saying how to resolve it.
  public static func checkNoConflict(
    of span: RecordSpan, among existing: some Sequence<ExistingRecordSpan>,
    timeZone: TimeZone
  ) throws(IdentityValidationError) {
    guard let conflict = firstConflict(of: span, among: existing) else { return }
    let from = LedgerFormat.timestamp(conflict.span.start, in: timeZone)
    let to = LedgerFormat.timestamp(conflict.span.end, in: timeZone)
    throw IdentityValidationError(
      field: LedgerField.startTime,
      reason: "the record overlaps record \(conflict.recordID) (\(from) to \(to), "
        + "\(conflict.status.rawValue)) of the same volunteer; one person can only serve in "
        + "one place at a time. Fix the times, or have the other record rejected first")
  }
}
