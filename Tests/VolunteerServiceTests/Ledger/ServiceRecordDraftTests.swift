import Foundation
import Testing

@testable import VolunteerService

@Suite("Service record draft")
struct ServiceRecordDraftTests {
  /// A published activity on Monday 2026-03-02, 09:00–17:00 Beijing time.
  static let windowStart = "2026-03-02 09:00"
  static let windowEnd = "2026-03-02 17:00"

  func validate(
    _ start: String, _ end: String, now: String = "2026-03-02 18:00",
    status: ActivityStatus = .published,
    window: (String, String) = (windowStart, windowEnd),
    policy: LedgerPolicy = .national
  ) throws -> Result<ServiceRecordDraft, IdentityValidationError> {
    let startDate = try LedgerFixture.beijing(start)
    let endDate = try LedgerFixture.beijing(end)
    return try validate(
      startDate, endDate, now: now, status: status, window: window, policy: policy)
  }

  func validate(
    _ start: Date, _ end: Date, now: String = "2026-03-02 18:00",
    status: ActivityStatus = .published,
    window: (String, String) = (windowStart, windowEnd),
    policy: LedgerPolicy = .national
  ) throws -> Result<ServiceRecordDraft, IdentityValidationError> {
    let nowDate = try LedgerFixture.beijing(now)
    let activityWindow = ActivityWindow(
      start: try LedgerFixture.beijing(window.0), end: try LedgerFixture.beijing(window.1))
    return Result { () throws(IdentityValidationError) in
      try ServiceRecordDraft.validated(
        start: start, end: end, now: nowDate, activityStatus: status,
        activityWindow: activityWindow, policy: policy)
    }
  }

