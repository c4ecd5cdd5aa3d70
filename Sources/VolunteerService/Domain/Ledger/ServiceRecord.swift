import Foundation

/// One entry of the service-hours ledger, as the store keeps it.
public struct ServiceRecord: Sendable, Hashable {
  /// Assigned by the store, e.g. `R000000001`.
  public var id: String
  public var volunteerNumber: String
  public var activityID: String
  /// The organisation running the activity when the record was logged; it stays even if
  /// the volunteer later transfers.
  public var organisationID: String
  public var span: RecordSpan
  /// Raw minutes served, always kept.
  public var minutes: Int
  public var creditedHalfHours: Int
  public var content: String
  public var status: RecordStatus
  public var isLate: Bool
  public var submittedBy: String
  public var submittedAt: Date
  public var reviewedBy: String?
  public var reviewedAt: Date?
  public var reviewReason: String?
  public var capOverride: CapOverride
  /// An entry, or a reversal or adjustment of the entry `correctsRecordID`.
  public var kind: RecordKind = .entry
  public var correctsRecordID: String?

  /// Creates a record.
  public init(
    id: String, volunteerNumber: String, activityID: String, organisationID: String,
    span: RecordSpan, minutes: Int, creditedHalfHours: Int, content: String,
    status: RecordStatus, isLate: Bool, submittedBy: String, submittedAt: Date,
    reviewedBy: String? = nil, reviewedAt: Date? = nil, reviewReason: String? = nil,
    capOverride: CapOverride = .none, kind: RecordKind = .entry, correctsRecordID: String? = nil
  ) {
    self.kind = kind
    self.correctsRecordID = correctsRecordID
    self.id = id
    self.volunteerNumber = volunteerNumber
    self.activityID = activityID
    self.organisationID = organisationID
    self.span = span
    self.minutes = minutes
    self.creditedHalfHours = creditedHalfHours
    self.content = content
    self.status = status
    self.isLate = isLate
    self.submittedBy = submittedBy
    self.submittedAt = submittedAt
    self.reviewedBy = reviewedBy
    self.reviewedAt = reviewedAt
    self.reviewReason = reviewReason
    self.capOverride = capOverride
  }

  /// The id of the `sequence`-th record.
  public static func id(sequence: Int) -> String {
    "R" + String(format: "%09d", sequence)
  }
}

/// The approved totals the ledger keeps per volunteer, updated in the same transaction as
/// each approval, so evaluations never scan the ledger.
public struct VolunteerTotals: Sendable, Hashable {
  public var approvedMinutes: Int
  public var approvedCreditedHalfHours: Int
  public var approvedRecords: Int

  /// Creates totals.
  public init(approvedMinutes: Int = 0, approvedCreditedHalfHours: Int = 0, approvedRecords: Int = 0) {
    self.approvedMinutes = approvedMinutes
    self.approvedCreditedHalfHours = approvedCreditedHalfHours
    self.approvedRecords = approvedRecords
  }
}

/// A reviewer's decision on a pending record.
public enum ReviewDecision: Sendable, Hashable {
  /// Approve, with an optional note and the cap override the reviewer takes responsibility for.
  case approve(note: String?, override: CapOverride)
  /// Reject with a reason the submitter can act on.
  case reject(reason: String)
}
