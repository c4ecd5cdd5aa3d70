import PostgresNIO

/// One versioned step of the PostgreSQL schema, applied once, in its own transaction, and
/// recorded in `schema_migrations`; see ``PostgresSchema``.
struct PostgresMigration: Sendable {
  /// Ascending, never reused: the row in `schema_migrations` says the step is done.
  var version: Int
  /// What the step does, recorded beside the version for operators reading the table.
  var name: String
  /// The step's work, run inside the migration transaction.
  var apply: @Sendable (PostgresSession) async throws -> Void

  /// A step made of plain SQL statements.
  init(version: Int, name: String, sql: String) {
    self.version = version
    self.name = name
    self.apply = { session in try await session.executeScript(sql) }
  }

  /// A step that needs code (the audit triggers are generated from the tables' columns).
  init(version: Int, name: String, apply: @escaping @Sendable (PostgresSession) async throws -> Void) {
    self.version = version
    self.name = name
    self.apply = apply
  }
}
