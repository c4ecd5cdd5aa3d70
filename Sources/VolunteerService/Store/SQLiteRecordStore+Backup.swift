import AuditTrail
import Foundation
import GRDB

// Online backup: VACUUM INTO from a connection of its own.
extension SQLiteRecordStore {
  public func backup(to path: String) async throws -> StoreBackup {
    guard !FileManager.default.fileExists(atPath: path) else {
      throw RecordStoreError.failedPrecondition("the backup file \(path) already exists")
    }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(10)
    let takenAt = Date()
    // VACUUM cannot run inside a transaction, so not through the pool's readers. A read-only
    // connection of its own reads one WAL snapshot for the whole copy and never blocks the
    // writer; the copy is compacted and holds no free pages (and so no erased data).
    let source = try DatabaseQueue(path: self.pool.path, configuration: configuration)
    try await source.writeWithoutTransaction { db in
      try db.execute(sql: "VACUUM INTO ?", arguments: [path])
    }
    try source.close()
    do {
      let snapshot = try DatabaseQueue(path: path, configuration: configuration)
      defer { try? snapshot.close() }
      let (check, head) = try await snapshot.read { db in
        (try String.fetchAll(db, sql: "PRAGMA quick_check"), try SQLiteAuditLog.head(db))
      }
      guard check == ["ok"] else {
        throw RecordStoreError.failedPrecondition(
          "the snapshot failed SQLite's quick_check: \(check.prefix(3).joined(separator: "; "))")
      }
      let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
      return StoreBackup(sizeBytes: size, auditHead: head, takenAt: takenAt)
    } catch {
      try? FileManager.default.removeItem(atPath: path)
      throw error
    }
  }
}
