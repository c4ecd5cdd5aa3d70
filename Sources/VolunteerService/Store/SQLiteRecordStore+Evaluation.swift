import Foundation
import GRDB

// Evaluation reads and policy versions on SQLite. Credit comes from the credit tables kept by
// approvals and corrections (see migration v5), so an evaluation reads a few rows per
// category and activity plus at most a year of day rows, never the records.
extension SQLiteRecordStore {
  public func creditSummary(
    ofVolunteer number: String, asOf: CalendarDate, withinScope scopeOrganisationID: String
  ) async throws -> (volunteer: VolunteerRecord, summary: CreditSummary)? {
    try await self.pool.read { db in
      guard let volunteer = try Self.fetchVolunteer(db, number: number),
        try Self.organisation(db, id: volunteer.organisationID, withinScope: scopeOrganisationID)
          != nil
      else { return nil }
      // The 12 months ending on asOf: the days after the same date a year earlier.
      let yearAgo = StoreRules.yearBefore(asOf)
      var summary = CreditSummary()
      // Lifetime by category, less whatever was credited on days after asOf (nothing when
      // evaluating as of today): a handful of rows whatever the volunteer's history.
      var categories: [String: (minutes: Int, halfHours: Int, records: Int)] = [:]
      for row in try Row.fetchAll(db.cachedStatement(sql: """
          SELECT category, minutes, credited_half_hours, records FROM volunteer_category_credit
          WHERE volunteer_number = ?
          """),
        arguments: [number])
      {
        categories[row["category"]] = (row["minutes"], row["credited_half_hours"], row["records"])
      }
      for row in try Row.fetchAll(db.cachedStatement(sql: """
          SELECT category, SUM(minutes) AS minutes, SUM(credited_half_hours) AS half_hours,
            SUM(records) AS records
          FROM volunteer_credit WHERE volunteer_number = ? AND day > ? GROUP BY category
          """),
        arguments: [number, asOf.iso8601])
      {
        let category: String = row["category"]
        let total = categories[category] ?? (0, 0, 0)
        categories[category] = (
          total.minutes - row["minutes"], total.halfHours - row["half_hours"],
          total.records - row["records"]
        )
      }
      for (category, total) in categories {
        summary.lifetimeMinutes += total.minutes
        summary.lifetimeCreditedHalfHours += total.halfHours
        summary.approvedRecords += total.records
        summary.creditedHalfHoursByCategory[category] = total.halfHours
      }
      // The trailing 12 months: at most a year of day rows.
      if let row = try Row.fetchOne(db.cachedStatement(sql: """
          SELECT COALESCE(SUM(minutes), 0) AS minutes,
            COALESCE(SUM(credited_half_hours), 0) AS half_hours
          FROM volunteer_credit WHERE volunteer_number = ? AND day > ? AND day <= ?
          """),
        arguments: [number, yearAgo.iso8601, asOf.iso8601])
      {
        summary.trailingYearMinutes = row["minutes"]
        summary.trailingYearCreditedHalfHours = row["half_hours"]
      }
      if let counts = try Row.fetchOne(db.cachedStatement(sql: """
          SELECT COUNT(*) AS activities, COUNT(DISTINCT organisation_id) AS organisations
          FROM volunteer_activity_credit
          WHERE volunteer_number = ? AND first_day <= ? AND records > 0
          """),
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
      try db.cachedStatement(sql: """
          INSERT INTO evaluation_policy (id, version, title, document, loaded_at, loaded_by)
          VALUES (?, ?, ?, ?, ?, ?)
          """).execute(arguments: [
          policy.id, policy.version, policy.title, String(decoding: policy.json(), as: UTF8.self),
          stored.loadedAt, stored.loadedBy,
        ])
      return .created(stored)
    }
  }

  public func policies() async throws -> [StoredPolicy] {
    try await self.pool.read { db in
      try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM evaluation_policy ORDER BY id, version DESC"))
        .compactMap(Self.policy(from:))
    }
  }

  public func policy(id: String, version: Int?) async throws -> StoredPolicy? {
    try await self.pool.read { db in try Self.fetchPolicy(db, id: id, version: version) }
  }

  private static func fetchPolicy(_ db: Database, id: String, version: Int?) throws -> StoredPolicy? {
    let row =
      if let version {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM evaluation_policy WHERE id = ? AND version = ?"),
          arguments: [id, version])
      } else {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM evaluation_policy WHERE id = ? ORDER BY version DESC LIMIT 1"),
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
