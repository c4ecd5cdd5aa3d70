import Foundation

/// A record's minutes that fall on one local calendar day.
public struct DayMinutes: Hashable, Sendable {
  /// The local calendar day in the policy time zone.
  public let day: CalendarDate
  /// Whole minutes of the record on that day.
  public let minutes: Int

  /// Creates a day's share.
  public init(day: CalendarDate, minutes: Int) {
    self.day = day
    self.minutes = minutes
  }
}

/// Splitting a record's minutes by local calendar day, since the daily cap and per-day
/// statistics count days in the policy time zone and a night shift crosses midnight.
public enum DailyMinutes {
  /// The span's whole minutes on each local day it touches, in day order; days that receive
  /// no whole minute are left out.
  ///
  /// The shares always add up to ``RecordSpan/minutes``: each day receives the whole minutes
  /// elapsed since the span's start at the end of its share, less those already given, so a
  /// seconds remainder is never counted twice or lost. Day boundaries come from the calendar,
  /// so a daylight-saving day of 23 or 25 hours splits correctly in zones that have one
  /// (Asia/Shanghai has none).
  public static func split(_ span: RecordSpan, timeZone: TimeZone) -> [DayMinutes] {
    shares(of: span, in: timeZone).map { DayMinutes(day: $0.day, minutes: $0.minutes) }
  }

  /// A day's share together with the length of that local day, which the cap needs to tell an
  /// impossible total from one an override could approve.
  struct Share {
    var day: CalendarDate
    var minutes: Int
    var dayLengthMinutes: Int
  }

  static func shares(of span: RecordSpan, in timeZone: TimeZone) -> [Share] {
    guard !span.isEmpty else { return [] }
    var shares: [Share] = []
    var cursor = span.start
    var minutesGiven = 0
    while cursor < span.end {
      let day = LedgerDays.localDay(of: cursor, in: timeZone)
      let nextDay = LedgerDays.date(fromDayNumber: LedgerDays.dayNumber(of: day) + 1)
      let dayStart = LedgerDays.startOfLocalDay(day, in: timeZone)
      var shareEnd = span.end
      var dayLength = 24 * 60
      // Only move to the next day when it really starts later; otherwise (calendar limits)
      // the rest of the span stays on this day, which also guarantees the loop ends.
      if let nextStart = LedgerDays.startOfLocalDay(nextDay, in: timeZone), nextStart > cursor {
        shareEnd = min(nextStart, span.end)
        if let dayStart, let length = LedgerTime.wholeMinutes(from: dayStart, to: nextStart) {
          dayLength = length
        }
      }
      let elapsed = LedgerTime.wholeMinutes(from: span.start, to: shareEnd) ?? minutesGiven
      let minutes = elapsed - minutesGiven
      if minutes > 0 {
        shares.append(Share(day: day, minutes: minutes, dayLengthMinutes: dayLength))
      }
      minutesGiven = elapsed
      cursor = shareEnd
    }
    return shares
  }
}

/// Who has overridden the daily cap for an approval, from weakest to strongest.
public enum CapOverride: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
  /// No override: up to the normal daily cap (8 h).
  case none
  /// The verifying organisation has explicitly approved more than the normal cap, up to the
  /// hard cap (12 h).
  case verifyingOrganisation = "verifying-organisation"
  /// A province-level organisation has approved more than the hard cap.
  case provinceLevel = "province-level"

  /// Orders overrides by authority, so "at least the verifying organisation" is `>=`.
  public static func < (lhs: CapOverride, rhs: CapOverride) -> Bool {
    lhs.rank < rhs.rank
  }

  private var rank: Int {
    switch self {
    case .none: return 0
    case .verifyingOrganisation: return 1
    case .provinceLevel: return 2
    }
  }
}

