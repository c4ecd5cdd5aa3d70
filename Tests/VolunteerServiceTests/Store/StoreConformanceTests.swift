import AuditTrail
import Credentials
import Foundation
import Testing

@testable import VolunteerService

/// The rules every ``RecordStore`` must keep, written once and run against each store.
///
/// The PostgreSQL runs need `VOLUNTEER_TEST_POSTGRES_URL` (scripts/test.sh starts a cluster
/// and sets it); without it they fail and say how to start one.
@Suite("Record store conformance")
struct StoreConformanceTests {
  let fixtures = StoreFixtures()

  @Test("bootstrap is idempotent", arguments: StoreKind.allCases)
  func bootstrapIdempotent(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let other = Principal(
        id: "admin", role: .admin, scopeOrganisationID: "national", displayName: "other",
        createdAt: Date(), createdBy: "bootstrap")
      try await store.bootstrap(root: StoreHarness.root, admin: other)
      #expect(try await store.principal(id: "admin")?.displayName == "admin")
      #expect(try await store.organisation(id: "national", withinScope: "national")?.path == "/national/")
    }
  }

  @Test("registration assigns numbers; retries replay; other content with the same key conflicts",
    arguments: StoreKind.allCases)
  func idempotentRegistration(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let first = try await store.registerVolunteer(
        try self.fixtures.volunteer(id: "11010519491231002X"), idempotency: self.fixtures.claim("k1", digest: [1]))
      guard case .created(let record) = first else {
        Issue.record("expected a new record")
        return
      }
      #expect(record.number == VolunteerNumber(sequence: 1).value)
      let retry = try await store.registerVolunteer(
        try self.fixtures.volunteer(id: "11010519491231002X"), idempotency: self.fixtures.claim("k1", digest: [1]))
      guard case .replayed(let replayed) = retry else {
        Issue.record("expected a replay")
        return
      }
      #expect(replayed.number == record.number)
      #expect(replayed.sealedDocumentNumber == record.sealedDocumentNumber)
      await #expect(throws: RecordStoreError.idempotencyConflict(key: "k1")) {
        _ = try await store.registerVolunteer(
          try self.fixtures.volunteer(id: "11010519491231002X"), idempotency: self.fixtures.claim("k1", digest: [2]))
      }
      await #expect(throws: RecordStoreError.duplicateDocument(existingNumber: record.number)) {
        _ = try await store.registerVolunteer(
          try self.fixtures.volunteer(id: "11010519491231002X"), idempotency: self.fixtures.claim("k2", digest: [3]))
      }
    }
  }

  @Test("reads are confined to the caller's scope", arguments: StoreKind.allCases)
  func scopedReads(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let beijing = try await store.addOrganisation(
        Organisation(
          id: "beijing", parentID: "national", kind: .province, name: "Beijing", regionCode: "110000", path: ""))
      _ = try await store.addOrganisation(
        Organisation(
          id: "shanghai", parentID: "national", kind: .province, name: "Shanghai", regionCode: "310000", path: ""))
      #expect(beijing.path == "/national/beijing/")
      let record = try await store.registerVolunteer(
        try self.fixtures.volunteer(id: "11010519491231002X", organisation: "beijing"),
        idempotency: self.fixtures.claim("k1", digest: [1])
      ).value
      #expect(try await store.volunteer(number: record.number, withinScope: "beijing") != nil)
      #expect(try await store.volunteer(number: record.number, withinScope: "national") != nil)
      #expect(try await store.volunteer(number: record.number, withinScope: "shanghai") == nil)
      #expect(try await store.organisation(id: "beijing", withinScope: "shanghai") == nil)
      #expect(try await store.subtree(of: "national", withinScope: "national")?.map(\.id) == ["national", "beijing", "shanghai"])
      #expect(try await store.children(of: "national", withinScope: "beijing") == nil)
    }
  }

  @Test("concurrent writes all land, each failure stays its own", arguments: StoreKind.allCases)
  func concurrentWrites(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      // 100 registrations of 50 distinct documents, each sent twice under different keys:
      // exactly one of each pair is created and the other is refused as a duplicate.
      let ids = (0..<50).map { StoreFixtures.residentID(sequence: $0) }
      let results = try await withThrowingTaskGroup(of: Result<String, RecordStoreError>.self) { group in
        for (index, id) in (ids + ids).enumerated() {
          let volunteer = try self.fixtures.volunteer(id: id)
          let claim = self.fixtures.claim("key-\(index)", digest: [UInt8(index % 256)])
          group.addTask {
            do {
              return .success(try await store.registerVolunteer(volunteer, idempotency: claim).value.number)
            } catch let error as RecordStoreError {
              return .failure(error)
            }
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      let numbers = results.compactMap { try? $0.get() }
      #expect(numbers.count == 50)
      #expect(Set(numbers) == Set((1...50).map { VolunteerNumber(sequence: $0).value }))
      let duplicates = results.filter {
        if case .failure(.duplicateDocument) = $0 { true } else { false }
      }
      #expect(duplicates.count == 50)
    }
  }

  @Test("a record replays under its key, conflicts under other content, and refuses overlaps",
    arguments: StoreKind.allCases)
  func recordIdempotencyAndOverlap(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let world = try await self.fixtures.ledgerWorld(store)
      let make = StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 9, to: 12)
      let first = try await store.logRecord(make, idempotency: self.fixtures.claim("r1", digest: [1]))
      guard case .created(let record) = first else {
        Issue.record("expected a new record")
        return
      }
      #expect(record.id == ServiceRecord.id(sequence: 1))
      let again = try await store.logRecord(make, idempotency: self.fixtures.claim("r1", digest: [1]))
      #expect(again.value == record)
      if case .created = again { Issue.record("a retry created a second record") }
      #expect(try await store.replayedRecord(for: self.fixtures.claim("r1", digest: [1])) == record)
      await #expect(throws: RecordStoreError.idempotencyConflict(key: "r1")) {
        _ = try await store.logRecord(make, idempotency: self.fixtures.claim("r1", digest: [9]))
      }
      let overlapping = StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 11, to: 13)
      do {
        _ = try await store.logRecord(overlapping, idempotency: self.fixtures.claim("r2", digest: [2]))
        Issue.record("an overlapping record was accepted")
      } catch RecordStoreError.failedPrecondition(let message) {
        #expect(message.contains(record.id))
      }
      // Touching end to start is no overlap.
      let after = StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 12, to: 14)
      #expect(try await store.logRecord(after, idempotency: self.fixtures.claim("r3", digest: [3])).value.id
        == ServiceRecord.id(sequence: 2))
    }
  }

  @Test("a batch decides each record alone, overlaps inside it by position", arguments: StoreKind.allCases)
  func batchSavepoints(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let world = try await self.fixtures.ledgerWorld(store)
      let batch = [(9, 11), (10, 12), (13, 15)].enumerated().map { index, hours in
        NewRecord(
          makeRecord: StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: hours.0, to: hours.1),
          idempotency: self.fixtures.claim("b\(index)", digest: [UInt8(index)]))
      }
      let results = try await store.logRecords(batch)
      #expect(results.count == 3)
      #expect((try? results[0].get())?.value.id == ServiceRecord.id(sequence: 1))
      #expect((try? results[1].get()) == nil)
      #expect((try? results[2].get())?.value.id == ServiceRecord.id(sequence: 2))
      let page = try await store.records(
        ofVolunteer: world.volunteer, status: nil, page: PageRequest(size: 10), withinScope: "national")
      #expect(page?.records.items.count == 2)
      // The whole batch again replays: no new rows.
      let replays = try await store.logRecords(batch)
      #expect(replays.compactMap { try? $0.get() }.allSatisfy { if case .replayed = $0 { true } else { false } })
      let after = try await store.records(
        ofVolunteer: world.volunteer, status: nil, page: PageRequest(size: 10), withinScope: "national")
      #expect(after?.records.items.count == 2)
    }
  }

  @Test("approvals keep totals and the daily cap; corrections append, never edit",
    arguments: StoreKind.allCases)
  func reviewTotalsAndCap(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let world = try await self.fixtures.ledgerWorld(store)
      var ids: [String] = []
      for (index, hours) in [(6, 11), (12, 17)].enumerated() {
        ids.append(
          try await store.logRecord(
            StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: hours.0, to: hours.1),
            idempotency: self.fixtures.claim("c\(index)", digest: [UInt8(index)])
          ).value.id)
      }
      let policy = LedgerPolicy.national
      let reviewed = try await store.reviewRecords(
        ids: ids, decision: .approve(note: nil, override: .none), by: "reviewer",
        at: Date(timeIntervalSince1970: 1_772_600_000), policy: policy, withinScope: "national")
      // 5 h approve; another 5 h the same day would be 10 h, over the 8 h normal cap.
      #expect((try? reviewed[0].get())??.status == .approved)
      #expect(throws: RecordStoreError.self) { try reviewed[1].get() }
      let withOverride = try await store.reviewRecords(
        ids: [ids[1]], decision: .approve(note: "long day", override: .verifyingOrganisation),
        by: "reviewer", at: Date(timeIntervalSince1970: 1_772_600_000), policy: policy, withinScope: "national")
      #expect((try? withOverride[0].get())??.status == .approved)
      var totals = try await store.records(
        ofVolunteer: world.volunteer, status: .approved, page: PageRequest(size: 10), withinScope: "national")?.totals
      #expect(totals == VolunteerTotals(approvedMinutes: 600, approvedCreditedHalfHours: 20, approvedRecords: 2))
      let correction = try await store.correctRecord(
        id: ids[0], correction: .adjustment(deltaMinutes: -60), reason: "left early",
        idempotency: self.fixtures.claim("fix", digest: [7]), by: "reviewer",
        at: Date(timeIntervalSince1970: 1_772_700_000), policy: policy, withinScope: "national")
      #expect(correction?.value.kind == .adjustment)
      #expect(correction?.value.correctsRecordID == ids[0])
      totals = try await store.records(
        ofVolunteer: world.volunteer, status: .approved, page: PageRequest(size: 10), withinScope: "national")?.totals
      #expect(totals?.approvedMinutes == 540)
      #expect(totals?.approvedRecords == 2)
      // Rejecting an approved record is refused: approved entries are final.
      let contrary = try await store.reviewRecords(
        ids: [ids[0]], decision: .reject(reason: "changed my mind"), by: "reviewer",
        at: Date(), policy: policy, withinScope: "national")
      #expect(throws: RecordStoreError.self) { try contrary[0].get() }
      let evidence = try await store.evidenceRecords(ofVolunteer: world.volunteer)
      #expect(evidence.map(\.recordID) == ids)
      #expect(evidence.map(\.minutes) == [240, 300])
      let statistics = try await store.statistics(
        of: "national", from: nil, before: Date(timeIntervalSince1970: 1_800_000_000),
        starThresholdsHours: [10, 100], withinScope: "national")
      #expect(statistics?.approvedMinutes == 540)
      #expect(statistics?.approvedRecords == 2)
      #expect(statistics?.registeredVolunteers == 1)
    }
  }

  @Test("credentials get unique status-list positions; a revocation is final", arguments: StoreKind.allCases)
  func credentials(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let world = try await self.fixtures.ledgerWorld(store)
      let issued = try await withThrowingTaskGroup(of: IssuedCredential.self) { group in
        for index in 0..<24 {
          let claim = self.fixtures.claim("cred-\(index)", digest: [UInt8(index)])
          group.addTask {
            try await store.issueCredential(idempotency: claim, listSize: 64) { number, revocation, suspension in
              IssuedCredential(
                number: number, volunteerNumber: world.volunteer, organisationID: "national",
                token: "token-\(number)", kid: "k1", issuedAt: Date(timeIntervalSince1970: 1_772_800_000),
                validUntil: nil, revocationIndex: revocation, suspensionIndex: suspension, state: .active,
                issuedBy: "partner", starLevel: 1, policyID: "national", policyVersion: 1,
                evidenceDigest: "digest", evidenceRecords: 0, evidence: "[]")
            }.value
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(Set(issued.map(\.number)).count == 24)
      #expect(Set(issued.map(\.revocationIndex)).count == 24)
      #expect(Set(issued.map(\.suspensionIndex)).count == 24)
      let number = issued[0].number
      let revoked = try await store.setCredentialState(
        number: number, to: .revoked, reason: "lost", by: "admin", at: Date(), withinScope: "national")
      #expect(revoked?.state == .revoked)
      await #expect(throws: RecordStoreError.self) {
        _ = try await store.setCredentialState(
          number: number, to: .active, reason: "found", by: "admin", at: Date(), withinScope: "national")
      }
      #expect(try await store.statusListPositions(of: .revoked) == [issued[0].revocationIndex])
      #expect(try await store.countCredentials(matching: CredentialFilter(organisationID: "national")) == 24)
      let page = try await store.credentials(
        matching: CredentialFilter(organisationID: "national", state: .active), page: PageRequest(size: 10),
        withinScope: "national")
      #expect(page?.items.count == 10)
      #expect(page?.nextAfterSequence != nil)
    }
  }

  @Test("every write is one chained audit entry that verifies; a replay adds none", arguments: StoreKind.allCases)
  func auditChain(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let before = try await store.auditHead()
      let world = try await self.fixtures.ledgerWorld(store)
      let afterWorld = try await store.auditHead()
      #expect(afterWorld.size == before.size + 2)
      let make = StoreFixtures.record(volunteer: world.volunteer, activity: world.activity, from: 9, to: 10)
      try await AuditContext.$current.withValue(AuditContext(principalID: "partner", method: "volunteer.v1.Hours/LogHours")) {
        _ = try await store.logRecord(make, idempotency: self.fixtures.claim("a1", digest: [1]))
        _ = try await store.logRecord(make, idempotency: self.fixtures.claim("a1", digest: [1]))
      }
      let head = try await store.auditHead()
      #expect(head.size == afterWorld.size + 1)
      let entries = try await store.auditEntries(from: head.size, through: head.size, limit: 10)
      #expect(entries.first?.principalID == "partner")
      #expect(entries.first?.method == "volunteer.v1.Hours/LogHours")
      #expect(entries.first?.targets.map(\.table) == ["service_record"])
      #expect(entries.first?.hash == head.hash)
      let report = try await store.verifyAudit(keySet: JWKSet(keys: []))
      #expect(report.problems == [])
      #expect(report.entries == head.size)
    }
  }

  @Test("policies version forward only", arguments: StoreKind.allCases)
  func policies(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let json = try String(contentsOfFile: repositoryPath("Policies/national.json"), encoding: .utf8)
      let policy = try EvaluationPolicy(json: Data(json.utf8))
      let stored = StoredPolicy(policy: policy, loadedAt: Date(timeIntervalSince1970: 1_772_000_000), loadedBy: "admin")
      guard case .created = try await store.storePolicy(stored) else {
        Issue.record("expected the first version to be stored")
        return
      }
      guard case .replayed = try await store.storePolicy(stored) else {
        Issue.record("expected the same document to replay")
        return
      }
      #expect(try await store.policy(id: policy.id, version: nil)?.policy == policy)
      #expect(try await store.policies().count == 1)
    }
  }
}
