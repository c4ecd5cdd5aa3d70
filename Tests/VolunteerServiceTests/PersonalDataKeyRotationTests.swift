import AuditTrail
import Credentials
import Foundation
import Testing

@testable import VolunteerService

/// Key rotation goes through the RecordStore protocol alone, so it runs against each store.
@Suite("Personal-data key rotation")
struct PersonalDataKeyRotationTests {
  let directory: String
  let keyFile: String

  init() throws {
    self.directory = try makeTemporaryDirectory()
    self.keyFile = self.directory + "/personal-data.key"
  }

  @Test("rotation re-seals every ID and phone, re-hashes, retires the old key; the audit log verifies",
    arguments: StoreKind.allCases)
  func rotation(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let before = try PersonalDataProtector.loadOrCreate(keyFile: self.keyFile)
      var numbers: [String: (id: String, phone: String)] = [:]
      for sequence in 1...25 {
        let id = StoreFixtures.residentID(sequence: sequence)
        let phone = "1380013" + String(format: "%04d", sequence)
        numbers[try await self.register(store, id: id, phone: phone, by: before)] = (id, phone)
      }
      let withdrawn = try #require(numbers.keys.sorted().first)
      _ = try await store.withdrawVolunteer(number: withdrawn, at: Date(), withinScope: "national")

      var reports: [PersonalDataKeyRotation.Progress] = []
      let summary = try await PersonalDataKeyRotation(store: store, keyFilePath: self.keyFile, batchSize: 10)
        .run { reports.append($0) }
      #expect(summary.activeKeyID == 2)
      #expect(summary.retiredKeyIDs == [1])
      #expect(!summary.resumed)
      #expect(summary.scanned == 24)
      #expect(summary.resealed == 24)
      #expect(reports.map(\.scanned) == [10, 20, 24])

      let after = try PersonalDataProtector.loadOrCreate(keyFile: self.keyFile)
      #expect(after.keyIDs == [2])
      for row in try await store.sealedPersonalData(afterSequence: 0, limit: 100) {
        let expected = try #require(numbers[row.number])
        #expect(PersonalDataProtector.keyID(ofSealed: row.sealedDocumentNumber) == 2)
        #expect(try after.open(row.sealedDocumentNumber) == expected.id)
        #expect(try after.open(try #require(row.sealedPhone)) == expected.phone)
        #expect(row.documentHash == after.documentHash(type: .residentID, number: expected.id))
        #expect(row.documentHash != before.documentHash(type: .residentID, number: expected.id))
        // The retired generation opens nothing any more.
        #expect(throws: PersonalDataError.self) { try before.open(row.sealedDocumentNumber) }
      }
      let withdrawnRecord = try #require(try await store.volunteer(number: withdrawn, withinScope: "national"))
      #expect(withdrawnRecord.sealedDocumentNumber.isEmpty)

      // Re-registering a rotated document is still a duplicate.
      let (id, _) = try #require(numbers[numbers.keys.sorted()[1]])
      await #expect(throws: RecordStoreError.self) {
        _ = try await self.register(store, id: id, phone: nil, by: after)
      }
      let report = try await store.verifyAudit(keySet: .init(keys: []))
      #expect(report.isValid, "\(report.problems)")
    }
  }

  @Test("an interrupted rotation is readable, finds duplicates under both keys, and finishes when run again",
    arguments: StoreKind.allCases)
  func interruptedRotation(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let old = try PersonalDataProtector.loadOrCreate(keyFile: self.keyFile)
      var ids: [String: String] = [:]
      for sequence in 1...6 {
        let id = StoreFixtures.residentID(sequence: sequence)
        ids[try await self.register(store, id: id, phone: nil, by: old)] = id
      }
      // The crash: the ring of two was written, half the rows were re-sealed.
      var ring = try PersonalDataKeyFile.read(self.keyFile)
      ring.append(.random(id: PersonalDataKeyFile.nextID(after: ring)))
      try PersonalDataKeyFile.write(ring, to: self.keyFile)
      let both = try PersonalDataProtector.loadOrCreate(keyFile: self.keyFile)
      let firstHalf = try await store.sealedPersonalData(afterSequence: 0, limit: 3)
      let changed = try await store.replaceSealedPersonalData(
        try firstHalf.map { (previous: $0, next: try #require(try PersonalDataKeyRotation.resealed($0, by: both))) })
      #expect(changed == 3)

      // The service on the half-rotated directory reads both generations and matches
      // duplicates under both hashes.
      for row in try await store.sealedPersonalData(afterSequence: 0, limit: 100) {
        #expect(try both.open(row.sealedDocumentNumber) == ids[row.number])
      }
      let rows = try await store.sealedPersonalData(afterSequence: 0, limit: 100)
      for row in [rows[0], rows[5]] {
        let id = try #require(ids[row.number])
        await #expect(throws: RecordStoreError.self) {
          _ = try await self.register(store, id: id, phone: nil, by: both)
        }
      }

      let summary = try await PersonalDataKeyRotation(store: store, keyFilePath: self.keyFile).run()
      #expect(summary.resumed)
      #expect(summary.resealed == 3)
      #expect(try PersonalDataKeyFile.read(self.keyFile).map(\.id) == [2])
      let report = try await store.verifyAudit(keySet: .init(keys: []))
      #expect(report.isValid, "\(report.problems)")
    }
  }

  @Test("a row changed under the rotation is never undone: a withdrawal in between stays withdrawn",
    arguments: StoreKind.allCases)
  func compareAndSwap(kind: StoreKind) async throws {
    try await StoreHarness.withStore(kind) { store in
      let protector = try PersonalDataProtector.loadOrCreate(keyFile: self.keyFile)
      let number = try await self.register(store, id: StoreFixtures.residentID(sequence: 7), phone: nil, by: protector)
      let row = try #require(try await store.sealedPersonalData(afterSequence: 0, limit: 1).first)
      var next = row
      next.sealedDocumentNumber = try protector.seal("110105199001010077")
      _ = try await store.withdrawVolunteer(number: number, at: Date(), withinScope: "national")
      #expect(try await store.replaceSealedPersonalData([(previous: row, next: next)]) == 0)
      let record = try #require(try await store.volunteer(number: number, withinScope: "national"))
      #expect(record.sealedDocumentNumber.isEmpty)
    }
  }

  @Test("key file: a damaged file is refused with a message; next ids wrap and skip ids in use")
  func damagedKeyFileAndIDs() throws {
    try Data(repeating: 7, count: 64).write(to: URL(fileURLWithPath: self.keyFile))
    chmod(self.keyFile, 0o600)
    #expect(throws: PersonalDataError.self) { try PersonalDataKeyFile.read(self.keyFile) }
    #expect(PersonalDataKeyFile.nextID(after: [.random(id: 255)]) == 1)
    #expect(PersonalDataKeyFile.nextID(after: [.random(id: 1), .random(id: 2)]) == 3)
    #expect(PersonalDataKeyFile.nextID(after: [.random(id: 2), .random(id: 255), .random(id: 1)]) == 3)
  }

  @Test("one process per data directory: a second lock is refused, released when the holder goes")
  func dataDirectoryLock() throws {
    var first: DataDirectoryLock? = try DataDirectoryLock(directory: self.directory)
    #expect(throws: DataDirectoryLockError.self) { try DataDirectoryLock(directory: self.directory) }
    withExtendedLifetime(first) {}
    first = nil
    _ = try DataDirectoryLock(directory: self.directory)
  }

  private func register(
    _ store: any RecordStore, id: String, phone: String?, by protector: PersonalDataProtector
  ) async throws -> String {
    let today = CalendarDate(year: 2026, month: 11, day: 28)!
    let registration = try VolunteerRegistration.validated(
      realName: "张三", documentType: .residentID, documentNumber: id, birthDate: nil, sex: nil,
      phone: phone, organisationID: "national", guardianConsent: nil, today: today)
    let sealed = try protector.seal(id)
    let sealedPhone = try phone.map { try protector.seal($0) }
    let hashes = protector.documentHashes(type: .residentID, number: id)
    let outcome = try await store.registerVolunteer(
      NewVolunteer(olderDocumentHashes: Array(hashes.dropFirst())) { number in
        VolunteerRecord(
          number: number, realName: registration.realName, documentType: .residentID,
          sealedDocumentNumber: sealed, documentHash: hashes[0],
          maskedDocumentNumber: Masking.maskIdentifier(id), birthDate: registration.document.birthDate,
          sex: registration.document.sex, sealedPhone: sealedPhone, maskedPhone: phone.map(Masking.maskIdentifier),
          organisationID: "national", guardianConsent: nil, registeredAt: Date(), registeredBy: "admin")
      },
      idempotency: IdempotencyClaim(principalID: "admin", key: UUID().uuidString, method: "test", requestDigest: []))
    guard case .created(let record) = outcome else { throw PersonalDataError(message: "not created") }
    return record.number
  }
}
