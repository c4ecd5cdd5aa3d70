import Foundation

/// Training a volunteer attended. Kept apart from the service-hours ledger: training
/// never adds to service hours, totals or evaluations of service (DOMAIN).
public struct TrainingRecord: Sendable, Hashable {
  public var id: String
  public var volunteerNumber: String
  public var organisationID: String
  public var title: String
  public var span: RecordSpan
  public var minutes: Int
  public var recordedBy: String
  public var recordedAt: Date

  /// Creates a training record.
  public init(
    id: String, volunteerNumber: String, organisationID: String, title: String, span: RecordSpan,
    minutes: Int, recordedBy: String, recordedAt: Date
  ) {
    self.id = id
    self.volunteerNumber = volunteerNumber
    self.organisationID = organisationID
    self.title = title
    self.span = span
    self.minutes = minutes
    self.recordedBy = recordedBy
    self.recordedAt = recordedAt
  }

  /// Checks a training span: start before end, not in the future beyond the skew, at most
  /// the policy's longest record.
  public static func validatedSpan(start: Date, end: Date, now: Date, policy: LedgerPolicy)
    throws(IdentityValidationError) -> RecordSpan
  {
    guard start < end else {
      throw IdentityValidationError(field: "end_time", reason: "the end must be after the start")
    }
    guard end <= now.addingTimeInterval(Double(policy.allowedFutureSkewMinutes) * 60) else {
      throw IdentityValidationError(field: "end_time", reason: "the end is in the future")
    }
    let span = RecordSpan(start: start, end: end)
    guard span.minutes <= policy.maxRecordMinutes else {
      throw IdentityValidationError(
        field: "end_time",
        reason: "one training record covers at most \(policy.maxRecordMinutes / 60) hours")
    }
    return span
  }
}

/// An award given to a volunteer.
public struct AwardRecord: Sendable, Hashable {
  public var id: String
  public var volunteerNumber: String
  public var organisationID: String
  public var title: String
  public var level: String
  public var awardedOn: CalendarDate
  public var recordedBy: String
  public var recordedAt: Date

  /// Creates an award record.
  public init(
    id: String, volunteerNumber: String, organisationID: String, title: String, level: String,
    awardedOn: CalendarDate, recordedBy: String, recordedAt: Date
  ) {
    self.id = id
    self.volunteerNumber = volunteerNumber
    self.organisationID = organisationID
    self.title = title
    self.level = level
    self.awardedOn = awardedOn
    self.recordedBy = recordedBy
    self.recordedAt = recordedAt
  }
}
