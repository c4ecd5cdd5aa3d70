import Foundation
import PostgresNIO

// Activities and the hours ledger on PostgreSQL. Every rule that must hold across concurrent
// writes from several instances (no overlapping records, the daily cap, totals equal to the
// approved ledger) is checked inside the write transaction that applies the change, under
// the write lock: no other instance's write can interleave between check and change.
extension PostgresRecordStore {
  public func addActivity(
    _ makeActivity: @escaping @Sendable (_ id: String) -> Activity, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<Activity> {
    try await self.write { session in
      try await Self.idempotentInsert(session, claim: idempotency, table: "activity", fetch: Self.fetchActivity) {
        sequence in
        let activity = makeActivity(Activity.id(sequence: sequence))
        try await session.execute(
          """
          INSERT INTO activity (seq, id, organisation_id, title, category, region_code, place,
            start_time, end_time, planned_minutes, person_in_charge, status, created_at, created_by)
          VALUES (\(sequence), \(activity.id), \(activity.organisationID), \(activity.title),
            \(activity.category.rawValue), \(activity.regionCode), \(activity.place),
            \(activity.window.start.storedPrecision), \(activity.window.end.storedPrecision),
            \(activity.plannedMinutes), \(activity.personInCharge), \(activity.status.rawValue),
            \(activity.createdAt.storedPrecision), \(activity.createdBy))
          """)
        return (activity.id, activity)
      }
    }
  }

  public func activity(id: String, withinScope scopeOrganisationID: String) async throws -> Activity? {
    try await self.read { session in try await Self.activity(session, id: id, withinScope: scopeOrganisationID) }
  }

  public func setActivityStatus(
    id: String, to status: ActivityStatus, withinScope scopeOrganisationID: String
  ) async throws -> Activity? {
    try await self.write { session in
      guard var activity = try await Self.activity(session, id: id, withinScope: scopeOrganisationID) else {
        return nil
      }
      try StoreRules.stateRule { try activity.status.transition(to: status) }
      guard activity.status != status else { return activity }
      try await session.execute("UPDATE activity SET status = \(status.rawValue) WHERE id = \(id)")
      activity.status = status
      return activity
    }
  }

  public func activities(
    inSubtreeOf organisationID: String, from: Date?, before: Date?, page: PageRequest,
    withinScope scopeOrganisationID: String
  ) async throws -> Page<Activity>? {
    try await self.read { session in
      guard let root = try await Self.organisation(session, id: organisationID, withinScope: scopeOrganisationID)
      else { return nil }
      var sql = """
        SELECT a.* FROM activity a JOIN organisation o ON o.id = a.organisation_id
        WHERE starts_with(o.path, $1)
        """
      var binds = PostgresBindings()
      binds.append(root.path)
      if let from {
        binds.append(from.storedPrecision)
        sql += " AND a.end_time > $\(binds.count)"
      }
      if let before {
        binds.append(before.storedPrecision)
        sql += " AND a.start_time < $\(binds.count)"
      }
      binds.append(page.afterSequence)
      sql += " AND a.seq > $\(binds.count)"
      binds.append(page.size + 1)
      sql += " ORDER BY a.seq LIMIT $\(binds.count)"
      let rows = try await session.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
      return Page(
        items: try rows.prefix(page.size).compactMap(Self.activity(from:)),
        nextAfterSequence: rows.count > page.size ? try rows[page.size - 1].get("seq", as: Int.self) : nil)
    }
  }

  public func logRecord(
    _ makeRecord: @escaping @Sendable (_ id: String) -> ServiceRecord, idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<ServiceRecord> {
    try await self.write { session in try await Self.insertRecord(session, makeRecord, idempotency) }
  }

  public func ledgerContext(
    claims: [IdempotencyClaim], volunteerNumbers: Set<String>, activityIDs: Set<String>,
    withinScope scopeOrganisationID: String
  ) async throws -> LedgerContext {
    try await self.read { session in
      var replayed: [Result<ServiceRecord?, RecordStoreError>] = []
      for claim in claims {
        do {
          if let id = try await Self.replayedResult(session, claim: claim) {
            replayed.append(.success(try await Self.fetchRecord(session, id)))
          } else {
            replayed.append(.success(nil))
          }
        } catch let error as RecordStoreError {
          replayed.append(.failure(error))
        }
      }
      var volunteers: [String: VolunteerRecord] = [:]
      for number in volunteerNumbers {
        if let volunteer = try await Self.fetchVolunteer(session, number),
          try await Self.organisation(session, id: volunteer.organisationID, withinScope: scopeOrganisationID) != nil
        {
          volunteers[number] = volunteer
        }
      }
      var activities: [String: Activity] = [:]
      for id in activityIDs {
        activities[id] = try await Self.activity(session, id: id, withinScope: scopeOrganisationID)
      }
      return LedgerContext(replayed: replayed, volunteers: volunteers, activities: activities)
    }
  }

  public func replayedRecord(for claim: IdempotencyClaim) async throws -> ServiceRecord? {
    try await self.read { session in
      guard let id = try await Self.replayedResult(session, claim: claim) else { return nil }
      return try await Self.fetchRecord(session, id)
    }
  }

  public func logRecords(_ batch: [NewRecord]) async throws
    -> [Result<WriteOutcome<ServiceRecord>, any Error>]
  {
    try await self.write { session in
      // One transaction, one savepoint per record, in the order sent: a refused record rolls
      // back alone, and overlaps inside the batch are decided by position, not by timing.
      var results: [Result<WriteOutcome<ServiceRecord>, any Error>] = []
      for entry in batch {
        results.append(
          try await session.inSavepoint {
            try await Self.insertRecord(session, entry.makeRecord, entry.idempotency)
          })
      }
      return results
    }
  }

  private static func insertRecord(
    _ session: PostgresSession, _ makeRecord: (_ id: String) -> ServiceRecord, _ idempotency: IdempotencyClaim
  ) async throws -> WriteOutcome<ServiceRecord> {
    try await Self.idempotentInsert(session, claim: idempotency, table: "service_record", fetch: Self.fetchRecord) {
      sequence in
      let record = makeRecord(ServiceRecord.id(sequence: sequence))
      // One person, one place: no overlap with a pending or approved record. No record spans
      // more than 24 hours (DOMAIN), so only those starting in the 24 hours before this one
      // can reach it.
      if record.kind == .entry,
        let conflict = try await session.one(
          """
          SELECT id, start_time, end_time FROM service_record
          WHERE volunteer_number = \(record.volunteerNumber) AND kind = 'entry'
            AND status IN ('pending', 'approved')
            AND start_time < \(record.span.end.storedPrecision)
            AND start_time > \(record.span.start.addingTimeInterval(-Double(LedgerPolicy.Limits.maxRecordMinutes.upperBound) * 60).storedPrecision)
            AND end_time > \(record.span.start.storedPrecision)
          ORDER BY start_time LIMIT 1
          """)
      {
        throw StoreRules.overlapRefusal(
          recordID: try conflict.get("id"), start: try conflict.date("start_time"), end: try conflict.date("end_time"))
      }
      try await session.execute(
        """
        INSERT INTO service_record (seq, id, volunteer_number, activity_id, organisation_id,
          start_time, end_time, minutes, credited_half_hours, content, status, late,
          submitted_by, submitted_at, cap_override, kind, corrects_record_id, reviewed_by,
          reviewed_at, review_reason)
        VALUES (\(sequence), \(record.id), \(record.volunteerNumber), \(record.activityID),
          \(record.organisationID), \(record.span.start.storedPrecision), \(record.span.end.storedPrecision),
          \(record.minutes), \(record.creditedHalfHours), \(record.content), \(record.status.rawValue),
          \(record.isLate), \(record.submittedBy), \(record.submittedAt.storedPrecision),
          \(record.capOverride.rawValue), \(record.kind.rawValue), \(record.correctsRecordID),
          \(record.reviewedBy), \(record.reviewedAt?.storedPrecision), \(record.reviewReason))
        """)
      return (record.id, record)
    }
  }

  public func reviewRecords(
    ids: [String], decision: ReviewDecision, by principalID: String, at date: Date,
    policy: LedgerPolicy, withinScope scopeOrganisationID: String
  ) async throws -> [Result<ServiceRecord?, any Error>] {
    try await self.write { session in
      var results: [Result<ServiceRecord?, any Error>] = []
      for id in ids {
        results.append(
          try await session.inSavepoint {
            try await Self.review(
              session, id: id, decision: decision, by: principalID, at: date, policy: policy,
              withinScope: scopeOrganisationID)
          })
      }
      return results
    }
  }

  private static func review(
    _ session: PostgresSession, id: String, decision: ReviewDecision, by principalID: String, at date: Date,
    policy: LedgerPolicy, withinScope scopeOrganisationID: String
  ) async throws -> ServiceRecord? {
    guard var record = try await Self.fetchRecord(session, id),
      try await Self.organisation(session, id: record.organisationID, withinScope: scopeOrganisationID) != nil
    else { return nil }
    // A repeated decision (a retried bulk review whose reply was lost) answers with the record
    // as it stands and writes nothing; only a contrary decision on a final record is refused.
    switch (decision, record.status) {
    case (.approve, .approved), (.reject, .rejected): return record
    default: break
    }
    switch decision {
    case .reject(let reason):
      let change = try StoreRules.stateRule { try record.status.transition(to: .rejected, reason: reason) }
      record.status = .rejected
      record.reviewReason = change.reason
    case .approve(let note, let override):
      let change = try StoreRules.stateRule { try record.status.transition(to: .approved, reason: note) }
      let days = try await Self.approvedMinutesByDay(
        session, volunteer: record.volunteerNumber,
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
        try await session.execute(
          """
          INSERT INTO volunteer_day_minutes (volunteer_number, day, minutes)
          VALUES (\(record.volunteerNumber), \(share.day.iso8601), \(share.minutes))
          ON CONFLICT (volunteer_number, day) DO UPDATE
            SET minutes = volunteer_day_minutes.minutes + excluded.minutes
          """)
      }
      try await session.execute(
        """
        INSERT INTO volunteer_totals (volunteer_number, approved_minutes,
          approved_credited_half_hours, approved_records)
        VALUES (\(record.volunteerNumber), \(record.minutes), \(record.creditedHalfHours), 1)
        ON CONFLICT (volunteer_number) DO UPDATE SET
          approved_minutes = volunteer_totals.approved_minutes + excluded.approved_minutes,
          approved_credited_half_hours = volunteer_totals.approved_credited_half_hours
            + excluded.approved_credited_half_hours,
          approved_records = volunteer_totals.approved_records + 1
        """)
      try await Self.addCredit(
        session, for: record, minutes: record.minutes, creditedHalfHours: record.creditedHalfHours,
        records: 1, timeZone: policy.timeZone)
    }
    record.reviewedBy = principalID
    record.reviewedAt = date
    try await session.execute(
      """
      UPDATE service_record SET status = \(record.status.rawValue), reviewed_by = \(principalID),
        reviewed_at = \(date.storedPrecision), review_reason = \(record.reviewReason),
        cap_override = \(record.capOverride.rawValue)
      WHERE id = \(id)
      """)
    return record
  }

  public func correctRecord(
    id: String, correction: RecordCorrection, reason: String, idempotency: IdempotencyClaim,
    by principalID: String, at date: Date, policy: LedgerPolicy,
    withinScope scopeOrganisationID: String
  ) async throws -> WriteOutcome<ServiceRecord>? {
    try await self.write { session in
      guard let original = try await Self.fetchRecord(session, id),
        try await Self.organisation(session, id: original.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      let corrected =
        try await session.scalar(
          "SELECT COALESCE(SUM(minutes), 0)::BIGINT FROM service_record WHERE corrects_record_id = \(id)",
          as: Int.self) ?? 0
      let validated = try correction.validated(
        target: CorrectionTarget(
          kind: original.kind, status: original.status, minutes: original.minutes,
          netMinutes: original.minutes + corrected),
        reason: reason, policy: policy)
      let outcome = try await Self.insertRecord(
        session,
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
        try await session.execute(
          """
          UPDATE volunteer_totals SET approved_minutes = approved_minutes + \(entry.minutes),
            approved_credited_half_hours = approved_credited_half_hours + \(entry.creditedHalfHours)
          WHERE volunteer_number = \(entry.volunteerNumber)
          """)
        // The daily cap counts what the record still credits, on the day it started.
        let day = CalendarDate.today(in: policy.timeZone, now: original.span.start)
        try await session.execute(
          """
          UPDATE volunteer_day_minutes SET minutes = GREATEST(0, minutes + \(entry.minutes))
          WHERE volunteer_number = \(entry.volunteerNumber) AND day = \(day.iso8601)
          """)
        try await Self.addCredit(
          session, for: original, minutes: entry.minutes, creditedHalfHours: entry.creditedHalfHours,
          records: entry.kind == .reversal ? -1 : 0, timeZone: policy.timeZone)
      }
      return outcome
    }
  }

  /// Moves a volunteer's evaluation credit (the day the record started × its activity, its
  /// category, its activity) by the given amounts, in the caller's transaction.
  static func addCredit(
    _ session: PostgresSession, for record: ServiceRecord, minutes: Int, creditedHalfHours: Int, records: Int,
    timeZone: TimeZone
  ) async throws {
    let day = CalendarDate.today(in: timeZone, now: record.span.start).iso8601
    try await session.execute(
      """
      INSERT INTO volunteer_credit (volunteer_number, day, activity_id, organisation_id,
        category, minutes, credited_half_hours, records)
      SELECT \(record.volunteerNumber), \(day), a.id, \(record.organisationID), a.category,
        \(minutes), \(creditedHalfHours), \(records) FROM activity a WHERE a.id = \(record.activityID)
      ON CONFLICT (volunteer_number, day, activity_id) DO UPDATE SET
        minutes = volunteer_credit.minutes + excluded.minutes,
        credited_half_hours = volunteer_credit.credited_half_hours + excluded.credited_half_hours,
        records = volunteer_credit.records + excluded.records
      """)
    try await session.execute(
      """
      INSERT INTO volunteer_category_credit (volunteer_number, category, minutes,
        credited_half_hours, records)
      SELECT \(record.volunteerNumber), a.category, \(minutes), \(creditedHalfHours), \(records)
      FROM activity a WHERE a.id = \(record.activityID)
      ON CONFLICT (volunteer_number, category) DO UPDATE SET
        minutes = volunteer_category_credit.minutes + excluded.minutes,
        credited_half_hours = volunteer_category_credit.credited_half_hours + excluded.credited_half_hours,
        records = volunteer_category_credit.records + excluded.records
      """)
    try await session.execute(
      """
      INSERT INTO volunteer_activity_credit (volunteer_number, activity_id, organisation_id,
        first_day, records)
      VALUES (\(record.volunteerNumber), \(record.activityID), \(record.organisationID), \(day), \(records))
      ON CONFLICT (volunteer_number, activity_id) DO UPDATE SET
        first_day = LEAST(volunteer_activity_credit.first_day, excluded.first_day),
        records = volunteer_activity_credit.records + excluded.records
      """)
  }

  public func records(
    ofVolunteer number: String, status: RecordStatus?, page: PageRequest,
    withinScope scopeOrganisationID: String
  ) async throws -> (records: Page<ServiceRecord>, totals: VolunteerTotals)? {
    let result: RecordsPage? = try await self.read { session in
      guard let volunteer = try await Self.fetchVolunteer(session, number),
        try await Self.organisation(session, id: volunteer.organisationID, withinScope: scopeOrganisationID) != nil
      else { return nil }
      let rows = try await session.rows(
        """
        SELECT * FROM service_record WHERE volunteer_number = \(number) AND seq > \(page.afterSequence)
          AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
        ORDER BY seq LIMIT \(page.size + 1)
        """)
      let records = Page(
        items: try rows.prefix(page.size).compactMap(Self.record(from:)),
        nextAfterSequence: rows.count > page.size ? try rows[page.size - 1].get("seq", as: Int.self) : nil)
      let totals = try await session.one(
        "SELECT * FROM volunteer_totals WHERE volunteer_number = \(number)"
      ).map { row in
        VolunteerTotals(
          approvedMinutes: try row.get("approved_minutes"),
          approvedCreditedHalfHours: try row.get("approved_credited_half_hours"),
          approvedRecords: try row.get("approved_records"))
      }
      return RecordsPage(records: records, totals: totals ?? VolunteerTotals())
    }
    return result.map { ($0.records, $0.totals) }
  }

  /// A page of records with the totals, as one Sendable value out of the read transaction.
  struct RecordsPage: Sendable {
    var records: Page<ServiceRecord>
    var totals: VolunteerTotals
  }

  // MARK: Helpers

  /// The approved minutes already credited on `days` (the days a record touches).
  private static func approvedMinutesByDay(
    _ session: PostgresSession, volunteer: String, on days: [CalendarDate]
  ) async throws -> [CalendarDate: Int] {
    var minutes: [CalendarDate: Int] = [:]
    for day in days {
      minutes[day] = try await session.scalar(
        "SELECT minutes FROM volunteer_day_minutes WHERE volunteer_number = \(volunteer) AND day = \(day.iso8601)",
        as: Int.self)
    }
    return minutes
  }

  static func activity(_ session: PostgresSession, id: String, withinScope scopeOrganisationID: String)
    async throws -> Activity?
  {
    guard let activity = try await Self.fetchActivity(session, id),
      try await Self.organisation(session, id: activity.organisationID, withinScope: scopeOrganisationID) != nil
    else { return nil }
    return activity
  }

  static func fetchActivity(_ session: PostgresSession, _ id: String) async throws -> Activity? {
    try await session.one("SELECT * FROM activity WHERE id = \(id)").flatMap(Self.activity(from:))
  }

  static func activity(from row: PostgresRandomAccessRow) throws -> Activity? {
    guard let category = ActivityCategory(rawValue: try row.get("category")),
      let status = ActivityStatus(rawValue: try row.get("status"))
    else { return nil }
    return Activity(
      id: try row.get("id"), organisationID: try row.get("organisation_id"), title: try row.get("title"),
      category: category, regionCode: try row.get("region_code"), place: try row.get("place"),
      window: ActivityWindow(start: try row.date("start_time"), end: try row.date("end_time")),
      plannedMinutes: try row.get("planned_minutes"), personInCharge: try row.get("person_in_charge"),
      status: status, createdAt: try row.date("created_at"), createdBy: try row.get("created_by"))
  }

  static func fetchRecord(_ session: PostgresSession, _ id: String) async throws -> ServiceRecord? {
    try await session.one("SELECT * FROM service_record WHERE id = \(id)").flatMap(Self.record(from:))
  }

  static func record(from row: PostgresRandomAccessRow) throws -> ServiceRecord? {
    guard let status = RecordStatus(rawValue: try row.get("status")),
      let override = CapOverride(rawValue: try row.get("cap_override"))
    else { return nil }
    return ServiceRecord(
      id: try row.get("id"), volunteerNumber: try row.get("volunteer_number"),
      activityID: try row.get("activity_id"), organisationID: try row.get("organisation_id"),
      span: RecordSpan(start: try row.date("start_time"), end: try row.date("end_time")),
      minutes: try row.get("minutes"), creditedHalfHours: try row.get("credited_half_hours"),
      content: try row.get("content"), status: status, isLate: try row.get("late"),
      submittedBy: try row.get("submitted_by"), submittedAt: try row.date("submitted_at"),
      reviewedBy: try row.get("reviewed_by"), reviewedAt: try row.get("reviewed_at", as: Date?.self),
      reviewReason: try row.get("review_reason"), capOverride: override,
      kind: RecordKind(rawValue: try row.get("kind")) ?? .entry,
      correctsRecordID: try row.get("corrects_record_id"))
  }
}
