import Foundation

/// Where an activity stands: DOMAIN `draft` → `published` → `closed`.
///
/// The raw values are the stable spellings used in storage and exports.
public enum ActivityStatus: String, Hashable, Sendable, Codable, CaseIterable {
  /// Being prepared; not visible to volunteers and no hours can be logged.
  case draft
  /// Open: volunteers serve and hours are logged.
  case published
  /// Finished: hours can still be logged (late entries), but the activity no longer changes.
  case closed

  /// Whether hours can be logged against the activity (DOMAIN: "against a published or
  /// closed activity").
  public var acceptsHours: Bool { self != .draft }

  /// Checks a status change and returns the new status.
  ///
  /// Only `draft → published` and `published → closed` exist: a published activity may
  /// already carry hours, so it cannot return to draft, and a closed one is final. Moving to
  /// the current status is allowed and changes nothing, so a retried publish or close (the
  /// reply lost on the way) answers like the first one did.
  ///
  /// - Throws: ``IdentityValidationError`` on `status` with the allowed moves.
  @discardableResult
  public func transition(to next: ActivityStatus) throws(IdentityValidationError)
    -> ActivityStatus
  {
    switch (self, next) {
    case (.draft, .published), (.published, .closed), (.draft, .draft), (.published, .published),
      (.closed, .closed):
      return next
    case (.draft, .closed):
      throw IdentityValidationError(
        field: LedgerField.status,
        reason: "a draft activity cannot be closed directly; publish it first "
          + "(draft → published → closed)")
    case (.published, .draft):
      throw IdentityValidationError(
        field: LedgerField.status,
        reason: "a published activity cannot go back to draft, because hours may already "
          + "have been logged against it; close it instead")
    case (.closed, _):
      throw IdentityValidationError(
        field: LedgerField.status,
        reason: "a closed activity is final and cannot become \(next.rawValue)")
    }
  }
}

/// The ten DOMAIN activity categories; raw values are the kebab-case spellings used on the
/// wire, in storage and in exports.
public enum ActivityCategory: String, Hashable, Sendable, Codable, CaseIterable {
  /// Community service.
  case communityService = "community-service"
  /// Elderly care.
  case elderlyCare = "elderly-care"
  /// Education.
  case education
  /// Environment.
  case environment
  /// Emergency relief.
  case emergencyRelief = "emergency-relief"
  /// Large events.
  case largeEvents = "large-events"
  /// Culture.
  case culture
  /// Health.
  case health
  /// Poverty relief.
  case povertyRelief = "poverty-relief"
  /// Anything else.
  case other

  /// Parses the kebab-case spelling, exactly (no case folding, no spaces), so storage and the
  /// wire stay byte-identical.
  ///
  /// - Throws: ``IdentityValidationError`` on `category` listing every accepted spelling.
  public init(validating raw: String) throws(IdentityValidationError) {
    guard let category = ActivityCategory(rawValue: raw) else {
      let accepted = ActivityCategory.allCases.map(\.rawValue).joined(separator: ", ")
      throw IdentityValidationError(
        field: "category", reason: "\"\(raw)\" is not a category; expected one of \(accepted)")
    }
    self = category
  }
}

/// When an activity runs, as the half-open interval `[start, end)`.
public struct ActivityWindow: Hashable, Sendable, Codable {
  /// When the activity starts.
  public let start: Date
  /// When the activity ends.
  public let end: Date

  /// Describes the window of a stored activity; new activities are checked by
  /// ``ActivityDraft/validated(title:category:regionCode:start:end:plannedMinutes:policy:validateRegionCode:)``.
  public init(start: Date, end: Date) {
    self.start = start
    self.end = end
  }

  /// The number of local calendar days in `timeZone` the window touches, at least 1.
  ///
  /// An end exactly at local midnight does not touch the next day (the window is
  /// half-open), so 09:00–24:00 is one day and 20:00–02:00 the next morning is two.
  public func calendarDays(in timeZone: TimeZone) -> Int {
    guard LedgerTime.isFinite(start), LedgerTime.isFinite(end), start < end else { return 1 }
    let first = LedgerDays.localDay(of: start, in: timeZone)
    let last = LedgerDays.localDay(ofLastInstantBefore: end, in: timeZone)
    return max(1, LedgerDays.dayNumber(of: last) - LedgerDays.dayNumber(of: first) + 1)
  }
}

