import Foundation

/// A checked service-hours submission: the span, its raw and credited time, and whether it
/// came in late. Values only come out of
/// ``validated(start:end:now:activityStatus:activityWindow:policy:)``.
///
/// Rules that need other records (overlap, daily cap) are separate, see ``RecordOverlap`` and
/// ``DailyCapDecision``, so this check stays a pure function of one request.
public struct ServiceRecordDraft: Hashable, Sendable {
  /// The time served.
  public let span: RecordSpan
  /// Raw duration in whole minutes, rounded down; always kept, whatever the rounding rule.
  public let minutes: Int
  /// Credited time in half hours under the policy's rounding rule (2 h 20 min → 5).
  public let creditedHalfHours: Int
  /// Credited time in minutes, exact under either rounding rule; what evaluations sum.
  public let creditedMinutes: Int
  /// Whether the submission is more than the policy's working days after the activity ended;
  /// late records are accepted and flagged.
  public let isLate: Bool

  /// Checks one record as submitted by a partner.
  ///
  /// In order: both times are real instants; `start < end`; `end` is not more than the
  /// allowed clock skew after `now`; the record covers at most `policy.maxRecordMinutes`
  /// (exactly 24 h is allowed, a second more is not); the activity is published or closed;
  /// the record lies inside the activity's window widened by the tolerance on each side
  /// (the edges themselves are inside).
  ///
  /// - Parameters:
  ///   - now: the server's clock reading, passed in so the rule stays pure; also taken as the
  ///     submission time for the late-entry flag.
  /// - Throws: ``IdentityValidationError`` on `start_time`, `end_time` or `activity_id`.
  public static func validated(
    start: Date,
    end: Date,
    now: Date,
    activityStatus: ActivityStatus,
    activityWindow: ActivityWindow,
    policy: LedgerPolicy = .national
  ) throws(IdentityValidationError) -> ServiceRecordDraft {
    let zone = policy.timeZone
    func time(_ date: Date) -> String { LedgerFormat.timestamp(date, in: zone) }

    guard LedgerTime.isFinite(start) else {
      throw IdentityValidationError(
        field: LedgerField.startTime, reason: "is not a valid timestamp")
    }
    guard LedgerTime.isFinite(end) else {
      throw IdentityValidationError(field: LedgerField.endTime, reason: "is not a valid timestamp")
    }
    guard start < end else {
      throw IdentityValidationError(
        field: LedgerField.endTime,
        reason: "is \(time(end)), not after start_time \(time(start)); a record ends after it "
          + "starts")
    }
    let skew = TimeInterval(policy.allowedFutureSkewMinutes * 60)
    guard end <= now.addingTimeInterval(skew) else {
      throw IdentityValidationError(
        field: LedgerField.endTime,
        reason: "is in the future: \(time(end)) is later than the server time \(time(now)) "
          + "plus the allowed clock skew of \(policy.allowedFutureSkewMinutes) min; "
          + "submit hours after they have been served")
    }
    let maximum = TimeInterval(policy.maxRecordMinutes * 60)
    guard end.timeIntervalSince(start) <= maximum,
      let minutes = LedgerTime.wholeMinutes(from: start, to: end)
    else {
      throw IdentityValidationError(
        field: LedgerField.endTime,
        reason: "the record runs from \(time(start)) to \(time(end)), longer than "
          + "\(LedgerFormat.hours(minutes: policy.maxRecordMinutes)); one record covers at "
          + "most \(LedgerFormat.hours(minutes: policy.maxRecordMinutes)), so split longer "
          + "service into several records")
    }
    guard activityStatus.acceptsHours else {
      throw IdentityValidationError(
        field: LedgerField.activityID,
        reason: "the activity is still a \(activityStatus.rawValue); hours can only be logged "
          + "against a published or closed activity")
    }
    let tolerance = TimeInterval(policy.activityWindowToleranceMinutes * 60)
    let earliest = activityWindow.start.addingTimeInterval(-tolerance)
    let latest = activityWindow.end.addingTimeInterval(tolerance)
    let window =
      "the activity runs from \(time(activityWindow.start)) to \(time(activityWindow.end)) and "
      + "records may reach \(policy.activityWindowToleranceMinutes) min beyond either end"
    guard start >= earliest else {
      throw IdentityValidationError(
        field: LedgerField.startTime,
        reason: "is \(time(start)), before the activity window allows (\(time(earliest))); "
          + "\(window). Travel time does not count")
    }
    guard end <= latest else {
      throw IdentityValidationError(
        field: LedgerField.endTime,
        reason: "is \(time(end)), after the activity window allows (\(time(latest))); "
          + "\(window). Travel time does not count")
    }
    return ServiceRecordDraft(
      span: RecordSpan(start: start, end: end),
      minutes: minutes,
      creditedHalfHours: CreditRounding.creditedHalfHours(
        minutes: minutes, rule: policy.rounding),
      creditedMinutes: CreditRounding.creditedMinutes(minutes: minutes, rule: policy.rounding),
      isLate: LateEntry.isLate(
        activityEnd: activityWindow.end, submittedAt: now, policy: policy))
  }
}
