import AuditTrail
import Crypto
import Foundation
import GRDB

/// The audit hash chain inside the SQLite store.
///
/// Triggers on every audited table note each inserted, updated or deleted row, with a digest
/// of its columns, in `audit_pending`; when a write operation finishes (inside its own
/// savepoint of the group-commit transaction) ``seal(_:context:at:)`` turns the noted rows
/// into one chained entry. A change therefore commits together with its entry or not at all,
/// and no write path can forget to audit: the triggers see every row.
///
/// Verification recomputes the chain and compares every audited row with the digest its
/// latest entry recorded, so editing, deleting or inserting a row behind the service's back
/// shows, as does editing, deleting or reordering an entry.
enum SQLiteAuditLog {
  /// Tables whose rows are audited: the records themselves, not the indexes, idempotency
  /// keys and credit buckets derived from them.
  static let auditedTables = [
    "organisation", "principal", "volunteer", "volunteer_transfer", "activity", "service_record",
    "volunteer_totals", "training_record", "award_record", "evaluation_policy", "credential",
  ]

  /// Registers `vrs_row_digest(...)`: SHA-256 (hex) over its arguments, each tagged with its
  /// storage class and length, so `NULL`, `''`, `0` and `'0'` all digest differently.
  static func registerFunctions(_ db: Database) {
    let function = DatabaseFunction("vrs_row_digest", argumentCount: nil, pure: true) { values in
      var hasher = SHA256()
      func put(_ tag: UInt8, _ bytes: [UInt8]) {
        var length = UInt64(bytes.count).bigEndian
        hasher.update(data: [tag])
        withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
        hasher.update(data: bytes)
      }
      for value in values {
        switch value.storage {
        case .null: put(0, [])
        case .int64(let int):
          var big = int.bigEndian
          put(1, withUnsafeBytes(of: &big) { Array($0) })
        case .double(let double):
          var big = double.bitPattern.bigEndian
          put(2, withUnsafeBytes(of: &big) { Array($0) })
        case .string(let string): put(3, Array(string.utf8))
        case .blob(let data): put(4, Array(data))
        }
      }
      return AuditDigest.hex(hasher.finalize())
    }
    db.add(function: function)
  }

  /// Column lists of an audited table, as the triggers and the verifier use them.
  struct TableShape {
    var name: String
    var keyColumns: [String]
    var columns: [String]

    func keyExpression(_ row: String) -> String {
      "json_array(" + self.keyColumns.map { "\(row).\($0)" }.joined(separator: ", ") + ")"
    }

    func digestExpression(_ row: String) -> String {
      "vrs_row_digest(" + self.columns.map { "\(row).\($0)" }.joined(separator: ", ") + ")"
    }
  }

