import AuditTrail
import Credentials
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import VolunteerService

/// What only the PostgreSQL store has: several instances on one database, its URL, its
/// backup refusal, and audit digests equal to the SQLite store's for the same rows.
@Suite("PostgreSQL record store")
struct PostgresRecordStoreTests {
  let fixtures = StoreFixtures()

  @Test("store URLs: TLS modes, defaults, and actionable refusals")
  func locations() throws {
    let location = try PostgresStoreLocation(url: "postgres://app:s%40cret@db.example:6432/records?sslmode=require")
    #expect(location.host == "db.example")
    #expect(location.port == 6432)
    #expect(location.username == "app")
    #expect(location.password == "s@cret")
    #expect(location.database == "records")
    #expect(location.tlsMode == .require)
    #expect(try PostgresStoreLocation(url: "postgresql://app@db/records").tlsMode == .prefer)
    #expect(try PostgresStoreLocation(url: "postgresql://app@db/records").port == 5432)
    #expect(throws: ConfigurationError.self) { try PostgresStoreLocation(url: "mysql://app@db/records") }
    #expect(throws: ConfigurationError.self) { try PostgresStoreLocation(url: "postgres://db/records") }
    #expect(throws: ConfigurationError.self) { try PostgresStoreLocation(url: "postgres://app@db/") }
    #expect(throws: ConfigurationError.self) { try PostgresStoreLocation(url: "postgres://app@db/x?sslmode=maybe") }
    #expect(PostgresStoreLocation.redacted("postgres://app:secret@db/x").contains("secret") == false)
  }

