import AuditTrail
import Credentials
import Foundation
import GRDB
import Logging
import PostgresNIO

/// Copies an embedded deployment's SQLite store into an empty PostgreSQL database, resumably,
/// and verifies the copy.
///
/// 1. A consistent snapshot of the live store is taken with the store's own online backup
///    (`VACUUM INTO`, the service keeps serving) next to the source, unless one is left
///    from an interrupted run: the copy always reads one unchanging snapshot, so a restart
///    continues exactly where it stopped.
/// 2. Tables are copied in foreign-key order, in pages of ``pageSize`` rows, each page in one
///    transaction together with its progress row in `store_migration_progress`; a restart
///    skips what is recorded. Values are copied verbatim (audit entries too); the audit
///    triggers' notes of the copied rows are discarded in the same transaction, since the
///    copied chain already records them.
/// 3. Verification: row counts per table, every volunteer's totals against a recount of the
///    approved ledger, the audit head against the snapshot's, and the PostgreSQL store's own
///    audit verification (chain, checkpoints, every row against its recorded digest: the
///    digests agree because both stores encode rows alike).
///
/// Writes accepted by the SQLite service after the snapshot are not in the copy: stop the
/// service (or its writers) before the run that is the cut-over.
public struct SQLiteToPostgresMigration: Sendable {
  /// What the operator sees while it runs.
  public struct Progress: Sendable {
    public var table: String
    public var copied: Int
    public var total: Int
  }

  /// The outcome: per table rows copied now and in all, and the verification's result.
  public struct Summary: Sendable {
    public var resumed: Bool
    public var snapshotPath: String
    public var rowsByTable: [(table: String, rows: Int)]
    public var auditHead: AuditHead
    public var problems: [String]

    /// The copied chain's length, for callers that do not import AuditTrail.
    public var auditEntries: Int64 { self.auditHead.size }
    /// The copied chain's head hash.
    public var auditHeadHash: String { self.auditHead.hash }
  }

  /// Tables in an order that satisfies every foreign key, with the column that orders
  /// their pages stably.
  static let tables: [(name: String, order: String)] = [
    ("organisation", "length(path), path"), ("principal", "id"), ("volunteer", "seq"),
    ("volunteer_transfer", "id"), ("idempotency_key", "principal_id, key"), ("activity", "seq"),
    ("service_record", "seq"), ("volunteer_day_minutes", "volunteer_number, day"),
    ("volunteer_totals", "volunteer_number"), ("training_record", "seq"), ("award_record", "seq"),
    ("volunteer_credit", "volunteer_number, day, activity_id"),
    ("volunteer_category_credit", "volunteer_number, category"),
    ("volunteer_activity_credit", "volunteer_number, activity_id"), ("evaluation_policy", "id, version"),
    ("credential", "seq"), ("audit_entry", "seq"), ("audit_target", "seq, position"),
    ("audit_checkpoint", "size"),
  ]

  public var sourcePath: String
  public var target: PostgresStoreLocation
  public var pageSize: Int
  public var logger: Logger

  /// Describes a migration of the SQLite database at `sourcePath` into `target`.
  public init(sourcePath: String, target: PostgresStoreLocation, pageSize: Int = 1_000, logger: Logger) {
    self.sourcePath = sourcePath
    self.target = target
    self.pageSize = pageSize
    self.logger = logger
  }

  /// Where the snapshot of the source is kept until the migration has verified.
  public var snapshotPath: String { self.sourcePath + ".pg-migration-snapshot" }

  /// The progress row that marks a copy as verified: a later run has nothing to do.
  static let verifiedMarker = "(verified)"

  /// Runs (or resumes) the copy and verifies it; `progress` is called after every committed
  /// page, and may throw to stop the run there (a later run resumes after that page).
  public func run(progress: (Progress) throws -> Void = { _ in }) async throws -> Summary {
    let manager = FileManager.default
    guard manager.fileExists(atPath: self.sourcePath) else {
      throw RecordStoreError.notFound("\(self.sourcePath) does not exist: name the service's volunteer.sqlite")
    }
    let store = try await PostgresRecordStore(location: self.target, maximumConnections: 2, logger: self.logger)
    do {
      let summary = try await self.copyAndVerify(store, progress: progress)
      await store.close()
      return summary
    } catch {
      await store.close()
      throw error
    }
  }

