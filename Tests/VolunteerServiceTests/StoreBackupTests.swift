import AuditTrail
import Credentials
import Foundation
import GRDB
import Testing

@testable import VolunteerService

@Suite("Online backup")
struct StoreBackupTests {
  @Test("a backup taken while writes go on is a consistent, checked snapshot whose audit head is a prefix of the live chain")
  func backupUnderWrites() async throws {
    let directory = try makeTemporaryDirectory()
    let store = try await makeBootstrappedStore(in: directory)
    let writes = Task {
      for index in 0..<200 {
        try await store.addPrincipal(
          Principal(
            id: "partner-\(index)", role: .partner, scopeOrganisationID: "national",
            displayName: "p", createdAt: Date(), createdBy: "admin"))
      }
    }
    let path = directory + "/backup.sqlite"
    let backup = try await store.backup(to: path)
    try await writes.value
    let live = try await store.auditHead()
    #expect(backup.auditHead.size > 0 && backup.auditHead.size <= live.size)
    #expect(backup.sizeBytes == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))

    // The snapshot opens as a store of its own and its chain verifies with every row.
    let restored = try SQLiteRecordStore(path: path)
    let report = try await restored.verifyAudit(keySet: .init(keys: []))
    #expect(report.isValid, "\(report.problems)")
    #expect(try await restored.auditHead() == backup.auditHead)
    // The writes were sequential, so a consistent snapshot holds a prefix of them: partners
    // 0..<k and nothing after a gap.
    let partners = try await restored.principals(withinScope: "national").map(\.id).filter { $0 != "admin" }
    #expect(Set(partners) == Set((0..<partners.count).map { "partner-\($0)" }))

    await #expect(throws: RecordStoreError.self) { _ = try await store.backup(to: path) }
  }

  @Test("one backup at a time; snapshots a crash left behind are removed at start, nothing else")
  func slotAndLeftovers() throws {
    let slot = OperationsService.BackupSlot()
    #expect(slot.claim())
    #expect(!slot.claim())
    slot.release()
    #expect(slot.claim())

    let directory = try makeTemporaryDirectory()
    let leftover = directory + "/" + OperationsService.snapshotPrefix + "crashed" + OperationsService.snapshotSuffix
    let database = directory + "/volunteer.sqlite"
    let lookalike = directory + "/" + OperationsService.snapshotPrefix + "notes.txt"
    for path in [leftover, database, lookalike] {
      #expect(FileManager.default.createFile(atPath: path, contents: Data([1])))
    }
    OperationsService.removeLeftoverSnapshots(in: directory)
    #expect(!FileManager.default.fileExists(atPath: leftover))
    #expect(FileManager.default.fileExists(atPath: database))
    #expect(FileManager.default.fileExists(atPath: lookalike))
  }
}
