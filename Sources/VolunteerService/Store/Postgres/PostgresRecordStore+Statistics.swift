import Foundation
import PostgresNIO

// Organisation statistics on PostgreSQL: from the ledger itself, in one snapshot.
extension PostgresRecordStore {
  public func statistics(
    of organisationID: String, from: Date?, before: Date, starThresholdsHours: [Int],
    withinScope scopeOrganisationID: String
  ) async throws -> OrganisationStatistics? {
    try await self.read { session in
      guard let root = try await Self.organisation(session, id: organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      let from = from ?? Date(timeIntervalSince1970: 0)
      let yearBefore = before.addingTimeInterval(-365 * 86_400)
      let path = root.path
      let registered =
        try await session.scalar(
          """
          SELECT COUNT(*) FROM volunteer v JOIN organisation o ON o.id = v.organisation_id
          WHERE starts_with(o.path, \(path)) AND v.registered_at < \(before.storedPrecision)
            AND v.withdrawn_at IS NULL
          """, as: Int.self) ?? 0
      let active =
        try await session.scalar(
          """
          SELECT COUNT(DISTINCT r.volunteer_number) FROM service_record r
          JOIN organisation o ON o.id = r.organisation_id
          WHERE starts_with(o.path, \(path)) AND r.status = 'approved' AND r.kind = 'entry'
            AND r.start_time >= \(yearBefore.storedPrecision) AND r.start_time < \(before.storedPrecision)
          """, as: Int.self) ?? 0
      let ledger = try await session.one(
        """
        SELECT COALESCE(SUM(CASE WHEN r.status = 'approved' THEN r.minutes END), 0)::BIGINT AS minutes,
          COALESCE(SUM(CASE WHEN r.status = 'approved' THEN r.credited_half_hours END), 0)::BIGINT AS credited,
          COUNT(CASE WHEN r.status = 'approved' AND r.kind = 'entry' THEN 1 END) AS approved,
          COUNT(CASE WHEN r.kind = 'entry' THEN 1 END) AS entries,
          COUNT(CASE WHEN r.kind = 'entry' AND r.late THEN 1 END) AS late
        FROM service_record r JOIN organisation o ON o.id = r.organisation_id
        WHERE starts_with(o.path, \(path)) AND r.start_time >= \(from.storedPrecision)
          AND r.start_time < \(before.storedPrecision)
        """)
      let activities =
        try await session.scalar(
          """
          SELECT COUNT(*) FROM activity a JOIN organisation o ON o.id = a.organisation_id
          WHERE starts_with(o.path, \(path)) AND a.end_time > \(from.storedPrecision)
            AND a.start_time < \(before.storedPrecision)
          """, as: Int.self) ?? 0
      var stars = Array(repeating: 0, count: starThresholdsHours.count + 1)
      for row in try await session.rows(
        """
        SELECT COALESCE(t.approved_credited_half_hours, 0)::BIGINT AS credited FROM volunteer v
        JOIN organisation o ON o.id = v.organisation_id
        LEFT JOIN volunteer_totals t ON t.volunteer_number = v.number
        WHERE starts_with(o.path, \(path)) AND v.registered_at < \(before.storedPrecision)
          AND v.withdrawn_at IS NULL
        """)
      {
        let credited: Int = try row.get("credited")
        stars[StarLevel.level(creditedHalfHours: credited, thresholdsHours: starThresholdsHours)] += 1
      }
      let entries = try ledger?.get("entries", as: Int.self) ?? 0
      let late = try ledger?.get("late", as: Int.self) ?? 0
      return OrganisationStatistics(
        organisationID: root.id, from: from, before: before, registeredVolunteers: registered,
        activeVolunteers: active, approvedMinutes: try ledger?.get("minutes", as: Int.self) ?? 0,
        approvedCreditedHalfHours: try ledger?.get("credited", as: Int.self) ?? 0,
        approvedRecords: try ledger?.get("approved", as: Int.self) ?? 0,
        activities: activities, starDistribution: stars,
        lateEntryShare: entries == 0 ? 0 : Double(late) / Double(entries))
    }
  }
}
