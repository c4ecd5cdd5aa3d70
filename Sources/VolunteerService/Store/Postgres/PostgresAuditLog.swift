import AuditTrail
import Foundation
import PostgresNIO

/// The audit hash chain inside the PostgreSQL store, a port of ``SQLiteAuditLog``.
///
/// Row triggers on every audited table note each inserted, updated or deleted row, with a
/// digest of its columns, in `audit_pending`, tagged with the writing transaction's id; before
/// the store's write transaction commits, ``seal(_:context:at:)`` turns the rows its own
/// transaction noted into one chained entry. The digest is computed in SQL with exactly the
/// encoding of SQLite's `vrs_row_digest` (each value tagged with its SQLite storage class and
/// its length; dates as GRDB writes them, booleans as integers), so the same row digests the
/// same on both stores and a chain copied from SQLite verifies here.
///
/// The chain is one total order, so appending needs the previous entry's hash: the store's
/// write lock (``PostgresRecordStore/writeLockKey``) is held by every write transaction, and
/// taken again here (re-entrantly) so a seal outside the store's writes is serialised too.
enum PostgresAuditLog {
  /// The same tables the SQLite store audits.
  static let auditedTables = SQLiteAuditLog.auditedTables

  /// Column lists of an audited table, with the SQL that digests a row the SQLite way.
  struct TableShape: Sendable {
    var name: String
    var keyColumns: [String]
    /// Name and `information_schema` data type of each column, in table order.
    var columns: [(name: String, type: String)]

    /// The row key as SQLite's `json_array(...)` prints it: `["id"]`, `[7]`, `["p",2]`.
    func keyExpression(_ row: String) -> String {
      "('[' || concat_ws(',', " + self.keyColumns.map { "to_json(\(row).\($0))::text" }.joined(separator: ", ") + ") || ']')"
    }

    /// SHA-256 (hex) over the columns, each tagged with the SQLite storage class its value
    /// has in the SQLite store: NULL 0, INTEGER 1 (booleans too), TEXT 3 (dates as
    /// `yyyy-MM-dd HH:mm:ss.SSS` UTC), BLOB 4.
    func digestExpression(_ row: String) throws -> String {
      let parts = try self.columns.map { column -> String in
        let value = "\(row).\(column.name)"
        let tagged: String
        switch column.type {
        case "bigint", "integer", "smallint": tagged = "vrs_tagged(1, int8send(\(value)::bigint))"
        case "boolean": tagged = "vrs_tagged(1, int8send(CASE WHEN \(value) THEN 1 ELSE 0 END::bigint))"
        case "text": tagged = "vrs_tagged(3, convert_to(\(value), 'UTF8'))"
        case "bytea": tagged = "vrs_tagged(4, \(value))"
        case "timestamp with time zone":
          tagged = "vrs_tagged(3, convert_to(to_char(\(value) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), 'UTF8'))"
        default:
          throw RecordStoreError.failedPrecondition(
            "\(self.name).\(column.name) has type \(column.type), which the audit digest does not encode; add it to PostgresAuditLog.TableShape")
        }
        return "CASE WHEN \(value) IS NULL THEN '\\x000000000000000000'::bytea ELSE \(tagged) END"
      }
      return "encode(sha256(" + parts.joined(separator: " || ") + "), 'hex')"
    }
  }

  static func shape(of table: String, _ session: PostgresSession) async throws -> TableShape {
    let columns = try await session.rows(
      """
      SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
      """
    ).map { (name: try $0.get("name", as: String.self), type: try $0.get("type", as: String.self)) }
    let keys = try await session.rows(
      """
      SELECT a.attname::text AS name FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[])
      WHERE i.indrelid = to_regclass(\(table)) AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)
      """
    ).map { try $0.get("name", as: String.self) }
    return TableShape(name: table, keyColumns: keys, columns: columns)
  }

