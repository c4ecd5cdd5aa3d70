import Foundation
import Testing

@testable import VolunteerService

@Suite("Record spans and overlap")
struct RecordSpanTests {
  @Test(
    "Half-open overlap",
    arguments: [
      // Touching spans do not overlap, in either order.
      ("10:00", "12:00", "12:00", "14:00", false),
      ("12:00", "14:00", "10:00", "12:00", false),
      // One minute of shared time does.
      ("10:00", "12:01", "12:00", "14:00", true),
      ("10:00", "12:00", "11:59", "14:00", true),
      // Containment and identity.
      ("10:00", "14:00", "11:00", "12:00", true),
      ("11:00", "12:00", "10:00", "14:00", true),
      ("10:00", "12:00", "10:00", "12:00", true),
      // Same start.
      ("10:00", "11:00", "10:00", "12:00", true),
      // Disjoint.
      ("08:00", "09:00", "10:00", "12:00", false),
      // Empty spans overlap nothing, not even a span containing them.
      ("11:00", "11:00", "10:00", "12:00", false),
      ("11:00", "10:30", "10:00", "12:00", false),
    ])
  func overlap(aStart: String, aEnd: String, bStart: String, bEnd: String, expected: Bool)
    throws
  {
    let a = try LedgerFixture.span("2026-03-02 \(aStart)", "2026-03-02 \(aEnd)")
    let b = try LedgerFixture.span("2026-03-02 \(bStart)", "2026-03-02 \(bEnd)")
    #expect(a.overlaps(b) == expected)
    #expect(b.overlaps(a) == expected)
  }

  @Test("Touching by one second does not overlap; sharing one second does")
  func secondPrecision() throws {
    let a = try LedgerFixture.span("2026-03-02 10:00:00", "2026-03-02 12:00:00")
    #expect(!a.overlaps(try LedgerFixture.span("2026-03-02 12:00:00", "2026-03-02 13:00")))
    #expect(a.overlaps(try LedgerFixture.span("2026-03-02 11:59:59", "2026-03-02 13:00")))
  }

  @Test("Spans across midnight overlap the next morning")
  func acrossMidnight() throws {
    let night = try LedgerFixture.span("2026-03-01 22:00", "2026-03-02 02:00")
    #expect(night.overlaps(try LedgerFixture.span("2026-03-02 01:00", "2026-03-02 03:00")))
    #expect(!night.overlaps(try LedgerFixture.span("2026-03-02 02:00", "2026-03-02 03:00")))
  }

  @Test("Minutes and emptiness")
  func minutes() throws {
    #expect(try LedgerFixture.span("2026-03-02 09:00", "2026-03-02 11:20").minutes == 140)
    let empty = try LedgerFixture.span("2026-03-02 09:00", "2026-03-02 09:00")
    #expect(empty.isEmpty)
    #expect(empty.minutes == 0)
    let inverted = try LedgerFixture.span("2026-03-02 10:00", "2026-03-02 09:00")
    #expect(inverted.isEmpty)
    #expect(inverted.minutes == 0)
    let nan = RecordSpan(start: Date(timeIntervalSinceReferenceDate: .nan), end: Date())
    #expect(nan.isEmpty)
    #expect(!nan.overlaps(RecordSpan(start: .distantPast, end: .distantFuture)))
  }

