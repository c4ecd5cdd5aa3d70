import Crypto
import Foundation
import Testing

@testable import VolunteerService

@Suite("SQLite record store")
struct SQLiteRecordStoreTests {
  let directory: String
  let store: SQLiteRecordStore
  let protector = PersonalDataProtector(
    encryptionKey: SymmetricKey(size: .bits256), hashingKey: SymmetricKey(size: .bits256))

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

  @Test("registration assigns numbers; retries replay; other content with the same key conflicts")
  func idempotentRegistration() async throws {
    let first = try await self.store.registerVolunteer(
      try self.volunteer(id: "11010519491231002X"), idempotency: self.claim("k1", digest: [1]))
    guard case .created(let record) = first else {
      Issue.record("expected a new record")
      return
    }
    #expect(record.number == VolunteerNumber(sequence: 1).value)

    let retry = try await self.store.registerVolunteer(
      try self.volunteer(id: "11010519491231002X"), idempotency: self.claim("k1", digest: [1]))
    guard case .replayed(let replayed) = retry else {
      Issue.record("expected a replay")
      return
    }
    #expect(replayed.number == record.number)

    await #expect(throws: RecordStoreError.idempotencyConflict(key: "k1")) {
      _ = try await self.store.registerVolunteer(
        try self.volunteer(id: "11010519491231002X"), idempotency: self.claim("k1", digest: [2]))
    }
    await #expect(throws: RecordStoreError.duplicateDocument(existingNumber: record.number)) {
      _ = try await self.store.registerVolunteer(
        try self.volunteer(id: "11010519491231002X"), idempotency: self.claim("k2", digest: [3]))
    }
  }

  @Test("reads are confined to the caller's scope")
  func scopedReads() async throws {
    let beijing = try await self.store.addOrganisation(
      Organisation(
        id: "beijing", parentID: "national", kind: .province, name: "Beijing",
        regionCode: "110000", path: ""))
    let shanghai = try await self.store.addOrganisation(
      Organisation(
        id: "shanghai", parentID: "national", kind: .province, name: "Shanghai",
        regionCode: "310000", path: ""))
    #expect(beijing.path == "/national/beijing/")
    let record = try await self.store.registerVolunteer(
      try self.volunteer(id: "11010519491231002X", organisation: "beijing"),
      idempotency: self.claim("k1", digest: [1])
    ).value

    #expect(try await self.store.volunteer(number: record.number, withinScope: "beijing") != nil)
    #expect(try await self.store.volunteer(number: record.number, withinScope: "national") != nil)
    #expect(try await self.store.volunteer(number: record.number, withinScope: shanghai.id) == nil)
    #expect(try await self.store.organisation(id: "beijing", withinScope: "shanghai") == nil)
  }

  @Test("group commit: concurrent writes all land, each failure stays its own")
  func concurrentWrites() async throws {
    // 200 registrations of 100 distinct documents, each sent twice under different keys:
    // exactly one of each pair is created and the other is refused as a duplicate.
    let ids = (0..<100).map { Self.residentID(sequence: $0) }
    let results = try await withThrowingTaskGroup(of: Result<String, RecordStoreError>.self) { group in
      for (index, id) in (ids + ids).enumerated() {
        let volunteer = try self.volunteer(id: id)
        let claim = self.claim("key-\(index)", digest: [UInt8(index % 256)])
        group.addTask {
          do {
            return .success(
              try await self.store.registerVolunteer(volunteer, idempotency: claim).value.number)
          } catch let error as RecordStoreError {
            return .failure(error)
          }
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let numbers = results.compactMap { try? $0.get() }
    #expect(numbers.count == 100)
    #expect(Set(numbers).count == 100)
    let duplicates = results.filter {
      if case .failure(.duplicateDocument) = $0 { true } else { false }
    }
    #expect(duplicates.count == 100)
  }

  // MARK: Fixtures

  private func claim(_ key: String, digest: [UInt8]) -> IdempotencyClaim {
    IdempotencyClaim(principalID: "partner", key: key, method: "test", requestDigest: digest)
  }

  private func volunteer(id: String, organisation: String = "national") throws -> NewVolunteer {
    let today = CalendarDate(year: 2026, month: 11, day: 28)!
    let registration = try VolunteerRegistration.validated(
      realName: "张三", documentType: .residentID, documentNumber: id, birthDate: nil, sex: nil,
      phone: nil, organisationID: organisation, guardianConsent: nil, today: today)
    let sealed = try self.protector.seal(registration.document.number)
    let hash = self.protector.documentHash(type: .residentID, number: registration.document.number)
    return NewVolunteer { number in
      VolunteerRecord(
        number: number, realName: registration.realName, documentType: .residentID,
        sealedDocumentNumber: sealed, documentHash: hash,
        maskedDocumentNumber: Masking.maskIdentifier(id), birthDate: registration.document.birthDate,
        sex: registration.document.sex, sealedPhone: nil, maskedPhone: nil,
        organisationID: organisation, guardianConsent: nil, registeredAt: Date(),
        registeredBy: "partner")
    }
  }

  /// A valid resident ID born 1990-01-01 in Beijing with the given sequence number.
  static func residentID(sequence: Int) -> String {
    let body = "11010519900101" + String(format: "%03d", sequence % 1000)
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
    let check = Array("10X98765432")[sum % 11]
    return body + String(check)
  }
}
