import Foundation

/// Figures of an organisation subtree over a date range, computed from the ledger.
public struct OrganisationStatistics: Sendable, Hashable {
  public var organisationID: String
  public var from: Date?
  public var before: Date
  /// Registered (not withdrawn) before `before`.
  public var registeredVolunteers: Int
  /// With an approved record in the 12 months before `before`.
  public var activeVolunteers: Int
  /// Approved minutes and credited half hours in the range, corrections included.
  public var approvedMinutes: Int
  public var approvedCreditedHalfHours: Int
  /// Approved entries in the range.
  public var approvedRecords: Int
  /// Activities overlapping the range.
  public var activities: Int
  /// Registered volunteers by lifetime star level, index 0 (no star) to 5.
  public var starDistribution: [Int]
  /// Late entries over all entries in the range.
  public var lateEntryShare: Double
}

/// Star levels by lifetime credited hours; the thresholds come from the evaluation policy
/// (national default 100/300/600/1000/1500 h in `Policies/national.json`).
public enum StarLevel {
  /// The star level (0 up to the number of thresholds) reached with `creditedHalfHours` of lifetime credit.
  public static func level(creditedHalfHours: Int, thresholdsHours: [Int]) -> Int {
    thresholdsHours.filter { creditedHalfHours >= $0 * 2 }.count
  }
}