  @Test("Whole minutes survive floating-point error across a binary exponent boundary")
  func floatingPointMinutes() {
    // 2^29 s after 2001-01-01 (January 2018): the two instants have different precision, so
    // 09:00:00.3 to 11:20:00.3 subtracts to 8399.99999994 s without the millisecond rounding.
    let boundary = 536_870_912.0
    let span = RecordSpan(
      start: Date(timeIntervalSinceReferenceDate: boundary - 4000 + 0.3),
      end: Date(timeIntervalSinceReferenceDate: boundary + 4400 + 0.3))
    #expect(span.minutes == 140)
    #expect(
      DailyMinutes.split(span, timeZone: LedgerPolicy.national.timeZone).map(\.minutes)
        == [140])
  }

  @Test("The earliest conflicting span is returned, whatever the input order")
  func firstConflictingSpan() throws {
    let new = try LedgerFixture.span("2026-03-02 10:00", "2026-03-02 16:00")
    let late = try LedgerFixture.span("2026-03-02 15:00", "2026-03-02 17:00")
    let early = try LedgerFixture.span("2026-03-02 09:00", "2026-03-02 10:30")
    let touching = try LedgerFixture.span("2026-03-02 08:00", "2026-03-02 10:00")
    let elsewhere = try LedgerFixture.span("2026-03-03 10:00", "2026-03-03 16:00")
    #expect(RecordOverlap.firstConflict(of: new, among: [late, touching, early]) == early)
    #expect(RecordOverlap.firstConflict(of: new, among: [early, late]) == early)
    #expect(RecordOverlap.firstConflict(of: new, among: [touching, elsewhere]) == nil)
    #expect(RecordOverlap.firstConflict(of: new, among: [RecordSpan]()) == nil)
  }

  @Test("Pending and approved records block; rejected ones free the slot")
  func statusAware() throws {
    let new = try LedgerFixture.span("2026-03-02 10:00", "2026-03-02 12:00")
    let same = try LedgerFixture.span("2026-03-02 10:00", "2026-03-02 12:00")
    let rejected = ExistingRecordSpan(recordID: "R1", status: .rejected, span: same)
    #expect(RecordOverlap.firstConflict(of: new, among: [rejected]) == nil)
    for status in [RecordStatus.pending, .approved] {
      let blocking = ExistingRecordSpan(recordID: "R2", status: status, span: same)
      #expect(RecordOverlap.firstConflict(of: new, among: [rejected, blocking]) == blocking)
    }
  }

  @Test("Among several blocking records the earliest is named, ties by input order")
  func statusAwareOrdering() throws {
    let new = try LedgerFixture.span("2026-03-02 10:00", "2026-03-02 16:00")
    let a = ExistingRecordSpan(
      recordID: "A", status: .approved,
      span: try LedgerFixture.span("2026-03-02 14:00", "2026-03-02 15:00"))
    let b = ExistingRecordSpan(
      recordID: "B", status: .pending,
      span: try LedgerFixture.span("2026-03-02 11:00", "2026-03-02 12:00"))
    let c = ExistingRecordSpan(recordID: "C", status: .approved, span: b.span)
    let early = ExistingRecordSpan(
      recordID: "D", status: .rejected,
      span: try LedgerFixture.span("2026-03-02 09:00", "2026-03-02 11:00"))
    #expect(RecordOverlap.firstConflict(of: new, among: [a, early, b, c])?.recordID == "B")
    #expect(RecordOverlap.firstConflict(of: new, among: [c, b])?.recordID == "C")
  }

  @Test("The overlap error names the other record and its times in Beijing time")
  func conflictError() throws {
    let new = try LedgerFixture.span("2026-03-02 10:00", "2026-03-02 12:00")
    let other = ExistingRecordSpan(
      recordID: "R42", status: .pending,
      span: try LedgerFixture.span("2026-03-02 11:00", "2026-03-02 13:00"))
    let zone = LedgerPolicy.national.timeZone
    let error = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try RecordOverlap.checkNoConflict(of: new, among: [other], timeZone: zone)
    }
    #expect(error?.field == "start_time")
    #expect(
      error?.reason.contains(
        "record R42 (2026-03-02T11:00:00+08:00 to 2026-03-02T13:00:00+08:00, pending)") == true)
    #expect(throws: Never.self) {
      try RecordOverlap.checkNoConflict(
        of: new,
        among: [ExistingRecordSpan(recordID: "R42", status: .rejected, span: other.span)],
        timeZone: zone)
    }
  }
}
