import Foundation
import Testing

@testable import VolunteerService

@Suite("Record lifecycle")
struct RecordLifecycleTests {
  @Test(
    "Pending records are approved or rejected; approved and rejected are final",
    arguments: RecordStatus.allCases, RecordStatus.allCases)
  func transitions(from: RecordStatus, to: RecordStatus) throws {
    let allowed = from == .pending && to != .pending
    let result = Result { () throws(IdentityValidationError) in
      try from.transition(to: to, reason: "times do not match the sign-in sheet")
    }
    switch result {
    case .success(let change):
      #expect(allowed)
      #expect(change.from == from)
      #expect(change.to == to)
    case .failure(let error):
      #expect(!allowed)
      #expect(error.field == (from == .pending ? "status" : "record_id"))
    }
    #expect(from.isFinal == (from != .pending))
  }

  @Test("Final-state refusals say what to do instead")
  func finalStateReasons() {
    let approved = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try RecordStatus.approved.transition(to: .rejected, reason: "oops")
    }
    #expect(approved?.reason.contains("reversal or an adjustment") == true)
    let rejected = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try RecordStatus.rejected.transition(to: .approved)
    }
    #expect(rejected?.reason.contains("submit a new record") == true)
  }

  @Test(
    "A rejection needs a reason of 1–500 characters",
    arguments: [
      (nil, false), ("", false), ("  \n ", false), ("x", true),
      (String(repeating: "x", count: 500), true), (String(repeating: "时", count: 500), true),
      (String(repeating: "x", count: 501), false), (String(repeating: "时", count: 501), false),
    ] as [(String?, Bool)])
  func rejectionReason(reason: String?, accepted: Bool) {
    let result = Result { () throws(IdentityValidationError) in
      try RecordStatus.pending.transition(to: .rejected, reason: reason)
    }
    switch result {
    case .success(let change):
      #expect(accepted)
      #expect(change.reason == reason)
    case .failure(let error):
      #expect(!accepted)
      #expect(error.field == "reason")
    }
  }

  @Test("Reasons are trimmed")
  func trimmedReason() throws {
    let change = try RecordStatus.pending.transition(to: .rejected, reason: "  wrong day \n")
    #expect(change.reason == "wrong day")
  }

  @Test("An approval note is optional and at most 500 characters")
  func approvalNote() throws {
    #expect(try RecordStatus.pending.transition(to: .approved).reason == nil)
    #expect(try RecordStatus.pending.transition(to: .approved, reason: "  ").reason == nil)
    #expect(try RecordStatus.pending.transition(to: .approved, reason: "ok").reason == "ok")
    let error = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try RecordStatus.pending.transition(
        to: .approved, reason: String(repeating: "x", count: 501))
    }
    #expect(error?.field == "reason")
  }

  @Test("Only pending and approved records block overlaps; only approved ones count")
  func statusFlags() {
    #expect(RecordStatus.pending.blocksOverlappingRecords)
    #expect(RecordStatus.approved.blocksOverlappingRecords)
    #expect(!RecordStatus.rejected.blocksOverlappingRecords)
    #expect(RecordStatus.allCases.filter(\.countsTowardsEvaluation) == [.approved])
  }

  @Test("Kinds and statuses have stable spellings")
  func spellings() {
    #expect(RecordKind.allCases.map(\.rawValue) == ["entry", "reversal", "adjustment"])
    #expect(RecordStatus.allCases.map(\.rawValue) == ["pending", "approved", "rejected"])
    #expect(RecordCorrection.reversal.kind == .reversal)
    #expect(RecordCorrection.adjustment(deltaMinutes: 5).kind == .adjustment)
  }
}

@Suite("Record corrections")
struct RecordCorrectionTests {
  let policy = LedgerPolicy.national

  func correct(
    _ correction: RecordCorrection, _ target: CorrectionTarget,
    reason: String = "sign-in sheet shows 10:00, not 09:00", policy: LedgerPolicy = .national
  ) -> Result<ValidatedCorrection, IdentityValidationError> {
    Result { () throws(IdentityValidationError) in
      try correction.validated(target: target, reason: reason, policy: policy)
    }
  }

  @Test("A reversal's minutes are minus the original and cancel its credit exactly")
  func reversal() throws {
    let corrected = try correct(.reversal, CorrectionTarget(status: .approved, minutes: 140))
      .get()
    #expect(corrected.kind == .reversal)
    #expect(corrected.minutesDelta == -140)
    #expect(corrected.correctedTotalMinutes == 0)
    #expect(corrected.creditedHalfHoursDelta == -5)
    #expect(corrected.creditedMinutesDelta == -150)
    #expect(corrected.reason == "sign-in sheet shows 10:00, not 09:00")
  }

