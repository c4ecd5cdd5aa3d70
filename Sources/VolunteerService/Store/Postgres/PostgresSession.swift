import Foundation
import Logging
import PostgresNIO

/// One leased connection inside a transaction of ``PostgresRecordStore``: the few query shapes
/// the store needs (all rows, one row, no rows, a savepoint), so each method reads as SQL.
struct PostgresSession: Sendable {
  let connection: PostgresConnection
  let logger: Logger

  /// Every row of `query`, decoded by column name afterwards.
  func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
    var rows: [PostgresRandomAccessRow] = []
    for try await row in try await self.connection.query(query, logger: self.logger) {
      rows.append(row.makeRandomAccess())
    }
    return rows
  }

  /// The first row of `query`, if any.
  func one(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
    try await self.rows(query).first
  }

  /// The first column of the first row, decoded as `T` (`nil` for no row).
  func scalar<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
    try await self.one(query).map { try $0[0].decode(T.self) }
  }

  /// Runs a statement whose rows (if any) are not needed.
  func execute(_ query: PostgresQuery) async throws {
    _ = try await self.rows(query)
  }

  /// Runs a script of several statements (schema steps): the extended protocol that binds
  /// values takes one statement at a time, so the script is split at semicolons outside
  /// `$$`-quoted function bodies, after dropping `--` comment lines.
  func executeScript(_ script: String) async throws {
    let text = script.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
      .joined(separator: "\n")
    var statements: [String] = []
    var current = ""
    var inBody = false
    var index = text.startIndex
    while index < text.endIndex {
      if text[index...].hasPrefix("$$") {
        inBody.toggle()
        current += "$$"
        index = text.index(index, offsetBy: 2)
        continue
      }
      let character = text[index]
      if character == ";" && !inBody {
        statements.append(current)
        current = ""
      } else {
        current.append(character)
      }
      index = text.index(after: index)
    }
    statements.append(current)
    for statement in statements where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      try await self.execute(PostgresQuery(unsafeSQL: statement))
    }
  }

  /// Runs `body` inside a savepoint: its failure rolls back its own changes only, so one
  /// refused record of a batch leaves the others. Failures that doom the whole transaction
  /// (serialization, deadlock, a lost connection) are rethrown for the retry loop.
  func inSavepoint<T: Sendable>(_ body: () async throws -> T) async throws -> Result<T, any Error> {
    try await self.execute("SAVEPOINT vrs_item")
    do {
      let value = try await body()
      try await self.execute("RELEASE SAVEPOINT vrs_item")
      return .success(value)
    } catch {
      if PostgresRecordStore.isTransient(error) { throw error }
      try await self.execute("ROLLBACK TO SAVEPOINT vrs_item")
      return .failure(error)
    }
  }
}

extension PostgresRandomAccessRow {
  /// The value of column `name`, decoded as `T` (an `Optional` for nullable columns).
  func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
    try self[name].decode(T.self)
  }

  /// A `timestamptz` column as `Date`.
  func date(_ name: String) throws -> Date { try self.get(name) }
}

extension Date {
  /// The instant as the stores keep it (see ``PostgresTimestamp``), for binding.
  var storedPrecision: PostgresTimestamp { PostgresTimestamp(self) }
}
