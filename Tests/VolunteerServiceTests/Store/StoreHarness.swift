import Foundation
import Logging

@testable import VolunteerService

/// Opens a fresh, bootstrapped store of each kind for one test and cleans it up afterwards:
/// a temporary SQLite file, or a PostgreSQL database of its own.
enum StoreHarness {
  static let root = Organisation.root(id: "national", name: "National", regionCode: "100000")

  static func admin() -> Principal {
    Principal(
      id: "admin", role: .admin, scopeOrganisationID: "national", displayName: "admin",
      createdAt: Date(), createdBy: "bootstrap")
  }

  /// Runs `body` with a fresh store of `kind`, bootstrapped with the root organisation
  /// `national` and its admin `admin`.
  static func withStore<T: Sendable>(
    _ kind: StoreKind, _ body: (any RecordStore) async throws -> T
  ) async throws -> T {
    switch kind {
    case .sqlite:
      let directory = try makeTemporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let store = try await makeBootstrappedStore(in: directory)
      return try await body(store)
    case .postgres:
      return try await TestPostgres.withDatabase { location in
        let store = try await Self.openPostgres(location)
        do {
          let value = try await body(store)
          await store.close()
          return value
        } catch {
          await store.close()
          throw error
        }
      }
    }
  }

  /// A PostgreSQL store on `location`, bootstrapped: each call is one more "instance".
  static func openPostgres(_ location: PostgresStoreLocation) async throws -> PostgresRecordStore {
    let store = try await PostgresRecordStore(
      location: location, maximumConnections: 8, logger: Logger(label: "test.postgres-store"))
    try await store.bootstrap(root: Self.root, admin: Self.admin())
    return store
  }
}