  private func copyAndVerify(_ store: PostgresRecordStore, progress: (Progress) throws -> Void) async throws
    -> Summary
  {
    let resumed = try await self.prepareTarget(store)
    if !resumed || !FileManager.default.fileExists(atPath: self.snapshotPath) {
      guard !resumed else {
        throw RecordStoreError.failedPrecondition(
          "the target holds a partial copy but the snapshot \(self.snapshotPath) it came from is gone; "
            + "drop and recreate the target database, then run the migration again")
      }
      try? FileManager.default.removeItem(atPath: self.snapshotPath)
      let source = try SQLiteRecordStore(path: self.sourcePath)
      _ = try await source.backup(to: self.snapshotPath)
    }
    var configuration = Configuration()
    configuration.readonly = true
    let snapshot = try DatabaseQueue(path: self.snapshotPath, configuration: configuration)
    var rowsByTable: [(table: String, rows: Int)] = []
    for (table, order) in Self.tables {
      let total = try await snapshot.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
      var copied = try await self.copiedRows(store, table: table)
      let types = try await store.read { session in try await Self.columnTypes(session, table: table) }
      while copied < total {
        let rows = try await snapshot.read { db in
          try Row.fetchAll(
            db, sql: "SELECT * FROM \(table) ORDER BY \(order) LIMIT ? OFFSET ?", arguments: [self.pageSize, copied])
        }
        if rows.isEmpty { break }
        try await self.insert(rows, into: table, types: types, store: store, copiedBefore: copied)
        copied += rows.count
        try progress(Progress(table: table, copied: copied, total: total))
      }
      rowsByTable.append((table, total))
    }
    try await store.write { session in
      // Explicit ids were copied into the transfer table: its sequence continues after them.
      try await session.execute(
        "SELECT setval(pg_get_serial_sequence('volunteer_transfer', 'id'), COALESCE((SELECT MAX(id) FROM volunteer_transfer), 0) + 1, false)")
    }
    let problems = try await self.verify(store, snapshot: snapshot, rowsByTable: rowsByTable)
    let head = try await store.auditHead()
    if problems.isEmpty {
      try await store.write { session in
        try await session.execute(
          "INSERT INTO store_migration_progress (tbl, copied) VALUES (\(Self.verifiedMarker), 0) ON CONFLICT DO NOTHING")
      }
      try? FileManager.default.removeItem(atPath: self.snapshotPath)
    }
    return Summary(
      resumed: resumed, snapshotPath: self.snapshotPath, rowsByTable: rowsByTable, auditHead: head,
      problems: problems)
  }

  /// Creates the progress table; refuses a target that already holds another deployment's
  /// data. Returns whether an earlier run left progress behind.
  private func prepareTarget(_ store: PostgresRecordStore) async throws -> Bool {
    try await store.write { session in
      try await session.execute(
        """
        CREATE TABLE IF NOT EXISTS store_migration_progress (
          tbl TEXT PRIMARY KEY, copied BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """)
      if try await session.one("SELECT 1 FROM store_migration_progress WHERE tbl = \(Self.verifiedMarker)") != nil {
        throw RecordStoreError.failedPrecondition(
          "this database already holds a verified copy; start the instances with --store, or migrate into a new, empty database")
      }
      let progressRows = try await session.scalar("SELECT COUNT(*) FROM store_migration_progress", as: Int.self) ?? 0
      if progressRows > 0 { return true }
      let entries = try await session.scalar("SELECT COUNT(*) FROM audit_entry", as: Int.self) ?? 0
      let organisations = try await session.scalar("SELECT COUNT(*) FROM organisation", as: Int.self) ?? 0
      guard entries <= 1, organisations == 0 else {
        throw RecordStoreError.failedPrecondition(
          "the target database already holds records (a service ran on it?): migrate into a new, empty database")
      }
      // The empty schema's own baseline entry (if any) is replaced by the copied chain.
      try await session.execute("DELETE FROM audit_target")
      try await session.execute("DELETE FROM audit_entry")
      return false
    }
  }

  private func copiedRows(_ store: PostgresRecordStore, table: String) async throws -> Int {
    try await store.read { session in
      try await session.scalar("SELECT copied FROM store_migration_progress WHERE tbl = \(table)", as: Int.self) ?? 0
    }
  }

  static func columnTypes(_ session: PostgresSession, table: String) async throws -> [String: String] {
    var types: [String: String] = [:]
    for row in try await session.rows(
      """
      SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = \(table)
      """)
    {
      types[try row.get("name")] = try row.get("type")
    }
    return types
  }

