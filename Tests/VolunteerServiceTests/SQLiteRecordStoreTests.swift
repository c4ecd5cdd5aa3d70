import Foundation
import Testing

@testable import VolunteerService

/// What only the SQLite store has (durability settings, reopening a file); the rules both
/// stores keep are in StoreConformanceTests, run against each.
@Suite("SQLite record store")
struct SQLiteRecordStoreTests {
  let directory: String
  let store: SQLiteRecordStore

  init() async throws {
    self.directory = try makeTemporaryDirectory()
    self.store = try await makeBootstrappedStore(in: self.directory, file: "test.sqlite")
  }

  @Test("durability settings: WAL and synchronous=FULL on the writer")
  func durabilitySettings() async throws {
    #expect(try await self.store.writerSynchronousMode() == 2)
    #expect(try await self.store.journalMode() == "wal")
  }

  @Test("bootstrap is idempotent and reopening keeps data")
  func bootstrapIdempotent() async throws {
    let admin = Principal(
      id: "admin", role: .admin, scopeOrganisationID: "national", displayName: "other",
      createdAt: Date(), createdBy: "bootstrap")
    try await self.store.bootstrap(
      root: .root(id: "national", name: "National", regionCode: "100000"), admin: admin)
    let reopened = try SQLiteRecordStore(path: self.directory + "/test.sqlite")
    let principal = try await reopened.principal(id: "admin")
    #expect(principal?.displayName == "admin")
    #expect(try await reopened.writerSynchronousMode() == 2)
  }
}
