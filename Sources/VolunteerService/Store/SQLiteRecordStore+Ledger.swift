import Foundation
import GRDB

// Activities and the hours ledger on SQLite. Every rule that must hold across concurrent
// writes (no overlapping records, the daily cap, totals equal to the approved ledger) is
// checked inside the single write transaction that applies the change.
extension SQLiteRecordStore {
  public func addActivity(
    _ makeActivity: @escaping @Sendable (_ id: String) -> Activity, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<Activity> {
    try await self.writer.write { db in
      try Self.idempotentInsert(db, claim: idempotency, table: "activity", fetch: Self.fetchActivity) {
        sequence in
      let activity = makeActivity(Activity.id(sequence: sequence))
      try db.cachedStatement(sql: """
          INSERT INTO activity (seq, id, organisation_id, title, category, region_code, place,
            start_time, end_time, planned_minutes, person_in_charge, status, created_at, created_by)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """).execute(arguments: [
          sequence, activity.id, activity.organisationID, activity.title,
          activity.category.rawValue, activity.regionCode, activity.place, activity.window.start,
          activity.window.end, activity.plannedMinutes, activity.personInCharge,
          activity.status.rawValue, activity.createdAt, activity.createdBy,
        ])
      return (activity.id, activity)
      }
    }
  }

  public func activity(id: String, withinScope scopeOrganisationID: String) async throws -> Activity? {
    try await self.pool.read { db in
      try Self.activity(db, id: id, withinScope: scopeOrganisationID)
    }
  }

  public func setActivityStatus(
    id: String, to status: ActivityStatus, withinScope scopeOrganisationID: String
  ) async throws -> Activity? {
    try await self.writer.write { db in
      guard var activity = try Self.activity(db, id: id, withinScope: scopeOrganisationID) else {
        return nil
      }
      try StoreRules.stateRule { try activity.status.transition(to: status) }
      guard activity.status != status else { return activity }
      try db.cachedStatement(sql: "UPDATE activity SET status = ? WHERE id = ?").execute(arguments: [status.rawValue, id])
      activity.status = status
      return activity
    }
  }

  public func activities(
    inSubtreeOf organisationID: String, from: Date?, before: Date?, page: PageRequest,
    withinScope scopeOrganisationID: String
  ) async throws -> Page<Activity>? {
    try await self.pool.read { db in
      guard let root = try Self.organisation(db, id: organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      var sql = """
        SELECT a.* FROM activity a JOIN organisation o ON o.id = a.organisation_id
        WHERE substr(o.path, 1, length(?)) = ?
        """
      var arguments: StatementArguments = [root.path, root.path]
      if let from {
        sql += " AND a.end_time > ?"
        _ = arguments.append(contentsOf: [from])
      }
      if let before {
        sql += " AND a.start_time < ?"
        _ = arguments.append(contentsOf: [before])
      }
      sql += " AND a.seq > ? ORDER BY a.seq LIMIT ?"
      _ = arguments.append(contentsOf: [page.afterSequence, page.size + 1])
      let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
      return Page(
        items: rows.prefix(page.size).compactMap(Self.activity(from:)),
        nextAfterSequence: rows.count > page.size ? rows[page.size - 1]["seq"] : nil)
    }
  }

  public func logRecord(
    _ makeRecord: @escaping @Sendable (_ id: String) -> ServiceRecord, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<ServiceRecord> {
    try await self.writer.write { db in
      try Self.insertRecord(db, makeRecord, idempotency)
    }
  }

  public func ledgerContext(
    claims: [IdempotencyClaim], volunteerNumbers: Set<String>, activityIDs: Set<String>,
    withinScope scopeOrganisationID: String
  ) async throws -> LedgerContext {
    try await self.pool.read { db in
      let replayed = try claims.map { claim -> Result<ServiceRecord?, RecordStoreError> in
        do {
          return .success(try Self.replayedResult(db, claim: claim).flatMap { try Self.fetchRecord(db, id: $0) })
        } catch let error as RecordStoreError {
          return .failure(error)
        }
      }
      var volunteers: [String: VolunteerRecord] = [:]
      for number in volunteerNumbers {
        if let volunteer = try Self.fetchVolunteer(db, number: number),
          try Self.organisation(db, id: volunteer.organisationID, withinScope: scopeOrganisationID) != nil
        {
          volunteers[number] = volunteer
        }
      }
      var activities: [String: Activity] = [:]
      for id in activityIDs {
        activities[id] = try Self.activity(db, id: id, withinScope: scopeOrganisationID)
      }
      return LedgerContext(replayed: replayed, volunteers: volunteers, activities: activities)
    }
  }

  public func replayedRecord(for claim: IdempotencyClaim) async throws -> ServiceRecord? {
    try await self.pool.read { db in
      try Self.replayedResult(db, claim: claim).flatMap { try Self.fetchRecord(db, id: $0) }
    }
  }

  public func logRecords(_ batch: [NewRecord]) async throws
    -> [Result<WriteOutcome<ServiceRecord>, any Error>]
  {
    try await self.writer.write { db in
      // One transaction, one savepoint per record, in the order sent: a refused record rolls
      // back alone, and overlaps inside the batch are decided by position, not by timing.
      batch.map { entry in
        Result {
          var outcome: WriteOutcome<ServiceRecord>?
          try db.inSavepoint {
            outcome = try Self.insertRecord(db, entry.makeRecord, entry.idempotency)
            return .commit
          }
          guard let outcome else { throw RecordStoreError.notFound("record not written") }
          return outcome
        }
      }
    }
  }

  private static func insertRecord(
    _ db: Database, _ makeRecord: (_ id: String) -> ServiceRecord, _ idempotency: IdempotencyClaim
  ) throws -> WriteOutcome<ServiceRecord> {
    try Self.idempotentInsert(db, claim: idempotency, table: "service_record", fetch: Self.fetchRecord) {
      sequence in
      let record = makeRecord(ServiceRecord.id(sequence: sequence))
      // One person, one place: no overlap with a pending or approved record. No record spans
      // more than 24 hours (DOMAIN), so only those starting in the 24 hours before this one
      // can reach it: the index range stays small however long the volunteer's history.
      if record.kind == .entry, let conflict = try Row.fetchOne(db.cachedStatement(sql: """
          SELECT id, start_time, end_time FROM service_record
          WHERE volunteer_number = ? AND kind = 'entry' AND status IN ('pending', 'approved')
            AND start_time < ? AND start_time > ? AND end_time > ?
          ORDER BY start_time LIMIT 1
          """),
        arguments: [
          record.volunteerNumber, record.span.end,
          record.span.start.addingTimeInterval(-Double(LedgerPolicy.Limits.maxRecordMinutes.upperBound) * 60),
          record.span.start,
        ])
      {
        throw StoreRules.overlapRefusal(
          recordID: conflict["id"], start: conflict["start_time"], end: conflict["end_time"])
      }
      try db.cachedStatement(sql: """
          INSERT INTO service_record (seq, id, volunteer_number, activity_id, organisation_id,
            start_time, end_time, minutes, credited_half_hours, content, status, late,
            submitted_by, submitted_at, cap_override, kind, corrects_record_id, reviewed_by,
            reviewed_at, review_reason)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """).execute(arguments: [
          sequence, record.id, record.volunteerNumber, record.activityID, record.organisationID,
          record.span.start, record.span.end, record.minutes, record.creditedHalfHours,
          record.content, record.status.rawValue, record.isLate, record.submittedBy,
          record.submittedAt, record.capOverride.rawValue, record.kind.rawValue,
          record.correctsRecordID, record.reviewedBy, record.reviewedAt, record.reviewReason,
        ])
      return (record.id, record)
    }
  }

  public func reviewRecords(
    ids: [String], decision: ReviewDecision, by principalID: String, at date: Date,
    policy: LedgerPolicy, withinScope scopeOrganisationID: String
  ) async throws -> [Result<ServiceRecord?, any Error>] {
    try await self.writer.write { db in
      ids.map { id in
        Result {
          var reviewed: ServiceRecord?
          try db.inSavepoint {
            reviewed = try Self.review(
              db, id: id, decision: decision, by: principalID, at: date, policy: policy,
              withinScope: scopeOrganisationID)
            return .commit
          }
          return reviewed
        }
      }
    }
  }

  private static func review(
    _ db: Database, id: String, decision: ReviewDecision, by principalID: String, at date: Date,
    policy: LedgerPolicy, withinScope scopeOrganisationID: String
  ) throws -> ServiceRecord? {
    guard var record = try Self.fetchRecord(db, id: id),
      try Self.organisation(db, id: record.organisationID, withinScope: scopeOrganisationID) != nil
    else { return nil }
    // A repeated decision (a retried bulk review whose reply was lost) answers with the record
    // as it stands and writes nothing; only a contrary decision on a final record is refused.
    switch (decision, record.status) {
    case (.approve, .approved), (.reject, .rejected): return record
    default: break
    }
    switch decision {
    case .reject(let reason):
      let change = try StoreRules.stateRule {
        try record.status.transition(to: .rejected, reason: reason)
      }
      record.status = .rejected
      record.reviewReason = change.reason
    case .approve(let note, let override):
      let change = try StoreRules.stateRule {
        try record.status.transition(to: .approved, reason: note)
      }
      let days = try Self.approvedMinutesByDay(
        db, volunteer: record.volunteerNumber,
        on: DailyMinutes.shares(of: record.span, in: policy.timeZone).map(\.day))
      let decision = DailyCapDecision.decide(
        approvedMinutesByDay: days, span: record.span, override: override, policy: policy)
      if let message = decision.message(policy: policy), !decision.isAllowed {
        throw RecordStoreError.failedPrecondition(message)
      }
      record.status = .approved
      record.reviewReason = change.reason
      record.capOverride = override
      for share in DailyMinutes.split(record.span, timeZone: policy.timeZone) {
        try db.cachedStatement(sql: """
            INSERT INTO volunteer_day_minutes (volunteer_number, day, minutes) VALUES (?, ?, ?)
            ON CONFLICT (volunteer_number, day) DO UPDATE SET minutes = minutes + excluded.minutes
            """).execute(arguments: [record.volunteerNumber, share.day.iso8601, share.minutes])
      }
      try db.cachedStatement(sql: """
          INSERT INTO volunteer_totals (volunteer_number, approved_minutes,
            approved_credited_half_hours, approved_records) VALUES (?, ?, ?, 1)
          ON CONFLICT (volunteer_number) DO UPDATE SET
            approved_minutes = approved_minutes + excluded.approved_minutes,
            approved_credited_half_hours = approved_credited_half_hours
              + excluded.approved_credited_half_hours,
            approved_records = approved_records + 1
          """).execute(arguments: [record.volunteerNumber, record.minutes, record.creditedHalfHours])
      try Self.addCredit(
        db, for: record, minutes: record.minutes, creditedHalfHours: record.creditedHalfHours,
        records: 1, timeZone: policy.timeZone)
    }
    record.reviewedBy = principalID
    record.reviewedAt = date
    try db.cachedStatement(sql: """
        UPDATE service_record SET status = ?, reviewed_by = ?, reviewed_at = ?,
          review_reason = ?, cap_override = ?
        WHERE id = ?
        """).execute(arguments: [
        record.status.rawValue, principalID, date, record.reviewReason,
        record.capOverride.rawValue, id,
      ])
    return record
  }

  public func correctRecord(
    id: String, correction: RecordCorrection, reason: String, idempotency: IdempotencyClaim,
    by principalID: String, at date: Date, policy: LedgerPolicy,
    withinScope scopeOrganisationID: String
  ) async throws -> WriteOutcome<ServiceRecord>? {
    try await self.writer.write { db in
      guard let original = try Self.fetchRecord(db, id: id),
        try Self.organisation(db, id: original.organisationID, withinScope: scopeOrganisationID)
          != nil
      else { return nil }
      let corrected =
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(SUM(minutes), 0) FROM service_record WHERE corrects_record_id = ?"),
          arguments: [id]) ?? 0
      let validated = try correction.validated(
        target: CorrectionTarget(
          kind: original.kind, status: original.status, minutes: original.minutes,
          netMinutes: original.minutes + corrected),
        reason: reason, policy: policy)
      let outcome = try Self.insertRecord(
        db,
        { newID in
          ServiceRecord(
            id: newID, volunteerNumber: original.volunteerNumber, activityID: original.activityID,
            organisationID: original.organisationID, span: original.span,
            minutes: validated.minutesDelta, creditedHalfHours: validated.creditedHalfHoursDelta,
            content: original.content, status: .approved, isLate: false, submittedBy: principalID,
            submittedAt: date, reviewedBy: principalID, reviewedAt: date,
            reviewReason: validated.reason, capOverride: .none, kind: validated.kind,
            correctsRecordID: original.id)
        }, idempotency)
      if case .created(let entry) = outcome {
        try db.cachedStatement(sql: """
            UPDATE volunteer_totals SET approved_minutes = approved_minutes + ?,
              approved_credited_half_hours = approved_credited_half_hours + ?
            WHERE volunteer_number = ?
            """).execute(arguments: [entry.minutes, entry.creditedHalfHours, entry.volunteerNumber])
        // The daily cap counts what the record still credits, on the day it started.
        let day = CalendarDate.today(in: policy.timeZone, now: original.span.start)
        try db.cachedStatement(sql: """
            UPDATE volunteer_day_minutes SET minutes = MAX(0, minutes + ?)
            WHERE volunteer_number = ? AND day = ?
            """).execute(arguments: [entry.minutes, entry.volunteerNumber, day.iso8601])
        try Self.addCredit(
          db, for: original, minutes: entry.minutes, creditedHalfHours: entry.creditedHalfHours,
          records: entry.kind == .reversal ? -1 : 0, timeZone: policy.timeZone)
      }
      return outcome
    }
  }

  /// Moves a volunteer's evaluation credit (the day the record started × its activity, its
  /// category, its activity) by the given amounts, in the caller's transaction.
  static func addCredit(
    _ db: Database, for record: ServiceRecord, minutes: Int, creditedHalfHours: Int, records: Int,
    timeZone: TimeZone
  ) throws {
    let day = CalendarDate.today(in: timeZone, now: record.span.start)
    try db.cachedStatement(sql: """
        INSERT INTO volunteer_credit (volunteer_number, day, activity_id, organisation_id,
          category, minutes, credited_half_hours, records)
        SELECT ?, ?, a.id, ?, a.category, ?, ?, ? FROM activity a WHERE a.id = ?
        ON CONFLICT (volunteer_number, day, activity_id) DO UPDATE SET
          minutes = minutes + excluded.minutes,
          credited_half_hours = credited_half_hours + excluded.credited_half_hours,
          records = records + excluded.records
        """).execute(arguments: [
        record.volunteerNumber, day.iso8601, record.organisationID, minutes, creditedHalfHours,
        records, record.activityID,
      ])
    try db.cachedStatement(sql: """
        INSERT INTO volunteer_category_credit (volunteer_number, category, minutes,
          credited_half_hours, records)
        SELECT ?, a.category, ?, ?, ? FROM activity a WHERE a.id = ?
        ON CONFLICT (volunteer_number, category) DO UPDATE SET
          minutes = minutes + excluded.minutes,
          credited_half_hours = credited_half_hours + excluded.credited_half_hours,
          records = records + excluded.records
        """).execute(arguments: [record.volunteerNumber, minutes, creditedHalfHours, records, record.activityID])
    try db.cachedStatement(sql: """
        INSERT INTO volunteer_activity_credit (volunteer_number, activity_id, organisation_id,
          first_day, records)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (volunteer_number, activity_id) DO UPDATE SET
          first_day = min(first_day, excluded.first_day),
          records = records + excluded.records
        """).execute(arguments: [record.volunteerNumber, record.activityID, record.organisationID, day.iso8601, records])
  }

  public func statistics(
    of organisationID: String, from: Date?, before: Date, starThresholdsHours: [Int],
    withinScope scopeOrganisationID: String
  ) async throws -> OrganisationStatistics? {
    try await self.pool.read { db in
      guard let root = try Self.organisation(db, id: organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      let inSubtree = "substr(o.path, 1, length(:path)) = :path"
      let from = from ?? Date(timeIntervalSince1970: 0)
      let yearBefore = before.addingTimeInterval(-365 * 86_400)
      let arguments: StatementArguments = [
        "path": root.path, "from": from, "before": before, "yearBefore": yearBefore,
      ]
      func count(_ sql: String) throws -> Int { try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0 }
      let registered = try count(
        """
        SELECT COUNT(*) FROM volunteer v JOIN organisation o ON o.id = v.organisation_id
        WHERE \(inSubtree) AND v.registered_at < :before AND v.withdrawn_at IS NULL
        """)
      let active = try count(
        """
        SELECT COUNT(DISTINCT r.volunteer_number) FROM service_record r
        JOIN organisation o ON o.id = r.organisation_id
        WHERE \(inSubtree) AND r.status = 'approved' AND r.kind = 'entry'
          AND r.start_time >= :yearBefore AND r.start_time < :before
        """)
      let ledger = try Row.fetchOne(db.cachedStatement(sql: """
          SELECT COALESCE(SUM(CASE WHEN r.status = 'approved' THEN r.minutes END), 0) AS minutes,
            COALESCE(SUM(CASE WHEN r.status = 'approved' THEN r.credited_half_hours END), 0) AS credited,
            COUNT(CASE WHEN r.status = 'approved' AND r.kind = 'entry' THEN 1 END) AS approved,
            COUNT(CASE WHEN r.kind = 'entry' THEN 1 END) AS entries,
            COUNT(CASE WHEN r.kind = 'entry' AND r.late THEN 1 END) AS late
          FROM service_record r JOIN organisation o ON o.id = r.organisation_id
          WHERE \(inSubtree) AND r.start_time >= :from AND r.start_time < :before
          """), arguments: arguments)
      let activities = try count(
        """
        SELECT COUNT(*) FROM activity a JOIN organisation o ON o.id = a.organisation_id
        WHERE \(inSubtree) AND a.end_time > :from AND a.start_time < :before
        """)
      var stars = Array(repeating: 0, count: starThresholdsHours.count + 1)
      for credited in try Int.fetchAll(db.cachedStatement(sql: """
          SELECT COALESCE(t.approved_credited_half_hours, 0) FROM volunteer v
          JOIN organisation o ON o.id = v.organisation_id
          LEFT JOIN volunteer_totals t ON t.volunteer_number = v.number
          WHERE \(inSubtree) AND v.registered_at < :before AND v.withdrawn_at IS NULL
          """), arguments: arguments)
      {
        stars[StarLevel.level(creditedHalfHours: credited, thresholdsHours: starThresholdsHours)] += 1
      }
      let entries: Int = ledger?["entries"] ?? 0
      let late: Int = ledger?["late"] ?? 0
      return OrganisationStatistics(
        organisationID: root.id, from: from, before: before, registeredVolunteers: registered,
        activeVolunteers: active, approvedMinutes: ledger?["minutes"] ?? 0,
        approvedCreditedHalfHours: ledger?["credited"] ?? 0, approvedRecords: ledger?["approved"] ?? 0,
        activities: activities, starDistribution: stars,
        lateEntryShare: entries == 0 ? 0 : Double(late) / Double(entries))
    }
  }

  public func records(
    ofVolunteer number: String, status: RecordStatus?, page: PageRequest,
    withinScope scopeOrganisationID: String
  ) async throws -> (records: Page<ServiceRecord>, totals: VolunteerTotals)? {
    try await self.pool.read { db in
      guard let volunteer = try Self.fetchVolunteer(db, number: number),
        try Self.organisation(db, id: volunteer.organisationID, withinScope: scopeOrganisationID)
          != nil
      else { return nil }
      var sql = "SELECT * FROM service_record WHERE volunteer_number = ? AND seq > ?"
      var arguments: StatementArguments = [number, page.afterSequence]
      if let status {
        sql += " AND status = ?"
        _ = arguments.append(contentsOf: [status.rawValue])
      }
      sql += " ORDER BY seq LIMIT ?"
      _ = arguments.append(contentsOf: [page.size + 1])
      let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
      let records = Page(
        items: rows.prefix(page.size).compactMap(Self.record(from:)),
        nextAfterSequence: rows.count > page.size ? rows[page.size - 1]["seq"] : nil)
      let totals = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM volunteer_totals WHERE volunteer_number = ?"), arguments: [number]
      ).map { row in
        VolunteerTotals(
          approvedMinutes: row["approved_minutes"],
          approvedCreditedHalfHours: row["approved_credited_half_hours"],
          approvedRecords: row["approved_records"])
      }
      return (records, totals ?? VolunteerTotals())
    }
  }

  // MARK: Helpers

  /// The approved minutes already credited on `days` (the days a record touches): the
  /// daily cap never needs the rest of the volunteer's history.
  private static func approvedMinutesByDay(_ db: Database, volunteer: String, on days: [CalendarDate])
    throws -> [CalendarDate: Int]
  {
    var minutes: [CalendarDate: Int] = [:]
    for day in days {
      minutes[day] = try Int.fetchOne(db.cachedStatement(sql: "SELECT minutes FROM volunteer_day_minutes WHERE volunteer_number = ? AND day = ?"),
        arguments: [volunteer, day.iso8601])
    }
    return minutes
  }

  private static func activity(_ db: Database, id: String, withinScope scopeOrganisationID: String)
    throws -> Activity?
  {
    guard let activity = try Self.fetchActivity(db, id: id),
      try Self.organisation(db, id: activity.organisationID, withinScope: scopeOrganisationID) != nil
    else { return nil }
    return activity
  }

  private static func fetchActivity(_ db: Database, id: String) throws -> Activity? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM activity WHERE id = ?"), arguments: [id])
      .flatMap(Self.activity(from:))
  }

  private static func activity(from row: Row) -> Activity? {
    guard let category = ActivityCategory(rawValue: row["category"]),
      let status = ActivityStatus(rawValue: row["status"])
    else { return nil }
    return Activity(
      id: row["id"], organisationID: row["organisation_id"], title: row["title"],
      category: category, regionCode: row["region_code"], place: row["place"],
      window: ActivityWindow(start: row["start_time"], end: row["end_time"]),
      plannedMinutes: row["planned_minutes"], personInCharge: row["person_in_charge"],
      status: status, createdAt: row["created_at"], createdBy: row["created_by"])
  }

  private static func fetchRecord(_ db: Database, id: String) throws -> ServiceRecord? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM service_record WHERE id = ?"), arguments: [id])
      .flatMap(Self.record(from:))
  }

  private static func record(from row: Row) -> ServiceRecord? {
    guard let status = RecordStatus(rawValue: row["status"]),
      let override = CapOverride(rawValue: row["cap_override"])
    else { return nil }
    return ServiceRecord(
      id: row["id"], volunteerNumber: row["volunteer_number"], activityID: row["activity_id"],
      organisationID: row["organisation_id"],
      span: RecordSpan(start: row["start_time"], end: row["end_time"]), minutes: row["minutes"],
      creditedHalfHours: row["credited_half_hours"], content: row["content"], status: status,
      isLate: row["late"], submittedBy: row["submitted_by"], submittedAt: row["submitted_at"],
      reviewedBy: row["reviewed_by"], reviewedAt: row["reviewed_at"],
      reviewReason: row["review_reason"], capOverride: override,
      kind: RecordKind(rawValue: row["kind"]) ?? .entry, correctsRecordID: row["corrects_record_id"])
  }
}