/// The daily-cap outcome for approving one record *(policy)*.
///
/// DOMAIN: up to 8 hours a day approve normally; more than 8 needs an explicit override by
/// the verifying organisation; more than 12 is refused unless a province-level organisation
/// overrides.
public enum DailyCapDecision: Hashable, Sendable {
  /// Every day the record touches stays within what the given override allows.
  case allowed
  /// `day` would total `totalMinutes`, which needs at least the named override:
  /// ``CapOverride/verifyingOrganisation`` above the normal cap, ``CapOverride/provinceLevel``
  /// above the hard cap.
  case needsOverride(CapOverride, day: CalendarDate, totalMinutes: Int)
  /// `day` would total more minutes than the day has (24 h, or 23/25 h on a daylight-saving
  /// day), which no override can approve: the day's records need checking.
  case refused(day: CalendarDate, totalMinutes: Int)

  /// Decides whether a record covering `span` can be approved under `override`.
  ///
  /// - Parameters:
  ///   - approvedMinutesByDay: the volunteer's already-approved minutes per local day in the
  ///     policy time zone, without this record.
  ///   - span: the record being approved; a span crossing midnight counts on each day.
  /// - Returns: the most serious outcome over the days the record touches (refused, then a
  ///   province-level override, then a verifying-organisation override), naming the earliest
  ///   such day and its total so the message can point at it.
  public static func decide(
    approvedMinutesByDay: [CalendarDate: Int],
    span: RecordSpan,
    override: CapOverride,
    policy: LedgerPolicy
  ) -> DailyCapDecision {
    var worst = DailyCapDecision.allowed
    for share in DailyMinutes.shares(of: span, in: policy.timeZone) {
      let (sum, overflow) = (approvedMinutesByDay[share.day] ?? 0).addingReportingOverflow(
        share.minutes)
      let total = overflow ? Int.max : sum
      let outcome: DailyCapDecision
      if total > share.dayLengthMinutes {
        outcome = .refused(day: share.day, totalMinutes: total)
      } else if total > policy.dailyHardCapMinutes {
        outcome =
          override >= .provinceLevel
          ? .allowed : .needsOverride(.provinceLevel, day: share.day, totalMinutes: total)
      } else if total > policy.dailyNormalCapMinutes {
        outcome =
          override >= .verifyingOrganisation
          ? .allowed
          : .needsOverride(.verifyingOrganisation, day: share.day, totalMinutes: total)
      } else {
        outcome = .allowed
      }
      // Strictly worse only, so among equally serious days the earliest is named.
      if outcome.severity > worst.severity { worst = outcome }
    }
    return worst
  }

  /// Whether the record may be approved as it stands.
  public var isAllowed: Bool { self == .allowed }

  /// What to tell the reviewer, e.g. "2026-03-01 would total 9.5 h; more than 8 h a day needs
  /// an override by the verifying organisation"; `nil` when allowed.
  public func message(policy: LedgerPolicy) -> String? {
    switch self {
    case .allowed:
      return nil
    case .needsOverride(let level, let day, let total):
      let prefix = "\(day) would total \(LedgerFormat.hours(minutes: total)); "
      switch level {
      case .none, .verifyingOrganisation:
        return prefix
          + "more than \(LedgerFormat.hours(minutes: policy.dailyNormalCapMinutes)) a day "
          + "needs an override by the verifying organisation"
      case .provinceLevel:
        return prefix
          + "more than \(LedgerFormat.hours(minutes: policy.dailyHardCapMinutes)) a day is "
          + "refused unless a province-level organisation overrides"
      }
    case .refused(let day, let total):
      return "\(day) would total \(LedgerFormat.hours(minutes: total)), more than the day "
        + "has; no override can approve it, so check that day's records for mistakes"
    }
  }

  /// Ranks outcomes so the most serious day is reported.
  private var severity: Int {
    switch self {
    case .allowed: return 0
    case .needsOverride(let level, _, _): return level == .provinceLevel ? 2 : 1
    case .refused: return 3
    }
  }
}
