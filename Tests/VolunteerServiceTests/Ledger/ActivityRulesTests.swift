import Foundation
import Testing

@testable import VolunteerService

@Suite("Activity rules")
struct ActivityRulesTests {
  // MARK: Status

  @Test(
    "Only draft → published and published → closed move; staying put is a no-op",
    arguments: ActivityStatus.allCases, ActivityStatus.allCases)
  func statusTransitions(from: ActivityStatus, to: ActivityStatus) throws {
    let allowed =
      (from == .draft && to == .published) || (from == .published && to == .closed) || from == to
    if allowed {
      #expect(try from.transition(to: to) == to)
    } else {
      let error = LedgerFixture.refusal { () throws(IdentityValidationError) in
        try from.transition(to: to)
      }
      #expect(error?.field == "status")
      #expect(error?.reason.isEmpty == false)
    }
  }

  @Test("Refusals explain the lifecycle")
  func statusReasons() {
    let draftToClosed = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try ActivityStatus.draft.transition(to: .closed)
    }
    #expect(draftToClosed?.reason.contains("publish it first") == true)
    let backToDraft = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try ActivityStatus.published.transition(to: .draft)
    }
    #expect(backToDraft?.reason.contains("cannot go back to draft") == true)
    let reopen = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try ActivityStatus.closed.transition(to: .published)
    }
    #expect(reopen?.reason.contains("closed activity is final") == true)
  }

  @Test(
    "Hours are logged against published or closed activities only",
    arguments: [(ActivityStatus.draft, false), (.published, true), (.closed, true)])
  func acceptsHours(status: ActivityStatus, accepts: Bool) {
    #expect(status.acceptsHours == accepts)
  }

  // MARK: Category

  @Test("The ten DOMAIN categories with kebab-case spellings")
  func categories() throws {
    #expect(
      ActivityCategory.allCases.map(\.rawValue) == [
        "community-service", "elderly-care", "education", "environment", "emergency-relief",
        "large-events", "culture", "health", "poverty-relief", "other",
      ])
    #expect(try ActivityCategory(validating: "elderly-care") == .elderlyCare)
    let data = try JSONEncoder().encode([ActivityCategory.povertyRelief])
    #expect(String(decoding: data, as: UTF8.self) == #"["poverty-relief"]"#)
  }

  @Test(
    "Unknown or differently spelled categories are refused",
    arguments: ["", "Elderly-Care", "elderly_care", "elderlyCare", " other", "sports"])
  func unknownCategory(raw: String) {
    let error = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try ActivityCategory(validating: raw)
    }
    #expect(error?.field == "category")
    #expect(error?.reason.contains("community-service") == true)
  }

  // MARK: Draft validation

  func draft(
    title: String = "Riverside clean-up", regionCode: String = "110105",
    start: String = "2026-03-01 09:00", end: String = "2026-03-01 17:00",
    plannedMinutes: Int = 240
  ) throws -> Result<ActivityDraft, IdentityValidationError> {
    let startDate = try LedgerFixture.beijing(start)
    let endDate = try LedgerFixture.beijing(end)
    return Result { () throws(IdentityValidationError) in
      try ActivityDraft.validated(
        title: title, category: .environment, regionCode: regionCode, start: startDate,
        end: endDate, plannedMinutes: plannedMinutes)
    }
  }

  @Test("A well-formed draft is accepted with a trimmed title")
  func validDraft() throws {
    let activity = try draft(title: "  Riverside clean-up \n").get()
    #expect(activity.title == "Riverside clean-up")
    #expect(activity.category == .environment)
    #expect(activity.regionCode == "110105")
    #expect(activity.plannedMinutes == 240)
    #expect(activity.window.start == (try LedgerFixture.beijing("2026-03-01 09:00")))
  }

  @Test(
    "Title is 1–100 characters after trimming",
    arguments: [
      (String(repeating: "a", count: 1), true), (String(repeating: "a", count: 100), true),
      (String(repeating: "志", count: 100), true), (String(repeating: "a", count: 101), false),
      (String(repeating: "志", count: 101), false), ("", false), ("   \n\t", false),
    ])
  func titleLength(title: String, accepted: Bool) throws {
    let result = try draft(title: title)
    switch result {
    case .success: #expect(accepted)
    case .failure(let error):
      #expect(!accepted)
      #expect(error.field == "title")
    }
  }

  @Test("Start must be before end", arguments: ["2026-03-01 09:00", "2026-03-01 08:59"])
  func startBeforeEnd(end: String) throws {
    let result = try draft(start: "2026-03-01 09:00", end: end)
    guard case .failure(let error) = result else {
      Issue.record("expected an end at or before the start to be refused")
      return
    }
    #expect(error.field == "end_time")
    #expect(error.reason.contains("not after start_time 2026-03-01T09:00:00+08:00"))
  }

  @Test(
    "Planned minutes are 1…24 h × the calendar days the window touches",
    arguments: [
      ("2026-03-01 09:00", "2026-03-01 17:00", 1, true),
      ("2026-03-01 09:00", "2026-03-01 17:00", 0, false),
      ("2026-03-01 09:00", "2026-03-01 17:00", -30, false),
      ("2026-03-01 09:00", "2026-03-01 17:00", 1440, true),
      ("2026-03-01 09:00", "2026-03-01 17:00", 1441, false),
      // Ending exactly at midnight stays one day (the window is half-open).
      ("2026-03-01 09:00", "2026-03-02 00:00", 1441, false),
      // Crossing midnight touches two days.
      ("2026-03-01 20:00", "2026-03-02 02:00", 2880, true),
      ("2026-03-01 20:00", "2026-03-02 02:00", 2881, false),
      ("2026-03-01 09:00", "2026-03-03 17:00", 4320, true),
      ("2026-03-01 09:00", "2026-03-03 17:00", 4321, false),
    ])
  func plannedMinutes(start: String, end: String, planned: Int, accepted: Bool) throws {
    let result = try draft(start: start, end: end, plannedMinutes: planned)
    switch result {
    case .success(let activity): #expect(accepted && activity.plannedMinutes == planned)
    case .failure(let error):
      #expect(!accepted)
      #expect(error.field == "planned_minutes")
    }
  }

  @Test("Calendar days follow the policy zone, not UTC")
  func calendarDaysInZone() throws {
    // 06:00–10:00 Beijing is 22:00–02:00 UTC: one day in Beijing, two in UTC.
    let window = ActivityWindow(
      start: try LedgerFixture.beijing("2026-03-02 06:00"),
      end: try LedgerFixture.beijing("2026-03-02 10:00"))
    #expect(window.calendarDays(in: LedgerPolicy.national.timeZone) == 1)
    #expect(window.calendarDays(in: try #require(TimeZone(secondsFromGMT: 0))) == 2)
  }

  @Test(
    "Region codes must be six ASCII digits by default",
    arguments: ["11010", "1101055", "11010a", "１１０１０５", "", "110 05"])
  func badRegionCode(code: String) throws {
    let result = try draft(regionCode: code)
    guard case .failure(let error) = result else {
      Issue.record("expected \(code) to be refused")
      return
    }
    #expect(error.field == "region_code")
  }

  @Test("A caller-supplied region-code rule replaces the default")
  func customRegionRule() throws {
    let start = try LedgerFixture.beijing("2026-03-01 09:00")
    let end = try LedgerFixture.beijing("2026-03-01 10:00")
    let error = LedgerFixture.refusal { () throws(IdentityValidationError) in
      try ActivityDraft.validated(
        title: "t", category: .other, regionCode: "990000", start: start, end: end,
        plannedMinutes: 60,
        validateRegionCode: { (code: String) throws(IdentityValidationError) in
          if code.hasPrefix("99") {
            throw IdentityValidationError(field: "region_code", reason: "no province 99")
          }
        })
    }
    #expect(error == IdentityValidationError(field: "region_code", reason: "no province 99"))
  }
}
