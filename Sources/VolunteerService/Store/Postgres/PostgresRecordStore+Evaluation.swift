import Foundation
import PostgresNIO

// Evaluation reads and policy versions on PostgreSQL, from the credit tables kept by approvals
// and corrections, as on SQLite.
extension PostgresRecordStore {
  public func creditSummary(
    ofVolunteer number: String, asOf: CalendarDate, withinScope scopeOrganisationID: String
  ) async throws -> (volunteer: VolunteerRecord, summary: CreditSummary)? {
    let found: CreditFound? = try await self.read { session in
      guard let volunteer = try await Self.fetchVolunteer(session, number),
        try await Self.organisation(session, id: volunteer.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      // The 12 months ending on asOf: the days after the same date a year earlier.
      let yearAgo = StoreRules.yearBefore(asOf)
      var summary = CreditSummary()
      var categories: [String: (minutes: Int, halfHours: Int, records: Int)] = [:]
      for row in try await session.rows(
        """
        SELECT category, minutes, credited_half_hours, records FROM volunteer_category_credit
        WHERE volunteer_number = \(number)
        """)
      {
        categories[try row.get("category")] = (
          try row.get("minutes"), try row.get("credited_half_hours"), try row.get("records")
        )
      }
      // Lifetime by category, less whatever was credited on days after asOf.
      for row in try await session.rows(
        """
        SELECT category, SUM(minutes)::BIGINT AS minutes, SUM(credited_half_hours)::BIGINT AS half_hours,
          SUM(records)::BIGINT AS records
        FROM volunteer_credit WHERE volunteer_number = \(number) AND day > \(asOf.iso8601) GROUP BY category
        """)
      {
        let category: String = try row.get("category")
        let total = categories[category] ?? (0, 0, 0)
        categories[category] = (
          total.minutes - (try row.get("minutes", as: Int.self)),
          total.halfHours - (try row.get("half_hours", as: Int.self)),
          total.records - (try row.get("records", as: Int.self))
        )
      }
      for (category, total) in categories {
        summary.lifetimeMinutes += total.minutes
        summary.lifetimeCreditedHalfHours += total.halfHours
        summary.approvedRecords += total.records
        summary.creditedHalfHoursByCategory[category] = total.halfHours
      }
      if let row = try await session.one(
        """
        SELECT COALESCE(SUM(minutes), 0)::BIGINT AS minutes,
          COALESCE(SUM(credited_half_hours), 0)::BIGINT AS half_hours
        FROM volunteer_credit WHERE volunteer_number = \(number) AND day > \(yearAgo.iso8601)
          AND day <= \(asOf.iso8601)
        """)
      {
        summary.trailingYearMinutes = try row.get("minutes")
        summary.trailingYearCreditedHalfHours = try row.get("half_hours")
      }
      if let counts = try await session.one(
        """
        SELECT COUNT(*) AS activities, COUNT(DISTINCT organisation_id) AS organisations
        FROM volunteer_activity_credit
        WHERE volunteer_number = \(number) AND first_day <= \(asOf.iso8601) AND records > 0
        """)
      {
        summary.activities = try counts.get("activities")
        summary.organisations = try counts.get("organisations")
      }
      return CreditFound(volunteer: volunteer, summary: summary)
    }
    return found.map { ($0.volunteer, $0.summary) }
  }

  /// A volunteer with their credit summary, as one Sendable value out of the read transaction.
  struct CreditFound: Sendable {
    var volunteer: VolunteerRecord
    var summary: CreditSummary
  }

  public func storePolicy(_ stored: StoredPolicy) async throws -> WriteOutcome<StoredPolicy> {
    try await self.write { session in
      let policy = stored.policy
      if let newest = try await Self.fetchPolicy(session, id: policy.id, version: nil) {
        if newest.policy == policy { return .replayed(newest) }
        guard policy.version > newest.policy.version else {
          throw RecordStoreError.failedPrecondition(
            "version: policy \"\(policy.id)\" is already at version \(newest.policy.version) "
              + "with other content; give the new document version \(newest.policy.version + 1)")
        }
      }
      try await session.execute(
        """
        INSERT INTO evaluation_policy (id, version, title, document, loaded_at, loaded_by)
        VALUES (\(policy.id), \(policy.version), \(policy.title),
          \(String(decoding: policy.json(), as: UTF8.self)), \(stored.loadedAt.storedPrecision),
          \(stored.loadedBy))
        """)
      return .created(stored)
    }
  }

  public func policies() async throws -> [StoredPolicy] {
    try await self.read { session in
      try await session.rows("SELECT * FROM evaluation_policy ORDER BY id COLLATE \"C\", version DESC")
        .compactMap(Self.policy(from:))
    }
  }

  public func policy(id: String, version: Int?) async throws -> StoredPolicy? {
    try await self.read { session in try await Self.fetchPolicy(session, id: id, version: version) }
  }

  private static func fetchPolicy(_ session: PostgresSession, id: String, version: Int?) async throws
    -> StoredPolicy?
  {
    let row =
      if let version {
        try await session.one("SELECT * FROM evaluation_policy WHERE id = \(id) AND version = \(version)")
      } else {
        try await session.one("SELECT * FROM evaluation_policy WHERE id = \(id) ORDER BY version DESC LIMIT 1")
      }
    return try row.flatMap(Self.policy(from:))
  }

  /// A stored row back as a policy; a row that no longer parses (it was validated when
  /// stored) is skipped rather than failing every read.
  private static func policy(from row: PostgresRandomAccessRow) throws -> StoredPolicy? {
    let document: String = try row.get("document")
    guard let policy = try? EvaluationPolicy(json: Data(document.utf8)) else { return nil }
    return StoredPolicy(policy: policy, loadedAt: try row.date("loaded_at"), loadedBy: try row.get("loaded_by"))
  }
}