  /// Creates the audit tables, the digest helper and each audited table's trigger, and seals
  /// the rows already present into a baseline entry.
  static func migrate(_ session: PostgresSession) async throws {
    try await session.executeScript(
      """
      CREATE TABLE audit_entry (
        seq BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        principal_id TEXT NOT NULL,
        method TEXT NOT NULL,
        request_digest TEXT NOT NULL,
        previous_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TABLE audit_target (
        seq BIGINT NOT NULL REFERENCES audit_entry(seq),
        position BIGINT NOT NULL,
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        digest TEXT,
        PRIMARY KEY (seq, position)
      );
      CREATE INDEX audit_target_row ON audit_target(tbl, row_key, seq);
      CREATE TABLE audit_pending (
        id BIGSERIAL PRIMARY KEY,
        tx XID8 NOT NULL DEFAULT pg_current_xact_id(),
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        digest TEXT
      );
      CREATE INDEX audit_pending_tx ON audit_pending(tx);
      CREATE TABLE audit_checkpoint (
        size BIGINT PRIMARY KEY,
        head_hash TEXT NOT NULL,
        at TEXT NOT NULL,
        token TEXT NOT NULL
      );
      CREATE FUNCTION vrs_tagged(tag INTEGER, value BYTEA) RETURNS BYTEA
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN set_byte('\\x00'::bytea, 0, tag) || int8send(length(value)::bigint) || value;
      """)
    for table in Self.auditedTables {
      let shape = try await Self.shape(of: table, session)
      try await session.executeScript(
        """
            CREATE FUNCTION audit_\(table)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'DELETE' THEN
                INSERT INTO audit_pending (tbl, row_key, digest)
                VALUES ('\(table)', \(shape.keyExpression("OLD")), NULL);
                RETURN OLD;
              END IF;
              INSERT INTO audit_pending (tbl, row_key, digest)
              VALUES ('\(table)', \(shape.keyExpression("NEW")), \(try shape.digestExpression("NEW")));
              RETURN NEW;
            END $$;
            CREATE TRIGGER audit_\(table) AFTER INSERT OR UPDATE OR DELETE ON \(table)
              FOR EACH ROW EXECUTE FUNCTION audit_\(table)();
            INSERT INTO audit_pending (tbl, row_key, digest)
              SELECT '\(table)', \(shape.keyExpression("r")), \(try shape.digestExpression("r")) FROM \(table) r;
            """)
    }
    try await Self.seal(session, context: .system("migration: audit log"), at: Date())
  }

  /// Turns the rows this transaction noted into the next chained entry; does nothing when it
  /// wrote no audited row (a replay, say). Rows noted by other transactions (written outside
  /// the service) stay, and verification reports them.
  static func seal(_ session: PostgresSession, context: AuditContext?, at date: Date) async throws {
    // Taken and removed in one statement; RETURNING has no order, the id restores it.
    let noted = try await session.rows(
      """
      DELETE FROM audit_pending WHERE tx = pg_current_xact_id_if_assigned()
      RETURNING id, tbl, row_key, digest
      """
    ).map { row in (id: try row.get("id", as: Int.self), row: row) }.sorted { $0.id < $1.id }.map(\.row)
    guard !noted.isEmpty else { return }
    // A row written twice in one operation is recorded once, with its final state.
    var positions: [String: Int] = [:]
    var targets: [AuditTarget] = []
    for row in noted {
      let target = AuditTarget(
        table: try row.get("tbl"), key: try row.get("row_key"), digest: try row.get("digest", as: String?.self))
      let id = target.table + "\u{0}" + target.key
      if let position = positions[id] {
        targets[position] = target
      } else {
        positions[id] = targets.count
        targets.append(target)
      }
    }
    try await session.execute("SELECT pg_advisory_xact_lock(\(PostgresRecordStore.writeLockKey))")
    let head = try await Self.head(session)
    let context = context ?? .system("service")
    let entry = AuditEntry(
      sequence: head.size + 1, at: AuditEntry.timestamp(date),
      principalID: context.principalID, method: context.method,
      requestDigest: context.request.hex, targets: targets,
      previousHash: head.hash)
    try await session.execute(
      """
      INSERT INTO audit_entry (seq, at, principal_id, method, request_digest, previous_hash, hash)
      VALUES (\(Int(entry.sequence)), \(entry.at), \(entry.principalID), \(entry.method),
        \(entry.requestDigest), \(entry.previousHash), \(entry.hash))
      """)
    // One statement for all targets: arrays unnested in order (an empty digest stands for
    // a deletion's NULL; a real digest is 64 hex digits).
    try await session.execute(
      """
      INSERT INTO audit_target (seq, position, tbl, row_key, digest)
      SELECT \(Int(entry.sequence)), x.ord - 1, x.tbl, x.row_key, NULLIF(x.digest, '')
      FROM unnest(\(targets.map(\.table))::text[], \(targets.map(\.key))::text[],
        \(targets.map { $0.digest ?? "" })::text[]) WITH ORDINALITY AS x(tbl, row_key, digest, ord)
      """)
  }

