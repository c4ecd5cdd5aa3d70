import Foundation

/// The *(policy)* knobs of the service-hours ledger, with the national defaults.
///
/// DOMAIN marks the daily caps, the rounding rule and the late-entry threshold as defaults a
/// deployment may change in its evaluation policy; the clock skew, the activity-window
/// tolerance and the time zone are operational settings kept here so every ledger rule reads
/// them from one place. The 24-hour record limit is fixed by the domain, so a policy may only
/// tighten it.
///
/// Values are validated when built or decoded, so rules that take a policy can rely on it
/// (caps ordered, durations in range, a time zone that resolves).
public struct LedgerPolicy: Hashable, Sendable, Codable {
  /// Minutes a day a volunteer may be credited without an override (national default 8 h).
  public let dailyNormalCapMinutes: Int
  /// Minutes a day above which only a province-level organisation may approve (default 12 h).
  public let dailyHardCapMinutes: Int
  /// How raw minutes become credited time (default ``CreditRoundingRule/halfHourBands``).
  public let rounding: CreditRoundingRule
  /// The longest span one record may cover, in minutes (default and domain maximum 24 h).
  public let maxRecordMinutes: Int
  /// How far past the server's clock a record's end may lie, in minutes (default 5), because
  /// partners' clocks drift and a record that ends "now" must not be refused for a few seconds.
  public let allowedFutureSkewMinutes: Int
  /// How far before an activity's start or after its end a record may reach, in minutes
  /// (default 30 on each side), because volunteers arrive early and leave late.
  public let activityWindowToleranceMinutes: Int
  /// Records submitted more than this many working days after the activity's end date are
  /// accepted but flagged late (default 10).
  public let lateEntryWorkingDays: Int
  /// The IANA identifier of the zone that defines calendar days for caps and late entries
  /// (default `Asia/Shanghai`).
  public let timeZoneIdentifier: String
  /// The zone named by ``timeZoneIdentifier``, resolved once when the policy is built.
  public let timeZone: TimeZone