  @Test("approved records and revocations stay final even to SQL written behind the service")
  func approvedImmutableInSQL() async throws {
    try await TestPostgres.withDatabase { location in
      let store = try await StoreHarness.openPostgres(location)
      let world = try await self.fixtures.ledgerWorld(store)
      let id = try await store.logRecord(
        StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 9, to: 10),
        idempotency: self.fixtures.claim("i1", digest: [1])).value.id
      _ = try await store.reviewRecords(
        ids: [id], decision: .approve(note: nil, override: .none), by: "r", at: Date(),
        policy: .national, withinScope: "national")
      for sql in [
        "UPDATE service_record SET minutes = 600 WHERE status = 'approved'",
        "DELETE FROM service_record WHERE status = 'approved'",
      ] {
        await #expect(throws: PostgresStoreError.self) {
          try await store.write { session in try await session.execute(PostgresQuery(unsafeSQL: sql)) }
        }
      }
      #expect(try await store.verifyAudit(keySet: JWKSet(keys: [])).problems == [])
      await store.close()
    }
  }

  @Test("the store setting: from the file and VOLUNTEER_STORE, a bad URL stops validation")
  func configuration() throws {
    var settings = try JSONDecoder().decode(
      ServiceConfiguration.self, from: Data(#"{"store": "postgres://a@db/x"}"#.utf8))
    #expect(settings.store == "postgres://a@db/x")
    settings.certificatePath = TestPKI.path("server.crt")
    settings.privateKeyPath = TestPKI.path("server.key")
    settings.clientCAPath = TestPKI.path("ca.crt")
    settings.policyDirectory = repositoryPath("Policies")
    try settings.applyEnvironment(["VOLUNTEER_STORE": "postgres://b@db/y?sslmode=require"])
    #expect(settings.store == "postgres://b@db/y?sslmode=require")
    try settings.validate()
    settings.store = "postgres://db/y"
    #expect(throws: ConfigurationError.self) { try settings.validate() }
    #expect(ServiceConfiguration().store == nil)
    let location = try PostgresStoreLocation(url: "postgres://u:p%40ss@h:1/d?sslmode=verify-full&sslrootcert=/ca.pem")
    #expect(try PostgresStoreLocation(url: location.url) == location)
  }

  @Test("rows or entries changed behind the service, and a disabled trigger, fail verification")
  func tamperingIsCaught() async throws {
    try await TestPostgres.withDatabase { location in
      let store = try await StoreHarness.openPostgres(location)
      let world = try await self.fixtures.ledgerWorld(store)
      #expect(try await store.verifyAudit(keySet: JWKSet(keys: [])).problems == [])
      // Written directly, outside the store's write transactions: nothing seals these.
      let edits = [
        "UPDATE volunteer SET real_name = 'someone else' WHERE number = '\(world.volunteer)'",
        "UPDATE audit_entry SET method = 'forged' WHERE seq = 1",
        "ALTER TABLE activity DISABLE TRIGGER audit_activity",
      ]
      try await TestPostgres.administer(location) { session in
        for sql in edits { try await session.execute(PostgresQuery(unsafeSQL: sql)) }
      }
      let problems = try await store.verifyAudit(keySet: JWKSet(keys: [])).problems
      #expect(problems.contains { $0.contains("volunteer") && $0.contains("changed outside the service") })
      #expect(problems.contains { $0.contains("outside any service call") })
      #expect(problems.contains { $0.contains("activity: audit trigger is missing, disabled or altered") })
      #expect(problems.contains { $0.lowercased().contains("entry 1") || $0.contains("hash") })
      await store.close()
    }
  }

  @Test(
    "a database that cannot be reached stops the start with an error naming it, not a wait",
    .timeLimit(.minutes(1)))
  func unreachableDatabaseFailsTheStart() async throws {
    // Port 1 on loopback refuses connections: the pool would retry it forever.
    let location = try PostgresStoreLocation(url: "postgres://app:pw@127.0.0.1:1/records?sslmode=disable")
    let clock = ContinuousClock()
    let started = clock.now
    do {
      let store = try await PostgresRecordStore(
        location: location, startupTimeout: .seconds(2),
        logger: Logger(label: "test.unreachable", factory: { _ in SwiftLogNoOpLogHandler() }))
      await store.close()
      Issue.record("the store started without a database")
    } catch let error as PostgresStoreError {
      #expect(error.description.contains("127.0.0.1:1"), "\(error)")
    }
    #expect(clock.now - started < .seconds(20))
  }

  @Test("backup refuses and points to pg_dump")
  func backupRefused() async throws {
    try await StoreHarness.withStore(.postgres) { store in
      do {
        _ = try await store.backup(to: "/tmp/never-written.sqlite")
        Issue.record("the PostgreSQL store wrote a backup file")
      } catch RecordStoreError.failedPrecondition(let message) {
        #expect(message.contains("pg_dump"))
      }
    }
  }

  @Test("two instances, same keys, overlapping times: one record per key, no overlap twice")
  func twoInstances() async throws {
    try await TestPostgres.withDatabase { location in
      let first = try await StoreHarness.openPostgres(location)
      let second = try await StoreHarness.openPostgres(location)
      // Each round: a new volunteer, and the same 6 records (3 pairs overlapping each other)
      // under the same keys sent to both instances at once, as batches and singly.
      let shapes = [(0, 2), (1, 3), (4, 6), (5, 7), (8, 9), (8, 10)]
      var volunteers: [String] = []
      for round in 0..<5 {
        let world = try await self.fixtures.ledgerWorld(first, document: round + 1)
        volunteers.append(world.volunteer)
        let batch = shapes.enumerated().map { index, hours in
          NewRecord(
            makeRecord: StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: hours.0, to: hours.1),
            idempotency: self.fixtures.claim("round\(round)-\(index)", digest: [UInt8(index)]))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
          for store in [first, second] {
            group.addTask { _ = try await store.logRecords(batch) }
            for entry in batch {
              group.addTask { _ = try? await store.logRecord(entry.makeRecord, idempotency: entry.idempotency) }
            }
          }
          try await group.waitForAll()
        }
      }
      for (round, volunteer) in volunteers.enumerated() {
        let records = try await second.records(
          ofVolunteer: volunteer, status: nil, page: PageRequest(size: 100), withinScope: "national"
        )?.records.items ?? []
        // One of each overlapping pair fits: 3 records, none overlapping another.
        #expect(records.count == 3)
        for (index, record) in records.enumerated() {
          for other in records[(index + 1)...] {
            #expect(!record.span.overlaps(other.span), "\(record.id) overlaps \(other.id)")
          }
        }
        // Every accepted key names exactly one record, the same from both instances.
        var named: Set<String> = []
        for index in shapes.indices {
          let claim = self.fixtures.claim("round\(round)-\(index)", digest: [UInt8(index)])
          let a = try await first.replayedRecord(for: claim)
          #expect(a == (try await second.replayedRecord(for: claim)))
          if let a { named.insert(a.id) }
        }
        #expect(named == Set(records.map(\.id)))
      }
      let report = try await first.verifyAudit(keySet: JWKSet(keys: []))
      #expect(report.problems == [])
      await first.close()
      await second.close()
    }
  }

  @Test("approvals from two instances never pass the daily cap together")
  func capAcrossInstances() async throws {
    try await TestPostgres.withDatabase { location in
      let first = try await StoreHarness.openPostgres(location)
      let second = try await StoreHarness.openPostgres(location)
      let world = try await self.fixtures.ledgerWorld(first)
      let a = try await first.logRecord(
        StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 6, to: 11),
        idempotency: self.fixtures.claim("a", digest: [1])).value.id
      let b = try await first.logRecord(
        StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 12, to: 17),
        idempotency: self.fixtures.claim("b", digest: [2])).value.id
      // 5 h each: either fits the 8 h cap alone, both together do not.
      async let viaFirst = first.reviewRecords(
        ids: [a], decision: .approve(note: nil, override: .none), by: "r", at: Date(),
        policy: .national, withinScope: "national")
      async let viaSecond = second.reviewRecords(
        ids: [b], decision: .approve(note: nil, override: .none), by: "r", at: Date(),
        policy: .national, withinScope: "national")
      let outcomes = try await viaFirst + viaSecond
      #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)
      let totals = try await second.records(
        ofVolunteer: world.volunteer, status: nil, page: PageRequest(size: 10), withinScope: "national")?.totals
      #expect(totals?.approvedMinutes == 300)
      await first.close()
      await second.close()
    }
  }

  @Test("the same writes give the same audit row digests on SQLite and PostgreSQL")
  func digestsMatchSQLite() async throws {
    // One registration for both: its sealed document (random nonce) must be the same bytes.
    let registration = try self.fixtures.volunteer(id: StoreFixtures.residentID(sequence: 7))
    let sqlite = try await StoreHarness.withStore(.sqlite) { store in
      try await self.auditedWrites(store, registration: registration)
    }
    let postgres = try await StoreHarness.withStore(.postgres) { store in
      try await self.auditedWrites(store, registration: registration)
    }
    #expect(sqlite.count == postgres.count)
    #expect(!sqlite.isEmpty)
    for (left, right) in zip(sqlite, postgres) {
      #expect(left == right)
    }
  }

  /// A fixed set of writes touching every kind of column (text, integers, booleans, blobs,
  /// dates, NULLs), and the audit targets they produced, excluding the bootstrap entry,
  /// whose dates are the clock's.
  private func auditedWrites(_ store: any RecordStore, registration: NewVolunteer) async throws -> [AuditTarget] {
    let start = try await store.auditHead().size
    let world = try await self.fixtures.ledgerWorld(store, registration: registration)
    let record = try await store.logRecord(
      StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 9, to: 12),
      idempotency: self.fixtures.claim("d1", digest: [1])).value
    _ = try await store.reviewRecords(
      ids: [record.id], decision: .approve(note: "ok", override: .none), by: "reviewer",
      at: Date(timeIntervalSince1970: 1_772_600_000.25), policy: .national, withinScope: "national")
    _ = try await store.withdrawVolunteer(
      number: world.volunteer, at: Date(timeIntervalSince1970: 1_772_700_000.5), withinScope: "national")
    let head = try await store.auditHead().size
    return try await store.auditEntries(from: start + 1, through: head, limit: 100).flatMap(\.targets)
  }
}
