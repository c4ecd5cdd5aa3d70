import Foundation

/// Where a ledger record stands: DOMAIN `pending` → `approved` or `rejected`.
///
/// Approved records are never edited (corrections are new entries, see ``RecordCorrection``)
/// and a rejected record stays rejected (the volunteer submits a new one), so both are final.
/// The raw values are the stable spellings used in storage and exports.
public enum RecordStatus: String, Hashable, Sendable, Codable, CaseIterable {
  /// Submitted, waiting for the verifying organisation.
  case pending
  /// Verified; counts towards evaluations. Final.
  case approved
  /// Refused with a reason; never counts. Final.
  case rejected

  /// Whether no further status change is allowed.
  public var isFinal: Bool { self != .pending }

  /// Whether the record still claims its time slot, so another record of the same volunteer
  /// may not overlap it. A rejected record frees its slot for a corrected resubmission.
  public var blocksOverlappingRecords: Bool { self != .rejected }

  /// Whether the record counts in evaluations (DOMAIN: "computed from approved records only").
  public var countsTowardsEvaluation: Bool { self == .approved }

  /// Checks a review decision and returns the change to store.
  ///
  /// Only `pending → approved` and `pending → rejected` exist. A rejection needs a reason of
  /// 1–500 characters (surrounding whitespace trimmed) because the submitter must learn what
  /// to fix; an approval may carry an optional note of up to 500 characters.
  ///
  /// - Throws: ``IdentityValidationError`` on `record_id` when the record is already final,
  ///   on `status` for a move to `pending`, on `reason` when the reason is missing or too long.
  public func transition(
    to next: RecordStatus, reason: String? = nil
  ) throws(IdentityValidationError) -> RecordStatusChange {
    guard self == .pending else {
      let remedy =
        self == .approved
        ? "an approved record is never changed; correct it with a reversal or an adjustment"
        : "a rejected record stays rejected; submit a new record instead"
      throw IdentityValidationError(
        field: LedgerField.recordID,
        reason: "the record is already \(rawValue), which is final; \(remedy)")
    }
    let limit = 0...LedgerText.maxReasonLength
    switch next {
    case .pending:
      throw IdentityValidationError(
        field: LedgerField.status,
        reason: "a pending record can only be approved or rejected")
    case .approved:
      let note = try LedgerText.trimmed(
        reason ?? "", field: LedgerField.reason, allowed: limit, what: "an approval note")
      return RecordStatusChange(from: self, to: next, reason: note.isEmpty ? nil : note)
    case .rejected:
      let text = try LedgerText.trimmed(
        reason ?? "", field: LedgerField.reason, allowed: 1...LedgerText.maxReasonLength,
        what: "a rejection needs a reason telling the submitter what to fix")
      return RecordStatusChange(from: self, to: next, reason: text)
    }
  }
}

/// A checked status change, ready to be stored together with who made it and when.
public struct RecordStatusChange: Hashable, Sendable {
  /// The status before the change (always ``RecordStatus/pending``).
  public let from: RecordStatus
  /// The status after the change.
  public let to: RecordStatus
  /// The trimmed reason: always present for a rejection, optional for an approval.
  public let reason: String?
}

/// What a ledger entry is. Raw values are the stable spellings used in storage and exports.
public enum RecordKind: String, Hashable, Sendable, Codable, CaseIterable {
  /// Service time as submitted, covering a span of time.
  case entry
  /// Cancels an approved entry's minutes; references the entry.
  case reversal
  /// Adds or removes some minutes of an approved entry; references the entry.
  case adjustment
}

/// A requested correction to an approved entry.
///
/// DOMAIN: approved records are never edited or deleted; a correction is a new reversing or
/// adjusting entry that references the original, with a reason.
public enum RecordCorrection: Hashable, Sendable {
  /// Cancel the entry: its net minutes become 0.
  case reversal
  /// Add (positive) or remove (negative) minutes.
  case adjustment(deltaMinutes: Int)

  /// The kind of ledger entry the correction creates.
  public var kind: RecordKind {
    switch self {
    case .reversal: return .reversal
    case .adjustment: return .adjustment
    }
  }
}

/// The entry a correction refers to, as the correction rule needs to see it.
public struct CorrectionTarget: Hashable, Sendable {
  /// The referenced record's kind; only an ``RecordKind/entry`` can be corrected.
  public var kind: RecordKind
  /// The referenced record's status; only ``RecordStatus/approved`` can be corrected.
  public var status: RecordStatus
  /// The entry's own raw minutes, as submitted.
  public var minutes: Int
  /// The entry's minutes plus every earlier correction's delta.
  public var netMinutes: Int

  /// Describes the entry; `netMinutes` defaults to `minutes` (no earlier corrections).
  public init(kind: RecordKind = .entry, status: RecordStatus, minutes: Int, netMinutes: Int? = nil)
  {
    self.kind = kind
    self.status = status
    self.minutes = minutes
    self.netMinutes = netMinutes ?? minutes
  }
}

