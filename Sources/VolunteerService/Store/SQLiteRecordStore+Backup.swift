import AuditTrail
import Foundation
import GRDB

// Online backup: VACUUM INTO from a connection of its own.
extension SQLiteRecordStore {
  /// Free space a backup leaves for the writer beyond the copy itself.
  static let backupSpareBytes = 64 * 1_048_576

  public func backup(to path: String) async throws -> StoreBackup {
    guard !FileManager.default.fileExists(atPath: path) else {
      throw RecordStoreError.failedPrecondition("the backup file \(path) already exists")
    }
    // The copy needs about the database's size; refuse early rather than fill the disk the
    // writer needs.
    let manager = FileManager.default
    let databaseSize = [self.pool.path, self.pool.path + "-wal"].reduce(0) { total, file in
      total + ((try? manager.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
    }
    let destination = (path as NSString).deletingLastPathComponent
    if let free = try? manager.attributesOfFileSystem(forPath: destination.isEmpty ? "." : destination)[.systemFreeSize] as? Int,
      free < databaseSize + Self.backupSpareBytes
    {
      throw RecordStoreError.failedPrecondition(
        "not enough free space for a backup: \(free / 1_048_576) MiB free beside the database, \(databaseSize / 1_048_576) MiB needed plus \(Self.backupSpareBytes / 1_048_576) MiB to spare")
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