/// A checked new activity: the fields DOMAIN lists for an activity that the ledger rules
/// depend on. Values only come out of
/// ``validated(title:category:regionCode:start:end:plannedMinutes:policy:validateRegionCode:)``.
public struct ActivityDraft: Hashable, Sendable {
  /// The title, surrounding whitespace trimmed, 1–100 characters.
  public let title: String
  /// The category.
  public let category: ActivityCategory
  /// The GB/T 2260 region code of the place, as accepted by the region-code check.
  public let regionCode: String
  /// When the activity runs.
  public let window: ActivityWindow
  /// Planned service minutes per volunteer.
  public let plannedMinutes: Int

  /// The allowed title length in characters (grapheme clusters, so 100 Chinese characters
  /// fit).
  public static let titleLength = 1...100

  /// Checks a new activity as received from a partner or admin.
  ///
  /// - Parameters:
  ///   - validateRegionCode: the region-code rule; by default six ASCII digits. The service
  ///     passes the organisation tree's stricter GB/T 2260 check so both stay one rule.
  ///   - policy: supplies the time zone that defines the window's calendar days.
  /// - Throws: ``IdentityValidationError`` on `title`, `region_code`, `start_time`,
  ///   `end_time` or `planned_minutes`. Planned minutes must be 1...(24 × 60 × calendar days
  ///   the window touches), since no volunteer can serve more than the window's days hold.
  public static func validated(
    title: String,
    category: ActivityCategory,
    regionCode: String,
    start: Date,
    end: Date,
    plannedMinutes: Int,
    policy: LedgerPolicy = .national,
    validateRegionCode: (String) throws(IdentityValidationError) -> Void =
      ActivityDraft.checkSixDigitRegionCode
  ) throws(IdentityValidationError) -> ActivityDraft {
    let trimmedTitle = try LedgerText.trimmed(
      title, field: LedgerField.title, allowed: titleLength, what: "an activity title")
    try validateRegionCode(regionCode)
    guard LedgerTime.isFinite(start) else {
      throw IdentityValidationError(
        field: LedgerField.startTime, reason: "is not a valid timestamp")
    }
    guard LedgerTime.isFinite(end) else {
      throw IdentityValidationError(field: LedgerField.endTime, reason: "is not a valid timestamp")
    }
    let zone = policy.timeZone
    guard start < end else {
      throw IdentityValidationError(
        field: LedgerField.endTime,
        reason: "is \(LedgerFormat.timestamp(end, in: zone)), not after start_time "
          + "\(LedgerFormat.timestamp(start, in: zone)); an activity ends after it starts")
    }
    let window = ActivityWindow(start: start, end: end)
    let days = window.calendarDays(in: zone)
    let maximum = 24 * 60 * days
    guard (1...maximum).contains(plannedMinutes) else {
      throw IdentityValidationError(
        field: LedgerField.plannedMinutes,
        reason: "is \(plannedMinutes); planned minutes per volunteer are 1 to \(maximum) for "
          + "an activity spanning \(days) calendar day\(days == 1 ? "" : "s") "
          + "(24 h a day)")
    }
    return ActivityDraft(
      title: trimmedTitle, category: category, regionCode: regionCode, window: window,
      plannedMinutes: plannedMinutes)
  }

  /// The default region-code rule: exactly six ASCII digits (GB/T 2260 codes change over the
  /// years, so a well-formed unknown code is accepted).
  ///
  /// - Throws: ``IdentityValidationError`` on `region_code`.
  public static func checkSixDigitRegionCode(_ code: String) throws(IdentityValidationError) {
    guard code.utf8.count == 6, code.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
      throw IdentityValidationError(
        field: LedgerField.regionCode,
        reason: "a region code is 6 ASCII digits (GB/T 2260: 2 province, 2 city, 2 county), "
          + "got \"\(code)\"")
    }
  }
}
