import Foundation
import GRDB

// Training and awards on SQLite, in tables of their own: nothing here touches the
// service-hours ledger or its totals.
extension SQLiteRecordStore {
  public func recordTraining(
    _ makeRecord: @escaping @Sendable (_ id: String) -> TrainingRecord, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<TrainingRecord> {
    try await self.writer.write { db in
      try Self.idempotentInsert(db, claim: idempotency, table: "training_record", fetch: Self.fetchTraining) {
        sequence in
        let record = makeRecord("T" + String(format: "%09d", sequence))
        try db.cachedStatement(sql: """
            INSERT INTO training_record (seq, id, volunteer_number, organisation_id, title,
              start_time, end_time, minutes, recorded_by, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
            sequence, record.id, record.volunteerNumber, record.organisationID, record.title,
            record.span.start, record.span.end, record.minutes, record.recordedBy, record.recordedAt,
          ])
        return (record.id, record)
      }
    }
  }

  public func recordAward(
    _ makeRecord: @escaping @Sendable (_ id: String) -> AwardRecord, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<AwardRecord> {
    try await self.writer.write { db in
      try Self.idempotentInsert(db, claim: idempotency, table: "award_record", fetch: Self.fetchAward) {
        sequence in
        let record = makeRecord("W" + String(format: "%09d", sequence))
        try db.cachedStatement(sql: """
            INSERT INTO award_record (seq, id, volunteer_number, organisation_id, title, level,
              awarded_on, recorded_by, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
            sequence, record.id, record.volunteerNumber, record.organisationID, record.title,
            record.level, record.awardedOn.iso8601, record.recordedBy, record.recordedAt,
          ])
        return (record.id, record)
      }
    }
  }

  public func recognition(ofVolunteer number: String, withinScope scopeOrganisationID: String)
    async throws -> (training: [TrainingRecord], awards: [AwardRecord])?
  {
    try await self.pool.read { db in
      guard let volunteer = try Self.fetchVolunteer(db, number: number),
        try Self.organisation(db, id: volunteer.organisationID, withinScope: scopeOrganisationID)
          != nil
      else { return nil }
      let training = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM training_record WHERE volunteer_number = ? ORDER BY start_time, seq"),
        arguments: [number]
      ).map(Self.training(from:))
      let awards = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM award_record WHERE volunteer_number = ? ORDER BY awarded_on, seq"),
        arguments: [number]
      ).compactMap(Self.award(from:))
      return (training, awards)
    }
  }

  /// The shape of every idempotent insert: a retry with the same key and content returns
  /// what the first call stored; a first use takes the next sequence number of `table`,
  /// inserts, and records the claim, all in the caller's transaction.
  static func idempotentInsert<Value>(
    _ db: Database, claim: IdempotencyClaim, table: String,
    fetch: (Database, String) throws -> Value?,
    insert: (_ sequence: Int) throws -> (id: String, value: Value)
  ) throws -> WriteOutcome<Value> {
    if let id = try Self.replayedResult(db, claim: claim) {
      guard let value = try fetch(db, id) else {
        throw RecordStoreError.notFound("\(id), recorded for the idempotency key, is gone")
      }
      return .replayed(value)
    }
    let sequence = (try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM \(table)")) ?? 0) + 1
    let (id, value) = try insert(sequence)
    try Self.recordClaim(db, claim, resultID: id)
    return .created(value)
  }

  private static func fetchTraining(_ db: Database, id: String) throws -> TrainingRecord? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM training_record WHERE id = ?"), arguments: [id])
      .map(Self.training(from:))
  }

  private static func training(from row: Row) -> TrainingRecord {
    TrainingRecord(
      id: row["id"], volunteerNumber: row["volunteer_number"], organisationID: row["organisation_id"],
      title: row["title"], span: RecordSpan(start: row["start_time"], end: row["end_time"]),
      minutes: row["minutes"], recordedBy: row["recorded_by"], recordedAt: row["recorded_at"])
  }

  private static func fetchAward(_ db: Database, id: String) throws -> AwardRecord? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM award_record WHERE id = ?"), arguments: [id])
      .flatMap(Self.award(from:))
  }

  private static func award(from row: Row) -> AwardRecord? {
    guard let awardedOn = CalendarDate(iso8601: row["awarded_on"]) else { return nil }
    return AwardRecord(
      id: row["id"], volunteerNumber: row["volunteer_number"], organisationID: row["organisation_id"],
      title: row["title"], level: row["level"], awardedOn: awardedOn, recordedBy: row["recorded_by"],
      recordedAt: row["recorded_at"])
  }
}
