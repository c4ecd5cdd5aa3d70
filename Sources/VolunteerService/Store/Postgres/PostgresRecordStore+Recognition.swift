import Foundation
import PostgresNIO

// Training and awards on PostgreSQL, in tables of their own: nothing here touches the
// service-hours ledger or its totals.
extension PostgresRecordStore {
  public func recordTraining(
    _ makeRecord: @escaping @Sendable (_ id: String) -> TrainingRecord, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<TrainingRecord> {
    try await self.write { session in
      try await Self.idempotentInsert(session, claim: idempotency, table: "training_record", fetch: Self.fetchTraining) {
        sequence in
        let record = makeRecord("T" + String(format: "%09d", sequence))
        try await session.execute(
          """
          INSERT INTO training_record (seq, id, volunteer_number, organisation_id, title,
            start_time, end_time, minutes, recorded_by, recorded_at)
          VALUES (\(sequence), \(record.id), \(record.volunteerNumber), \(record.organisationID),
            \(record.title), \(record.span.start.storedPrecision), \(record.span.end.storedPrecision),
            \(record.minutes), \(record.recordedBy), \(record.recordedAt.storedPrecision))
          """)
        return (record.id, record)
      }
    }
  }

  public func recordAward(
    _ makeRecord: @escaping @Sendable (_ id: String) -> AwardRecord, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<AwardRecord> {
    try await self.write { session in
      try await Self.idempotentInsert(session, claim: idempotency, table: "award_record", fetch: Self.fetchAward) {
        sequence in
        let record = makeRecord("W" + String(format: "%09d", sequence))
        try await session.execute(
          """
          INSERT INTO award_record (seq, id, volunteer_number, organisation_id, title, level,
            awarded_on, recorded_by, recorded_at)
          VALUES (\(sequence), \(record.id), \(record.volunteerNumber), \(record.organisationID),
            \(record.title), \(record.level), \(record.awardedOn.iso8601), \(record.recordedBy),
            \(record.recordedAt.storedPrecision))
          """)
        return (record.id, record)
      }
    }
  }

  public func recognition(ofVolunteer number: String, withinScope scopeOrganisationID: String)
    async throws -> (training: [TrainingRecord], awards: [AwardRecord])?
  {
    let found: Recognition? = try await self.read { session in
      guard let volunteer = try await Self.fetchVolunteer(session, number),
        try await Self.organisation(session, id: volunteer.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      let training = try await session.rows(
        "SELECT * FROM training_record WHERE volunteer_number = \(number) ORDER BY start_time, seq"
      ).map(Self.training(from:))
      let awards = try await session.rows(
        "SELECT * FROM award_record WHERE volunteer_number = \(number) ORDER BY awarded_on, seq"
      ).compactMap(Self.award(from:))
      return Recognition(training: training, awards: awards)
    }
    return found.map { ($0.training, $0.awards) }
  }

  /// A volunteer's training and awards, as one Sendable value out of the read transaction.
  struct Recognition: Sendable {
    var training: [TrainingRecord]
    var awards: [AwardRecord]
  }

  private static func fetchTraining(_ session: PostgresSession, _ id: String) async throws -> TrainingRecord? {
    try await session.one("SELECT * FROM training_record WHERE id = \(id)").map(Self.training(from:))
  }

  private static func training(from row: PostgresRandomAccessRow) throws -> TrainingRecord {
    TrainingRecord(
      id: try row.get("id"), volunteerNumber: try row.get("volunteer_number"),
      organisationID: try row.get("organisation_id"), title: try row.get("title"),
      span: RecordSpan(start: try row.date("start_time"), end: try row.date("end_time")),
      minutes: try row.get("minutes"), recordedBy: try row.get("recorded_by"),
      recordedAt: try row.date("recorded_at"))
  }

  private static func fetchAward(_ session: PostgresSession, _ id: String) async throws -> AwardRecord? {
    try await session.one("SELECT * FROM award_record WHERE id = \(id)").flatMap(Self.award(from:))
  }

  private static func award(from row: PostgresRandomAccessRow) throws -> AwardRecord? {
    guard let awardedOn = CalendarDate(iso8601: try row.get("awarded_on")) else { return nil }
    return AwardRecord(
      id: try row.get("id"), volunteerNumber: try row.get("volunteer_number"),
      organisationID: try row.get("organisation_id"), title: try row.get("title"),
      level: try row.get("level"), awardedOn: awardedOn, recordedBy: try row.get("recorded_by"),
      recordedAt: try row.date("recorded_at"))
  }
}
