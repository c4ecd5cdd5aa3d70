import AuditTrail
import Credentials
import Foundation
import Logging
import Testing

@testable import VolunteerService

/// `volunteer-service migrate`: a populated SQLite store copied into PostgreSQL, interrupted
/// and resumed, verified, and then served by the PostgreSQL store with the same answers.
@Suite("SQLite to PostgreSQL migration")
struct StoreMigrationTests {
  let fixtures = StoreFixtures()

  /// Stands for Ctrl-C in the middle of a copy.
  struct Interrupted: Error {}

  @Test("a populated store round-trips: interrupted, resumed, verified, served alike")
  func roundTrip() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let source = try await makeBootstrappedStore(in: directory)
    let world = try await self.fixtures.ledgerWorld(source)
    var ids: [String] = []
    for (index, hours) in [(1, 3), (4, 6), (7, 9)].enumerated() {
      ids.append(
        try await source.logRecord(
          StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: hours.0, to: hours.1),
          idempotency: self.fixtures.claim("m\(index)", digest: [UInt8(index)])
        ).value.id)
    }
    _ = try await source.reviewRecords(
      ids: ids, decision: .approve(note: nil, override: .none), by: "reviewer",
      at: Date(timeIntervalSince1970: 1_772_600_000), policy: .national, withinScope: "national")
    _ = try await source.correctRecord(
      id: ids[0], correction: .reversal, reason: "duplicate", idempotency: self.fixtures.claim("rev", digest: [9]),
      by: "reviewer", at: Date(timeIntervalSince1970: 1_772_700_000), policy: .national, withinScope: "national")
    let second = try await self.fixtures.ledgerWorld(source, document: 2)
    _ = try await source.addOrganisation(
      Organisation(id: "beijing", parentID: "national", kind: .province, name: "Beijing", regionCode: "110000", path: ""))
    _ = try await source.transferVolunteer(
      number: second.volunteer, to: "beijing", reason: "moved", by: "admin", at: Date(), withinScope: "national")
    _ = try await source.withdrawVolunteer(number: second.volunteer, at: Date(), withinScope: "national")
    let sourceHead = try await source.auditHead()
    let sourceRecords = try await source.records(
      ofVolunteer: world.volunteer, status: nil, page: PageRequest(size: 100), withinScope: "national")

    try await TestPostgres.withDatabase { location in
      let migration = SQLiteToPostgresMigration(
        sourcePath: directory + "/volunteer.sqlite", target: location, pageSize: 2,
        logger: Logger(label: "test.migration"))
      var pages = 0
      await #expect(throws: Interrupted.self) {
        _ = try await migration.run { _ in
          pages += 1
          if pages == 4 { throw Interrupted() }
        }
      }
      #expect(FileManager.default.fileExists(atPath: migration.snapshotPath))
      let summary = try await migration.run()
      #expect(summary.resumed)
      #expect(summary.problems == [])
      #expect(summary.auditHead == sourceHead)
      #expect(!FileManager.default.fileExists(atPath: migration.snapshotPath))
      await #expect(throws: RecordStoreError.self) { _ = try await migration.run() }

      let target = try await StoreHarness.openPostgres(location)
      let copied = try await target.records(
        ofVolunteer: world.volunteer, status: nil, page: PageRequest(size: 100), withinScope: "national")
      #expect(copied?.records.items == sourceRecords?.records.items)
      #expect(copied?.totals == sourceRecords?.totals)
      // A retry of a write made before the migration replays on the new store.
      let replay = try await target.logRecord(
        StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 4, to: 6),
        idempotency: self.fixtures.claim("m1", digest: [1]))
      #expect(replay.value.id == ids[1])
      if case .created = replay { Issue.record("a migrated key created a second record") }
      let report = try await target.verifyAudit(keySet: JWKSet(keys: []))
      #expect(report.problems == [])
      await target.close()
    }
  }
}
