import Foundation
import Logging
import PostgresNIO

@testable import VolunteerService

/// The PostgreSQL server the tests use, and fresh databases on it.
///
/// Every test gets a database of its own (created with a random name, dropped afterwards),
/// so tests run in parallel without seeing each other's rows.
enum TestPostgres {
  /// The environment variable naming the server (any database on it; tests connect to it to
  /// create their own).
  static let variable = "VOLUNTEER_TEST_POSTGRES_URL"

  /// Why a PostgreSQL test cannot run: it fails (a skipped store test would hide a store
  /// that CI never checked).
  struct NotConfigured: Error, CustomStringConvertible {
    var description: String {
      """
      \(TestPostgres.variable) is not set, so the PostgreSQL half of the store tests cannot run. \
      Start a throwaway PostgreSQL 15 cluster and export its URL with \
      `eval "$(bash scripts/postgres-test-cluster.sh start 54329)"`, then run `swift test` again \
      (stop it afterwards with `bash scripts/postgres-test-cluster.sh stop "$VOLUNTEER_TEST_POSTGRES_DIR"`); \
      scripts/test.sh does both itself.
      """
    }
  }

  /// The server's location from the environment.
  static func server() throws -> PostgresStoreLocation {
    guard let url = ProcessInfo.processInfo.environment[Self.variable], !url.isEmpty else {
      throw NotConfigured()
    }
    return try PostgresStoreLocation(url: url)
  }

  /// Runs `body` with a fresh, empty database on the test server, dropped afterwards.
  static func withDatabase<T: Sendable>(_ body: (PostgresStoreLocation) async throws -> T) async throws -> T {
    let server = try Self.server()
    let name = "vrs_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    try await Self.administer(server) { session in
      try await session.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
    }
    do {
      let value = try await body(server.on(database: name))
      try await Self.drop(name, on: server)
      return value
    } catch {
      try? await Self.drop(name, on: server)
      throw error
    }
  }

  private static func drop(_ name: String, on server: PostgresStoreLocation) async throws {
    try await Self.administer(server) { session in
      try await session.execute(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }
  }

  /// Runs `body` on a one-connection client of the server's maintenance database.
  static func administer(
    _ server: PostgresStoreLocation, _ body: @escaping @Sendable (PostgresSession) async throws -> Void
  ) async throws {
    let client = PostgresClient(configuration: try server.clientConfiguration(maximumConnections: 1))
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { await client.run() }
      defer { group.cancelAll() }
      do {
        try await client.withConnection { connection in
          try await body(PostgresSession(connection: connection, logger: Logger(label: "test.postgres")))
        }
      } catch {
        throw PostgresStoreError.wrapping(error)
      }
    }
  }
}