/// A checked correction, ready to be stored as a new ledger entry referencing the original.
public struct ValidatedCorrection: Hashable, Sendable {
  /// ``RecordKind/reversal`` or ``RecordKind/adjustment``.
  public let kind: RecordKind
  /// The signed minutes of the new entry (a reversal of an unadjusted entry is −original).
  public let minutesDelta: Int
  /// The entry's net minutes after this correction; never negative.
  public let correctedTotalMinutes: Int
  /// The change in credited half hours, so credited sums stay equal to the credit of each
  /// entry's net minutes (rounding is applied to the net, not to each delta separately).
  public let creditedHalfHoursDelta: Int
  /// The change in credited minutes, exact under either rounding rule.
  public let creditedMinutesDelta: Int
  /// The trimmed reason, 1–500 characters.
  public let reason: String
}

extension RecordCorrection {
  /// Checks a correction of `target` and computes the entry to store.
  ///
  /// Rules: only an approved entry can be corrected (corrections reference the entry, never
  /// another correction); a reversal cancels the net minutes, which is −original for an entry
  /// not adjusted before, and an entry already at 0 has nothing to reverse; an adjustment is a
  /// non-zero signed delta; the corrected total never goes below 0, and an addition may not
  /// take it above `policy.maxRecordMinutes` (a record never covers more than 24 hours);
  /// every correction carries a reason of 1–500 characters.
  ///
  /// - Throws: ``IdentityValidationError`` on `record_id`, `adjustment_minutes` or `reason`.
  public func validated(
    target: CorrectionTarget, reason: String, policy: LedgerPolicy
  ) throws(IdentityValidationError) -> ValidatedCorrection {
    guard target.kind == .entry else {
      throw IdentityValidationError(
        field: LedgerField.recordID,
        reason: "refers to a \(target.kind.rawValue); corrections always reference the "
          + "original entry")
    }
    guard target.status == .approved else {
      let remedy =
        target.status == .pending
        ? "a pending record is reviewed (approved or rejected), not corrected"
        : "a rejected record never counted; submit a new record instead"
      throw IdentityValidationError(
        field: LedgerField.recordID,
        reason: "the record is \(target.status.rawValue); only an approved record can be "
          + "corrected, \(remedy)")
    }
    // Stored data, not partner input, but a corrupt row must produce an error, not a trap.
    let possible = 0...LedgerPolicy.Limits.maxRecordMinutes.upperBound
    guard possible.contains(target.minutes), possible.contains(target.netMinutes) else {
      throw IdentityValidationError(
        field: LedgerField.recordID,
        reason: "the record's stored minutes (\(target.minutes), net \(target.netMinutes)) are "
          + "outside 0...\(possible.upperBound); the ledger entry needs investigating before it "
          + "can be corrected")
    }
    let delta: Int
    switch self {
    case .reversal:
      guard target.netMinutes != 0 else {
        throw IdentityValidationError(
          field: LedgerField.recordID,
          reason: "the record's net minutes are already 0 (reversed before); there is "
            + "nothing to reverse")
      }
      delta = -target.netMinutes
    case .adjustment(let deltaMinutes):
      guard deltaMinutes != 0 else {
        throw IdentityValidationError(
          field: LedgerField.adjustmentMinutes,
          reason: "is 0, which changes nothing; send a positive number of minutes to add or "
            + "a negative one to remove")
      }
      delta = deltaMinutes
    }
    let (total, overflow) = target.netMinutes.addingReportingOverflow(delta)
    // Only additions are capped, so an entry above a since-tightened limit can still be reduced.
    guard !overflow, delta < 0 || total <= policy.maxRecordMinutes else {
      // The net is never negative here, so only a huge positive delta can overflow.
      throw IdentityValidationError(
        field: LedgerField.adjustmentMinutes,
        reason: "would take the record from \(target.netMinutes) minutes to more than "
          + "\(policy.maxRecordMinutes); a record covers at most \(policy.maxRecordMinutes) "
          + "minutes, add at most \(max(policy.maxRecordMinutes - target.netMinutes, 0))")
    }
    guard total >= 0 else {
      throw IdentityValidationError(
        field: LedgerField.adjustmentMinutes,
        reason: "would take the record from \(target.netMinutes) to below 0 minutes; "
          + "remove at most \(max(target.netMinutes, 0)) minutes, or reverse the record")
    }
    let text = try LedgerText.trimmed(
      reason, field: LedgerField.reason, allowed: 1...LedgerText.maxReasonLength,
      what: "a correction needs a reason saying what was wrong")
    let rule = policy.rounding
    return ValidatedCorrection(
      kind: kind,
      minutesDelta: delta,
      correctedTotalMinutes: total,
      creditedHalfHoursDelta: CreditRounding.creditedHalfHours(minutes: total, rule: rule)
        - CreditRounding.creditedHalfHours(minutes: target.netMinutes, rule: rule),
      creditedMinutesDelta: CreditRounding.creditedMinutes(minutes: total, rule: rule)
        - CreditRounding.creditedMinutes(minutes: target.netMinutes, rule: rule),
      reason: text)
  }
}