  func expectRefusal(
    _ result: Result<ServiceRecordDraft, IdentityValidationError>, field: String,
    containing text: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    switch result {
    case .success(let draft):
      Issue.record("expected a refusal on \(field), got \(draft)", sourceLocation: sourceLocation)
    case .failure(let error):
      #expect(error.field == field, sourceLocation: sourceLocation)
      if let text {
        #expect(
          error.reason.contains(text), "\(error.reason)", sourceLocation: sourceLocation)
      }
    }
  }

  @Test("DOMAIN: 2 h 20 min keeps 140 raw minutes and credits 2.5 h")
  func domainExample() throws {
    let draft = try validate("2026-03-02 09:00", "2026-03-02 11:20").get()
    #expect(draft.minutes == 140)
    #expect(draft.creditedHalfHours == 5)
    #expect(draft.creditedMinutes == 150)
    #expect(!draft.isLate)
    #expect(draft.span == (try LedgerFixture.span("2026-03-02 09:00", "2026-03-02 11:20")))
  }

  @Test("Under exact-minutes rounding the credit is the raw minutes")
  func exactMinutesPolicy() throws {
    let policy = try LedgerPolicy(rounding: .exactMinutes)
    let draft = try validate("2026-03-02 09:00", "2026-03-02 11:20", policy: policy).get()
    #expect(draft.minutes == 140)
    #expect(draft.creditedMinutes == 140)
  }

  @Test("Seconds are dropped, never rounded up")
  func secondsRoundDown() throws {
    let draft = try validate("2026-03-02 09:00:00", "2026-03-02 11:20:59").get()
    #expect(draft.minutes == 140)
    let short = try validate("2026-03-02 09:00:00", "2026-03-02 09:00:59").get()
    #expect(short.minutes == 0)
    #expect(short.creditedHalfHours == 0)
  }

  @Test("Sub-second timestamps do not lose a minute to floating point")
  func fractionalSeconds() throws {
    for fraction in [0.1, 0.3, 0.7, 0.999] {
      let start = try LedgerFixture.beijing("2026-03-02 09:00").addingTimeInterval(fraction)
      let end = try LedgerFixture.beijing("2026-03-02 11:20").addingTimeInterval(fraction)
      #expect(try validate(start, end).get().minutes == 140, "fraction \(fraction)")
    }
  }

  @Test("Start must be before end", arguments: ["2026-03-02 10:00", "2026-03-02 09:59"])
  func startBeforeEnd(end: String) throws {
    expectRefusal(
      try validate("2026-03-02 10:00", end), field: "end_time", containing: "not after start_time")
  }

  @Test("Non-finite times are refused, not trapped on")
  func nonFinite() throws {
    let end = try LedgerFixture.beijing("2026-03-02 10:00")
    expectRefusal(
      try validate(Date(timeIntervalSinceReferenceDate: .nan), end), field: "start_time")
    expectRefusal(
      try validate(end, Date(timeIntervalSinceReferenceDate: .infinity)), field: "end_time")
  }

  @Test(
    "The end may be at most the allowed clock skew (5 min) in the future",
    arguments: [
      ("2026-03-02 17:00:00", true), ("2026-03-02 17:05:00", true),
      ("2026-03-02 17:05:01", false), ("2026-03-02 17:20:00", false),
    ])
  func futureEnd(end: String, accepted: Bool) throws {
    let result = try validate("2026-03-02 16:00", end, now: "2026-03-02 17:00")
    if accepted {
      #expect(throws: Never.self) { try result.get() }
    } else {
      expectRefusal(result, field: "end_time", containing: "is in the future")
    }
  }

  @Test(
    "One record covers at most 24 hours",
    arguments: [
      ("2026-03-02 06:00:00", true), ("2026-03-02 06:00:01", false),
      ("2026-03-02 06:01:00", false),
    ])
  func maximumDuration(end: String, accepted: Bool) throws {
    let result = try validate(
      "2026-03-01 06:00", end, now: "2026-03-05 12:00",
      window: ("2026-03-01 00:00", "2026-03-03 00:00"))
    switch result {
    case .success(let draft):
      #expect(accepted)
      #expect(draft.minutes == 1440)
      #expect(draft.creditedHalfHours == 48)
    case .failure(let error):
      #expect(!accepted)
      #expect(error.field == "end_time")
      #expect(error.reason.contains("at most 24 h"))
    }
  }

  @Test(
    "Hours are only logged against published or closed activities",
    arguments: [(ActivityStatus.draft, false), (.published, true), (.closed, true)])
  func activityStatus(status: ActivityStatus, accepted: Bool) throws {
    let result = try validate("2026-03-02 09:00", "2026-03-02 10:00", status: status)
    if accepted {
      #expect(try result.get().minutes == 60)
    } else {
      expectRefusal(
        result, field: "activity_id",
        containing: "hours can only be logged against a published or closed activity")
    }
  }

  @Test(
    "Records may reach 30 minutes beyond the activity window, edges included",
    arguments: [
      ("2026-03-02 08:30:00", "2026-03-02 10:00", nil),
      ("2026-03-02 08:29:59", "2026-03-02 10:00", "start_time"),
      ("2026-03-02 08:00:00", "2026-03-02 10:00", "start_time"),
      ("2026-03-02 16:00:00", "2026-03-02 17:30:00", nil),
      ("2026-03-02 16:00:00", "2026-03-02 17:30:01", "end_time"),
      ("2026-03-02 16:00:00", "2026-03-02 17:31:00", "end_time"),
      ("2026-03-02 08:30:00", "2026-03-02 17:30:00", nil),
    ] as [(String, String, String?)])
  func windowTolerance(start: String, end: String, field: String?) throws {
    let result = try validate(start, end)
    if let field {
      expectRefusal(result, field: field, containing: "activity window")
    } else {
      #expect(throws: Never.self) { try result.get() }
    }
  }

  @Test("A zero tolerance policy holds records to the window itself")
  func zeroTolerance() throws {
    let policy = try LedgerPolicy(activityWindowToleranceMinutes: 0)
    #expect(throws: Never.self) {
      try validate("2026-03-02 09:00", "2026-03-02 17:00", policy: policy).get()
    }
    expectRefusal(
      try validate("2026-03-02 08:59", "2026-03-02 17:00", policy: policy), field: "start_time")
  }

  @Test(
    "Submissions more than 10 working days after the activity are flagged late",
    arguments: [
      // The activity ends Monday 2026-03-02; Monday 2026-03-16 is the 10th working day.
      ("2026-03-02 18:00", false), ("2026-03-13 12:00", false), ("2026-03-16 23:59", false),
      ("2026-03-17 00:00", true), ("2026-04-30 09:00", true),
    ])
  func lateFlag(now: String, late: Bool) throws {
    let draft = try validate("2026-03-02 09:00", "2026-03-02 11:00", now: now).get()
    #expect(draft.isLate == late)
    #expect(draft.minutes == 120)
  }
}