  /// Inserts one page and records the progress in the same transaction.
  private func insert(
    _ rows: [Row], into table: String, types: [String: String], store: PostgresRecordStore, copiedBefore: Int
  ) async throws {
    guard let columns = rows.first.map({ Array($0.columnNames) }) else { return }
    var binds = PostgresBindings(capacity: rows.count * columns.count)
    var tuples: [String] = []
    for row in rows {
      var placeholders: [String] = []
      for column in columns {
        let type = types[column] ?? ""
        guard !type.isEmpty else {
          throw RecordStoreError.failedPrecondition(
            "\(table).\(column) exists in the SQLite store but not in PostgreSQL: upgrade the service binary")
        }
        let value: DatabaseValue = row[column]
        switch (value.storage, type) {
        case (.null, _):
          binds.appendNull()
        case (.int64(let int), "boolean"):
          binds.append(int != 0)
        case (.int64(let int), _):
          binds.append(Int(int))
        case (.double(let double), _):
          binds.append(double)
        case (.string(let text), _):
          binds.append(text)
        case (.blob(let data), _):
          try binds.append(data)
        }
        // SQLite keeps dates as UTC text (GRDB's format); PostgreSQL reads it as such.
        placeholders.append(
          type == "timestamp with time zone" && !value.isNull
            ? "($\(binds.count)::text || '+00')::timestamptz" : "$\(binds.count)")
      }
      tuples.append("(" + placeholders.joined(separator: ", ") + ")")
    }
    let sql =
      "INSERT INTO \(table) (" + columns.joined(separator: ", ") + ") VALUES " + tuples.joined(separator: ", ")
    let copied = copiedBefore + rows.count
    try await store.write { session in
      try await session.execute(PostgresQuery(unsafeSQL: sql, binds: binds))
      // The copied chain already records these rows; the triggers' notes would be sealed
      // into a new entry otherwise.
      try await session.execute("DELETE FROM audit_pending WHERE tx = pg_current_xact_id_if_assigned()")
      try await session.execute(
        """
        INSERT INTO store_migration_progress (tbl, copied) VALUES (\(table), \(copied))
        ON CONFLICT (tbl) DO UPDATE SET copied = excluded.copied, updated_at = now()
        """)
    }
  }

  /// Counts, totals against the ledger, the audit head, and the store's audit verification.
  private func verify(
    _ store: PostgresRecordStore, snapshot: DatabaseQueue, rowsByTable: [(table: String, rows: Int)]
  ) async throws -> [String] {
    var problems: [String] = []
    for (table, expected) in rowsByTable {
      let actual = try await store.read { session in
        try await session.scalar(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)"), as: Int.self) ?? 0
      }
      if actual != expected { problems.append("\(table): \(actual) rows in PostgreSQL, \(expected) in the snapshot") }
    }
    let mismatches = try await store.read { session in
      try await session.rows(
        """
        SELECT t.volunteer_number, t.approved_minutes, COALESCE(l.minutes, 0)::BIGINT AS ledger
        FROM volunteer_totals t LEFT JOIN (
          SELECT volunteer_number, SUM(minutes) AS minutes FROM service_record
          WHERE status = 'approved' GROUP BY volunteer_number) l ON l.volunteer_number = t.volunteer_number
        WHERE t.approved_minutes != COALESCE(l.minutes, 0)
        LIMIT 20
        """
      ).map { row in
        "volunteer \(try row.get("volunteer_number", as: String.self)): totals say \(try row.get("approved_minutes", as: Int.self)) minutes, the approved ledger \(try row.get("ledger", as: Int.self))"
      }
    }
    problems += mismatches
    let sourceHead = try await snapshot.read { db in try SQLiteAuditLog.head(db) }
    let head = try await store.auditHead()
    if head != sourceHead {
      problems.append("audit head: PostgreSQL \(head.size) \(head.hash), snapshot \(sourceHead.size) \(sourceHead.hash)")
    }
    let report = try await store.verifyAudit(keySet: JWKSet(keys: []))
    // Checkpoints are signed by the service's keys, which this command does not hold: the
    // chain and the rows are what the copy must preserve; `vol-admin audit verify` checks
    // the signatures with the key set.
    problems += report.problems.filter { !$0.contains("checkpoint") }
    return problems
  }
}