  /// The national defaults: 8 h / 12 h daily caps, half-hour bands, 24 h per record, 5 min
  /// clock skew, 30 min window tolerance, 10 working days, Asia/Shanghai.
  public static let national = LedgerPolicy(
    uncheckedNormalCap: 8 * 60, hardCap: 12 * 60, rounding: .halfHourBands,
    maxRecordMinutes: 24 * 60, skew: 5, tolerance: 30, lateDays: 10,
    timeZoneIdentifier: "Asia/Shanghai",
    // Asia/Shanghai has had a fixed UTC+8 offset since 1991; the fixed offset is only a
    // fallback for a host without time zone data, so the defaults can never fail to build.
    timeZone: TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)
      ?? TimeZone.current)

  /// The limits a deployment's values must respect, so a typo in a policy file cannot
  /// switch a rule off.
  public enum Limits {
    /// A day has 24 hours, so no daily cap can usefully exceed it.
    public static let dailyCapMinutes = 1...(24 * 60)
    /// DOMAIN: "one record covers at most 24 hours"; a policy may only tighten this.
    public static let maxRecordMinutes = 1...(24 * 60)
    /// DOMAIN speaks of a *small* clock skew; an hour is already generous.
    public static let allowedFutureSkewMinutes = 0...60
    /// Up to a day on each side of an activity.
    public static let activityWindowToleranceMinutes = 0...(24 * 60)
    /// Up to a working year.
    public static let lateEntryWorkingDays = 0...260
  }

  /// Builds a policy, starting from the national defaults for anything not given.
  ///
  /// - Throws: ``IdentityValidationError`` naming the knob (in snake case, e.g.
  ///   `daily_hard_cap_minutes`) when a value is out of ``Limits``, the hard cap is below the
  ///   normal cap, or the time zone identifier is unknown.
  public init(
    dailyNormalCapMinutes: Int = 8 * 60,
    dailyHardCapMinutes: Int = 12 * 60,
    rounding: CreditRoundingRule = .halfHourBands,
    maxRecordMinutes: Int = 24 * 60,
    allowedFutureSkewMinutes: Int = 5,
    activityWindowToleranceMinutes: Int = 30,
    lateEntryWorkingDays: Int = 10,
    timeZoneIdentifier: String = "Asia/Shanghai"
  ) throws(IdentityValidationError) {
    try Self.check(
      dailyNormalCapMinutes, in: Limits.dailyCapMinutes, field: "daily_normal_cap_minutes")
    try Self.check(
      dailyHardCapMinutes, in: Limits.dailyCapMinutes, field: "daily_hard_cap_minutes")
    guard dailyHardCapMinutes >= dailyNormalCapMinutes else {
      throw IdentityValidationError(
        field: "daily_hard_cap_minutes",
        reason: "is \(dailyHardCapMinutes), below daily_normal_cap_minutes "
          + "(\(dailyNormalCapMinutes)); the hard cap is the higher of the two")
    }
    try Self.check(maxRecordMinutes, in: Limits.maxRecordMinutes, field: "max_record_minutes")
    try Self.check(
      allowedFutureSkewMinutes, in: Limits.allowedFutureSkewMinutes,
      field: "allowed_future_skew_minutes")
    try Self.check(
      activityWindowToleranceMinutes, in: Limits.activityWindowToleranceMinutes,
      field: "activity_window_tolerance_minutes")
    try Self.check(
      lateEntryWorkingDays, in: Limits.lateEntryWorkingDays, field: "late_entry_working_days")
    guard let zone = TimeZone(identifier: timeZoneIdentifier) else {
      throw IdentityValidationError(
        field: "time_zone",
        reason: "\"\(timeZoneIdentifier)\" is not a known IANA time zone identifier; "
          + "expected e.g. Asia/Shanghai")
    }
    self.init(
      uncheckedNormalCap: dailyNormalCapMinutes, hardCap: dailyHardCapMinutes,
      rounding: rounding, maxRecordMinutes: maxRecordMinutes, skew: allowedFutureSkewMinutes,
      tolerance: activityWindowToleranceMinutes, lateDays: lateEntryWorkingDays,
      timeZoneIdentifier: timeZoneIdentifier, timeZone: zone)
  }

  /// Stores values that have already been checked.
  private init(
    uncheckedNormalCap normalCap: Int, hardCap: Int, rounding: CreditRoundingRule,
    maxRecordMinutes: Int, skew: Int, tolerance: Int, lateDays: Int,
    timeZoneIdentifier: String, timeZone: TimeZone
  ) {
    self.dailyNormalCapMinutes = normalCap
    self.dailyHardCapMinutes = hardCap
    self.rounding = rounding
    self.maxRecordMinutes = maxRecordMinutes
    self.allowedFutureSkewMinutes = skew
    self.activityWindowToleranceMinutes = tolerance
    self.lateEntryWorkingDays = lateDays
    self.timeZoneIdentifier = timeZoneIdentifier
    self.timeZone = timeZone
  }

  private static func check(
    _ value: Int, in range: ClosedRange<Int>, field: String
  ) throws(IdentityValidationError) {
    guard range.contains(value) else {
      throw IdentityValidationError(
        field: field,
        reason: "is \(value), expected \(range.lowerBound)...\(range.upperBound)")
    }
  }

  // MARK: - Codable

  /// The keys of the JSON form; the resolved ``timeZone`` is derived, never stored.
  private enum CodingKeys: String, CodingKey {
    case dailyNormalCapMinutes, dailyHardCapMinutes, rounding, maxRecordMinutes
    case allowedFutureSkewMinutes, activityWindowToleranceMinutes, lateEntryWorkingDays
    case timeZoneIdentifier
  }

  /// Decodes a policy; missing keys take the national default, so a deployment's policy file
  /// only lists what it changes. Invalid values are refused exactly as by the initialiser.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = LedgerPolicy.national
    do {
      try self.init(
        dailyNormalCapMinutes: container.decodeIfPresent(
          Int.self, forKey: .dailyNormalCapMinutes) ?? defaults.dailyNormalCapMinutes,
        dailyHardCapMinutes: container.decodeIfPresent(Int.self, forKey: .dailyHardCapMinutes)
          ?? defaults.dailyHardCapMinutes,
        rounding: container.decodeIfPresent(CreditRoundingRule.self, forKey: .rounding)
          ?? defaults.rounding,
        maxRecordMinutes: container.decodeIfPresent(Int.self, forKey: .maxRecordMinutes)
          ?? defaults.maxRecordMinutes,
        allowedFutureSkewMinutes: container.decodeIfPresent(
          Int.self, forKey: .allowedFutureSkewMinutes) ?? defaults.allowedFutureSkewMinutes,
        activityWindowToleranceMinutes: container.decodeIfPresent(
          Int.self, forKey: .activityWindowToleranceMinutes)
          ?? defaults.activityWindowToleranceMinutes,
        lateEntryWorkingDays: container.decodeIfPresent(Int.self, forKey: .lateEntryWorkingDays)
          ?? defaults.lateEntryWorkingDays,
        timeZoneIdentifier: container.decodeIfPresent(String.self, forKey: .timeZoneIdentifier)
          ?? defaults.timeZoneIdentifier)
    } catch let error as IdentityValidationError {
      // Surface policy mistakes as decoding errors so a bad policy file fails to load with the
      // knob and the reason, like any other malformed configuration.
      throw DecodingError.dataCorrupted(
        DecodingError.Context(
          codingPath: container.codingPath, debugDescription: error.description))
    }
  }

  /// Encodes every knob, defaults included, so a stored policy version is self-contained.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(dailyNormalCapMinutes, forKey: .dailyNormalCapMinutes)
    try container.encode(dailyHardCapMinutes, forKey: .dailyHardCapMinutes)
    try container.encode(rounding, forKey: .rounding)
    try container.encode(maxRecordMinutes, forKey: .maxRecordMinutes)
    try container.encode(allowedFutureSkewMinutes, forKey: .allowedFutureSkewMinutes)
    try container.encode(
      activityWindowToleranceMinutes, forKey: .activityWindowToleranceMinutes)
    try container.encode(lateEntryWorkingDays, forKey: .lateEntryWorkingDays)
    try container.encode(timeZoneIdentifier, forKey: .timeZoneIdentifier)
  }
}