  /// The chain's length and head hash.
  static func head(_ session: PostgresSession) async throws -> AuditHead {
    let row = try await session.one("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
    return AuditHead(
      size: Int64(try row?.get("seq", as: Int.self) ?? 0),
      hash: try row?.get("hash", as: String.self) ?? AuditEntry.genesisHash)
  }

  /// Calls `body` with every entry in `first...last`, in order, targets included, reading in
  /// pages so memory stays flat however long the chain.
  static func forEachEntry(
    _ session: PostgresSession, from first: Int64 = 1, through last: Int64 = .max,
    _ body: (AuditEntry) throws -> Void
  ) async throws {
    var next = first
    let pageSize: Int64 = 1_000
    while next <= last {
      let upper = min(last, next + pageSize - 1)
      let rows = try await session.rows(
        "SELECT * FROM audit_entry WHERE seq BETWEEN \(Int(next)) AND \(Int(upper)) ORDER BY seq")
      if rows.isEmpty { return }
      var targets: [Int64: [AuditTarget]] = [:]
      for row in try await session.rows(
        """
        SELECT seq, tbl, row_key, digest FROM audit_target
        WHERE seq BETWEEN \(Int(next)) AND \(Int(upper)) ORDER BY seq, position
        """)
      {
        targets[Int64(try row.get("seq", as: Int.self)), default: []].append(
          AuditTarget(
            table: try row.get("tbl"), key: try row.get("row_key"),
            digest: try row.get("digest", as: String?.self)))
      }
      for row in rows {
        let sequence = Int64(try row.get("seq", as: Int.self))
        var entry = AuditEntry(
          sequence: sequence, at: try row.get("at"), principalID: try row.get("principal_id"),
          method: try row.get("method"), requestDigest: try row.get("request_digest"),
          targets: targets[sequence] ?? [], previousHash: try row.get("previous_hash"))
        // Keep the stored hash: the verifier compares it with the recomputed one.
        entry.hash = try row.get("hash")
        try body(entry)
      }
      next = upper + 1
    }
  }

  /// The stored checkpoints, oldest first.
  static func checkpoints(_ session: PostgresSession) async throws -> [AuditCheckpoint] {
    try await session.rows("SELECT * FROM audit_checkpoint ORDER BY size").map {
      AuditCheckpoint(
        size: Int64(try $0.get("size", as: Int.self)), headHash: try $0.get("head_hash"),
        at: try $0.get("at"), token: try $0.get("token"))
    }
  }

  /// Stores a checkpoint, unless one exists for that size.
  static func storeCheckpoint(_ checkpoint: AuditCheckpoint, _ session: PostgresSession) async throws {
    try await session.execute(
      """
      INSERT INTO audit_checkpoint (size, head_hash, at, token)
      VALUES (\(Int(checkpoint.size)), \(checkpoint.headHash), \(checkpoint.at), \(checkpoint.token))
      ON CONFLICT (size) DO NOTHING
      """)
  }

  /// Compares every row of every audited table with the digest its latest entry recorded,
  /// appending a problem for each row changed, inserted or deleted outside the service, and
  /// for a trigger dropped, disabled or replaced.
  static func verifyRows(_ session: PostgresSession, into report: inout AuditReport, limit: Int = 100)
    async throws
  {
    var reported = 0
    func problem(_ text: String) {
      if reported < limit { report.problems.append(text) }
      reported += 1
    }
    let stale = try await session.scalar("SELECT COUNT(*) FROM audit_pending", as: Int.self) ?? 0
    if stale > 0 {
      problem("\(stale) row changes were noted outside any service call (the database was written directly)")
    }
    for table in Self.auditedTables {
      let shape = try await Self.shape(of: table, session)
      let trigger = try await session.one(
        """
        SELECT t.tgenabled::text AS enabled, pg_get_functiondef(t.tgfoid) AS body FROM pg_trigger t
        WHERE t.tgrelid = to_regclass(\(table)) AND t.tgname = \("audit_" + table)
        """)
      let enabled = try trigger?.get("enabled", as: String.self)
      let body = try trigger?.get("body", as: String.self) ?? ""
      if enabled != "O" || !body.contains("vrs_tagged") || !body.contains("DELETE") {
        problem("\(table): audit trigger is missing, disabled or altered (changes could bypass the log)")
      }
      let latest = """
        SELECT DISTINCT ON (row_key) row_key, digest, seq FROM audit_target
        WHERE tbl = '\(table)' ORDER BY row_key, seq DESC
        """
      let live = "SELECT \(shape.keyExpression("r")) AS k, \(try shape.digestExpression("r")) AS d FROM \(table) r"
      report.rows += Int64(try await session.scalar(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)"), as: Int.self) ?? 0)
      for row in try await session.rows(
        PostgresQuery(
          unsafeSQL: """
            SELECT r.k, l.digest, l.seq FROM (\(live)) r LEFT JOIN (\(latest)) l ON l.row_key = r.k
            WHERE l.digest IS NULL OR l.digest != r.d
            """))
      {
        let key: String = try row.get("k")
        let sequence = try row.get("seq", as: Int?.self)
        if let sequence, try row.get("digest", as: String?.self) != nil {
          problem("\(table) \(key): row differs from its state recorded by entry \(sequence) (changed outside the service)")
        } else if let sequence {
          problem("\(table) \(key): entry \(sequence) recorded this row as deleted, yet it exists")
        } else {
          problem("\(table) \(key): row is in no audit entry (inserted outside the service)")
        }
      }
      for row in try await session.rows(
        PostgresQuery(
          unsafeSQL: """
            SELECT l.row_key, l.seq FROM (\(latest)) l LEFT JOIN (\(live)) r ON r.k = l.row_key
            WHERE l.digest IS NOT NULL AND r.k IS NULL
            """))
      {
        let key: String = try row.get("row_key")
        let sequence: Int = try row.get("seq")
        problem("\(table) \(key): row recorded by entry \(sequence) is missing (deleted outside the service)")
      }
    }
    if reported > limit {
      report.problems.append("… and \(reported - limit) more row problems")
    }
  }
}
