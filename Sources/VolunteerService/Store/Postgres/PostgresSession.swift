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
  /// The instant at the precision both stores keep: whole milliseconds, as GRDB writes dates
  /// to SQLite, so a value reads back the same from either store and the audit digests of
  /// the same row agree.
  var storedPrecision: Date {
    Date(timeIntervalSinceReferenceDate: (self.timeIntervalSinceReferenceDate * 1_000).rounded(.down) / 1_000)
  }
}
