import GRDB

/// Raw SQLite inserts of the rows the store wrote: the same columns and indexes, none of the
/// store's checks, triggers or audit entries. What the disk and SQLite allow.
struct RawInsert {
  private let database: DatabaseQueue
  private let columns: [String]
  private let rows: [[DatabaseValue]]

  var rowCount: Int { self.rows.count }

  /// Reads every service_record row of the store at `storePath` and creates an empty copy of
  /// the table, with its indexes, in a new database at `rawPath` (WAL, synchronous=FULL).
  init(storePath: String, rawPath: String) throws {
    let source = try DatabaseQueue(path: storePath)
    let (schema, columns, rows) = try source.read { db in
      let schema = try String.fetchAll(
        db,
        sql: """
          SELECT sql FROM sqlite_master
          WHERE tbl_name = 'service_record' AND type IN ('table', 'index') AND sql IS NOT NULL
          ORDER BY type = 'index'
          """)
      let columns = try db.columns(in: "service_record").map(\.name)
      let rows = try Row.fetchAll(db, sql: "SELECT * FROM service_record ORDER BY rowid")
        .map { row in columns.map { row[$0] as DatabaseValue } }
      return (schema, columns, rows)
    }
    try source.close()
    var configuration = Configuration()
    // The copy holds service records only: the volunteers and activities they point at stay
    // in the store's database.
    configuration.foreignKeysEnabled = false
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA journal_mode = WAL")
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    self.database = try DatabaseQueue(path: rawPath, configuration: configuration)
    try self.database.write { db in
      for statement in schema { try db.execute(sql: statement) }
    }
    self.columns = columns
    self.rows = rows
  }

  /// Inserts every row, `batchSize` per transaction; returns rows per second.
  func insertAll(batchSize: Int) throws -> Double {
    try self.database.write { db in try db.execute(sql: "DELETE FROM service_record") }
    let clock = ContinuousClock()
    let started = clock.now
    var index = 0
    while index < self.rows.count {
      let end = min(self.rows.count, index + batchSize)
      try self.database.write { db in
        let statement = try db.cachedStatement(sql: self.insertSQL)
        for row in self.rows[index..<end] {
          try statement.execute(arguments: StatementArguments(row))
        }
      }
      index = end
    }
    return Double(self.rows.count) / (clock.now - started).seconds
  }

  /// Inserts the first `count` rows again (after clearing the table), one transaction each.
  func insertSingles(count: Int) throws -> Double {
    try self.database.write { db in try db.execute(sql: "DELETE FROM service_record") }
    let clock = ContinuousClock()
    let started = clock.now
    for row in self.rows.prefix(count) {
      try self.database.write { db in
        try db.cachedStatement(sql: self.insertSQL).execute(arguments: StatementArguments(row))
      }
    }
    return Double(count) / (clock.now - started).seconds
  }

  private var insertSQL: String {
    "INSERT INTO service_record (\(self.columns.joined(separator: ", "))) VALUES ("
      + Array(repeating: "?", count: self.columns.count).joined(separator: ", ") + ")"
  }
}