  @Test("A reversal after an adjustment cancels the net minutes")
  func reversalAfterAdjustment() throws {
    let corrected = try correct(
      .reversal, CorrectionTarget(status: .approved, minutes: 140, netMinutes: 100)
    ).get()
    #expect(corrected.minutesDelta == -100)
    #expect(corrected.correctedTotalMinutes == 0)
  }

  @Test("There is nothing to reverse once the net is 0")
  func doubleReversal() {
    let result = correct(
      .reversal, CorrectionTarget(status: .approved, minutes: 140, netMinutes: 0))
    guard case .failure(let error) = result else {
      Issue.record("expected a second reversal to be refused")
      return
    }
    #expect(error.field == "record_id")
  }

  @Test(
    "An adjustment is a signed delta; the total stays between 0 and 24 h",
    arguments: [
      (140, -20, 120, "", -1),  // 2 h 20 min (2.5 h) → 2 h
      (140, -140, 0, "", -5),
      (140, -141, nil, "adjustment_minutes", 0),
      (140, 10, 150, "", 0),  // 2 h 30 min still credits 2.5 h
      (140, 25, 165, "", 1),  // 2 h 45 min credits 3 h
      (140, 0, nil, "adjustment_minutes", 0),
      (1400, 40, 1440, "", 1),
      (1400, 41, nil, "adjustment_minutes", 0),
      (140, Int.max, nil, "adjustment_minutes", 0),
      (140, Int.min, nil, "adjustment_minutes", 0),
    ] as [(Int, Int, Int?, String, Int)])
  func adjustment(original: Int, delta: Int, total: Int?, field: String, halfHours: Int) {
    let result = correct(
      .adjustment(deltaMinutes: delta), CorrectionTarget(status: .approved, minutes: original))
    switch result {
    case .success(let corrected):
      #expect(corrected.kind == .adjustment)
      #expect(corrected.minutesDelta == delta)
      #expect(corrected.correctedTotalMinutes == total)
      #expect(corrected.creditedHalfHoursDelta == halfHours)
    case .failure(let error):
      #expect(total == nil)
      #expect(error.field == field)
    }
  }

  @Test(
    "Only an approved entry can be corrected",
    arguments: [
      (RecordKind.entry, RecordStatus.pending), (.entry, .rejected), (.reversal, .approved),
      (.adjustment, .approved),
    ])
  func notCorrectable(kind: RecordKind, status: RecordStatus) {
    for correction in [RecordCorrection.reversal, .adjustment(deltaMinutes: -10)] {
      let result = correct(correction, CorrectionTarget(kind: kind, status: status, minutes: 60))
      guard case .failure(let error) = result else {
        Issue.record("expected \(kind) \(status) to be refused")
        continue
      }
      #expect(error.field == "record_id")
    }
  }

  @Test(
    "A correction needs a reason of 1–500 characters",
    arguments: [
      ("", false), (" ", false), ("typo", true),
      (String(repeating: "x", count: 500), true), (String(repeating: "x", count: 501), false),
    ])
  func correctionReason(reason: String, accepted: Bool) {
    let result = correct(
      .adjustment(deltaMinutes: -10), CorrectionTarget(status: .approved, minutes: 60),
      reason: reason)
    switch result {
    case .success: #expect(accepted)
    case .failure(let error):
      #expect(!accepted)
      #expect(error.field == "reason")
    }
  }

  @Test("Corrupt stored minutes are reported, not trapped on")
  func corruptTarget() {
    for target in [
      CorrectionTarget(status: .approved, minutes: -5),
      CorrectionTarget(status: .approved, minutes: 60, netMinutes: Int.min),
      CorrectionTarget(status: .approved, minutes: Int.max),
    ] {
      let result = correct(.reversal, target)
      guard case .failure(let error) = result else {
        Issue.record("expected \(target) to be refused")
        continue
      }
      #expect(error.field == "record_id")
    }
  }

  @Test("Credits stay equal to the credit of the net minutes under exact-minutes rounding")
  func exactMinutesCredits() throws {
    let exact = try LedgerPolicy(rounding: .exactMinutes)
    let corrected = try correct(
      .adjustment(deltaMinutes: -17), CorrectionTarget(status: .approved, minutes: 140),
      policy: exact
    ).get()
    #expect(corrected.creditedMinutesDelta == -17)
  }

  @Test("Removal is still possible above a since-tightened maximum")
  func tightenedPolicy() throws {
    let tight = try LedgerPolicy(maxRecordMinutes: 600)
    let corrected = try correct(
      .adjustment(deltaMinutes: -60), CorrectionTarget(status: .approved, minutes: 900),
      policy: tight
    ).get()
    #expect(corrected.correctedTotalMinutes == 840)
    let addition = correct(
      .adjustment(deltaMinutes: 1), CorrectionTarget(status: .approved, minutes: 600),
      policy: tight)
    #expect(throws: IdentityValidationError.self) { try addition.get() }
  }
}
