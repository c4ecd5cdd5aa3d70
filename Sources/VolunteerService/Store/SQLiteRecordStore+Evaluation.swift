import Foundation
import GRDB

// Evaluation reads and policy versions on SQLite. Credit comes from `volunteer_credit`, kept
// by approvals and corrections, so an evaluation's cost follows the days and activities a
// volunteer served, never the number of records.
extension SQLiteRecordStore {
  public func creditSummary(
    ofVolunteer number: String, asOf: CalendarDate, withinScope scopeOrganisationID: String
  ) async throws -> (volunteer: VolunteerRecord, summary: CreditSummary)? {
    try await self.pool.read { db in
      guard let volunteer = try Self.fetchVolunteer(db, number: number),
        try Self.organisation(db, id: volunteer.organisationID, withinScope: scopeOrganisationID)
          != nil
      else { return nil }
      // The 12 months ending on asOf: the days after the same date a year earlier (28
      // February for a 29 February; the earliest date for the first year the service knows).
      let yearAgo =
        CalendarDate(year: asOf.year - 1, month: asOf.month, day: asOf.day)
        ?? CalendarDate(year: asOf.year - 1, month: asOf.month, day: asOf.day - 1)
        ?? CalendarDate.earliest
      var summary = CreditSummary()
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT category, SUM(minutes) AS minutes, SUM(credited_half_hours) AS half_hours,
            SUM(records) AS records,
            SUM(CASE WHEN day > ? THEN minutes ELSE 0 END) AS trailing_minutes,
            SUM(CASE WHEN day > ? THEN credited_half_hours ELSE 0 END) AS trailing_half_hours
          FROM volunteer_credit WHERE volunteer_number = ? AND day <= ?
          GROUP BY category
          """,
        arguments: [yearAgo.iso8601, yearAgo.iso8601, number, asOf.iso8601])
      for row in rows {
        let halfHours: Int = row["half_hours"]
        summary.lifetimeMinutes += row["minutes"] as Int
        summary.lifetimeCreditedHalfHours += halfHours
        summary.approvedRecords += row["records"] as Int
        summary.trailingYearMinutes += row["trailing_minutes"] as Int
        summary.trailingYearCreditedHalfHours += row["trailing_half_hours"] as Int
        summary.creditedHalfHoursByCategory[row["category"], default: 0] += halfHours
      }
      if let counts = try Row.fetchOne(
        db,
        sql: """
          SELECT COUNT(DISTINCT activity_id) AS activities,
            COUNT(DISTINCT organisation_id) AS organisations
          FROM volunteer_credit
          WHERE volunteer_number = ? AND day <= ? AND (records > 0 OR credited_half_hours > 0)
          """,
        arguments: [number, asOf.iso8601])
      {
        summary.activities = counts["activities"]
        summary.organisations = counts["organisations"]
      }
      return (volunteer, summary)
    }
  }

  public func storePolicy(_ stored: StoredPolicy) async throws -> WriteOutcome<StoredPolicy> {
    try await self.writer.write { db in
      let policy = stored.policy
      if let newest = try Self.fetchPolicy(db, id: policy.id, version: nil) {
        if newest.policy == policy { return .replayed(newest) }
        guard policy.version > newest.policy.version else {
          throw RecordStoreError.failedPrecondition(
            "version: policy \"\(policy.id)\" is already at version \(newest.policy.version) "
              + "with other content; give the new document version \(newest.policy.version + 1)")
        }
      }
      try db.execute(
        sql: """
          INSERT INTO evaluation_policy (id, version, title, document, loaded_at, loaded_by)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          policy.id, policy.version, policy.title, String(decoding: policy.json(), as: UTF8.self),
          stored.loadedAt, stored.loadedBy,
        ])
      return .created(stored)
    }
  }

  public func policies() async throws -> [StoredPolicy] {
    try await self.pool.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM evaluation_policy ORDER BY id, version DESC")
        .compactMap(Self.policy(from:))
    }
  }

  public func policy(id: String, version: Int?) async throws -> StoredPolicy? {
    try await self.pool.read { db in try Self.fetchPolicy(db, id: id, version: version) }
  }

  private static func fetchPolicy(_ db: Database, id: String, version: Int?) throws -> StoredPolicy? {
    let row =
      if let version {
        try Row.fetchOne(
          db, sql: "SELECT * FROM evaluation_policy WHERE id = ? AND version = ?",
          arguments: [id, version])
      } else {
        try Row.fetchOne(
          db, sql: "SELECT * FROM evaluation_policy WHERE id = ? ORDER BY version DESC LIMIT 1",
          arguments: [id])
      }
    return row.flatMap(Self.policy(from:))
  }

  /// A stored row back as a policy; a row that no longer parses (it was validated when
  /// stored) is skipped rather than failing every read.
  private static func policy(from row: Row) -> StoredPolicy? {
    let document: String = row["document"]
    guard let policy = try? EvaluationPolicy(json: Data(document.utf8)) else { return nil }
    return StoredPolicy(policy: policy, loadedAt: row["loaded_at"], loadedBy: row["loaded_by"])
  }
}