  static func shape(of table: String, _ db: Database) throws -> TableShape {
    let info = try Row.fetchAll(db.cachedStatement(sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid"), arguments: [table])
    let columns = info.map { $0["name"] as String }
    let keyed = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
    let keyColumns = keyed.isEmpty ? ["rowid"] : keyed.map { $0["name"] as String }
    return TableShape(name: table, keyColumns: keyColumns, columns: columns)
  }

  /// Creates the audit tables and the triggers of every audited table, and records the rows
  /// already present in one baseline entry, so an upgraded deployment starts with a chain
  /// that covers its history.
  static func migrate(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE audit_entry (
          seq INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          principal_id TEXT NOT NULL,
          method TEXT NOT NULL,
          request_digest TEXT NOT NULL,
          previous_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        );
        CREATE TABLE audit_target (
          seq INTEGER NOT NULL REFERENCES audit_entry(seq),
          position INTEGER NOT NULL,
          tbl TEXT NOT NULL,
          row_key TEXT NOT NULL,
          digest TEXT,
          PRIMARY KEY (seq, position)
        ) WITHOUT ROWID;
        CREATE INDEX audit_target_row ON audit_target(tbl, row_key, seq);
        CREATE TABLE audit_pending (
          id INTEGER PRIMARY KEY,
          tbl TEXT NOT NULL,
          row_key TEXT NOT NULL,
          digest TEXT
        );
        CREATE TABLE audit_checkpoint (
          size INTEGER PRIMARY KEY,
          head_hash TEXT NOT NULL,
          at TEXT NOT NULL,
          token TEXT NOT NULL
        );
        """)
    for table in Self.auditedTables {
      let shape = try Self.shape(of: table, db)
      try db.execute(
        sql: """
          CREATE TRIGGER audit_\(table)_insert AFTER INSERT ON \(table) BEGIN
            INSERT INTO audit_pending (tbl, row_key, digest)
            VALUES ('\(table)', \(shape.keyExpression("NEW")), \(shape.digestExpression("NEW")));
          END;
          CREATE TRIGGER audit_\(table)_update AFTER UPDATE ON \(table) BEGIN
            INSERT INTO audit_pending (tbl, row_key, digest)
            VALUES ('\(table)', \(shape.keyExpression("NEW")), \(shape.digestExpression("NEW")));
          END;
          CREATE TRIGGER audit_\(table)_delete AFTER DELETE ON \(table) BEGIN
            INSERT INTO audit_pending (tbl, row_key, digest)
            VALUES ('\(table)', \(shape.keyExpression("OLD")), NULL);
          END;
          """)
      try db.cachedStatement(sql: """
          INSERT INTO audit_pending (tbl, row_key, digest)
          SELECT '\(table)', \(shape.keyExpression(table)), \(shape.digestExpression(table)) FROM \(table)
          """).execute()
    }
    try Self.seal(db, context: .system("migration: audit log"), at: Date())
  }

  /// Brackets each write of the group-commit writer.
  struct Auditor: WriteAuditor {
    func begin(_ db: Database) throws -> Int64 {
      try SQLiteAuditLog.pendingMark(db)
    }

    func seal(_ db: Database, context: AuditContext?, since mark: Int64) throws {
      try SQLiteAuditLog.seal(db, context: context, at: Date(), since: mark)
    }
  }

  /// The newest row of `audit_pending`: rows at or below it were noted before the operation
  /// began, i.e. outside the service, and are never sealed into its entry (they stay, and
  /// verification reports them).
  static func pendingMark(_ db: Database) throws -> Int64 {
    try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM audit_pending")) ?? 0
  }

  /// Turns the rows noted after `mark` into the next chained entry; does nothing when the
  /// operation wrote no audited row (a replay, say).
  static func seal(_ db: Database, context: AuditContext?, at date: Date, since mark: Int64 = 0) throws {
    let noted = try Row.fetchAll(db.cachedStatement(sql: "SELECT tbl, row_key, digest FROM audit_pending WHERE id > ? ORDER BY id"), arguments: [mark])
    guard !noted.isEmpty else { return }
    try db.cachedStatement(sql: "DELETE FROM audit_pending WHERE id > ?").execute(arguments: [mark])
    // A row written twice in one operation is recorded once, with its final state.
    var positions: [String: Int] = [:]
    var targets: [AuditTarget] = []
    for row in noted {
      let target = AuditTarget(table: row["tbl"], key: row["row_key"], digest: row["digest"])
      let id = target.table + "\u{0}" + target.key
      if let position = positions[id] {
        targets[position] = target
      } else {
        positions[id] = targets.count
        targets.append(target)
      }
    }
    let head = try Self.head(db)
    let context = context ?? .system("service")
    let entry = AuditEntry(
      sequence: head.size + 1, at: AuditEntry.timestamp(date),
      principalID: context.principalID, method: context.method,
      requestDigest: context.request.hex, targets: targets,
      previousHash: head.hash)
    try db.cachedStatement(sql: """
        INSERT INTO audit_entry (seq, at, principal_id, method, request_digest, previous_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """).execute(arguments: [
        entry.sequence, entry.at, entry.principalID, entry.method, entry.requestDigest,
        entry.previousHash, entry.hash,
      ])
    let insert = try db.cachedStatement(
      sql: "INSERT INTO audit_target (seq, position, tbl, row_key, digest) VALUES (?, ?, ?, ?, ?)")
    for (position, target) in targets.enumerated() {
      try insert.execute(arguments: [entry.sequence, position, target.table, target.key, target.digest])
    }
  }

  /// The chain's length and head hash.
  static func head(_ db: Database) throws -> AuditHead {
    let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"))
    return AuditHead(size: row?["seq"] ?? 0, hash: row?["hash"] ?? AuditEntry.genesisHash)
  }

  /// Calls `body` with every entry, in order, targets included, reading in pages so memory
  /// stays flat however long the chain.
  static func forEachEntry(
    _ db: Database, from first: Int64 = 1, through last: Int64 = .max,
    _ body: (AuditEntry) throws -> Void
  ) throws {
    var next = first
    let pageSize: Int64 = 1_000
    while next <= last {
      let upper = min(last, next + pageSize - 1)
      let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit_entry WHERE seq BETWEEN ? AND ? ORDER BY seq"), arguments: [next, upper])
      if rows.isEmpty { return }
      var targets: [Int64: [AuditTarget]] = [:]
      let targetRows = try Row.fetchCursor(
        db, sql: "SELECT seq, tbl, row_key, digest FROM audit_target WHERE seq BETWEEN ? AND ? ORDER BY seq, position",
        arguments: [next, upper])
      while let row = try targetRows.next() {
        targets[row["seq"], default: []].append(
          AuditTarget(table: row["tbl"], key: row["row_key"], digest: row["digest"]))
      }
      for row in rows {
        let sequence: Int64 = row["seq"]
        var entry = AuditEntry(
          sequence: sequence, at: row["at"], principalID: row["principal_id"], method: row["method"],
          requestDigest: row["request_digest"], targets: targets[sequence] ?? [],
          previousHash: row["previous_hash"])
        // Keep the stored hash: the verifier compares it with the recomputed one.
        entry.hash = row["hash"]
        try body(entry)
      }
      next = upper + 1
    }
  }

  /// The stored checkpoints, oldest first.
  static func checkpoints(_ db: Database) throws -> [AuditCheckpoint] {
    try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit_checkpoint ORDER BY size")).map {
      AuditCheckpoint(size: $0["size"], headHash: $0["head_hash"], at: $0["at"], token: $0["token"])
    }
  }

  /// Stores a checkpoint signed for the current head, unless one exists for that size.
  static func storeCheckpoint(_ checkpoint: AuditCheckpoint, _ db: Database) throws {
    try db.cachedStatement(sql: "INSERT OR IGNORE INTO audit_checkpoint (size, head_hash, at, token) VALUES (?, ?, ?, ?)").execute(arguments: [checkpoint.size, checkpoint.headHash, checkpoint.at, checkpoint.token])
  }

  /// Compares every row of every audited table with the digest its latest entry recorded,
  /// appending a problem for each row changed, inserted or deleted outside the service.
  static func verifyRows(_ db: Database, into report: inout AuditReport, limit: Int = 100) throws {
    var reported = 0
    func problem(_ text: String) {
      if reported < limit { report.problems.append(text) }
      reported += 1
    }
    let stale = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM audit_pending")) ?? 0
    if stale > 0 {
      problem("\(stale) row changes were noted outside any service call (the database was written directly)")
    }
    for table in Self.auditedTables {
      let shape = try Self.shape(of: table, db)
      for event in ["insert", "update", "delete"] {
        let sql = try String.fetchOne(db.cachedStatement(sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?"),
          arguments: ["audit_\(table)_\(event)"])
        if sql == nil || !(sql ?? "").contains("vrs_row_digest") && event != "delete" {
          problem("\(table): audit trigger on \(event) is missing or altered (changes could bypass the log)")
        }
      }
      let latest = """
        SELECT row_key, digest, seq FROM audit_target a
        WHERE tbl = '\(table)' AND seq = (
          SELECT MAX(seq) FROM audit_target b WHERE b.tbl = a.tbl AND b.row_key = a.row_key)
        """
      let live = "SELECT \(shape.keyExpression(table)) AS k, \(shape.digestExpression(table)) AS d FROM \(table)"
      report.rows += try Int64.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM \(table)")) ?? 0
      let mismatches = try Row.fetchCursor(
        db,
        sql: """
          SELECT r.k, r.d, l.digest, l.seq FROM (\(live)) r LEFT JOIN (\(latest)) l ON l.row_key = r.k
          WHERE l.digest IS NULL OR l.digest != r.d
          """)
      while let row = try mismatches.next() {
        let key: String = row["k"]
        if let sequence = row["seq"] as Int64?, row["digest"] as String? != nil {
          problem("\(table) \(key): row differs from its state recorded by entry \(sequence) (changed outside the service)")
        } else if let sequence = row["seq"] as Int64? {
          problem("\(table) \(key): entry \(sequence) recorded this row as deleted, yet it exists")
        } else {
          problem("\(table) \(key): row is in no audit entry (inserted outside the service)")
        }
      }
      let deleted = try Row.fetchCursor(
        db,
        sql: """
          SELECT l.row_key, l.seq FROM (\(latest)) l LEFT JOIN (\(live)) r ON r.k = l.row_key
          WHERE l.digest IS NOT NULL AND r.k IS NULL
          """)
      while let row = try deleted.next() {
        let key: String = row["row_key"]
        let sequence: Int64 = row["seq"]
        problem("\(table) \(key): row recorded by entry \(sequence) is missing (deleted outside the service)")
      }
    }
    if reported > limit {
      report.problems.append("… and \(reported - limit) more row problems")
    }
  }
}
