import AuditTrail
import Credentials
import Foundation
import GRDB

// The audit log on SQLite: see ``SQLiteAuditLog`` for how entries are written.
extension SQLiteRecordStore {
  public func auditHead() async throws -> AuditHead {
    try await self.pool.read { db in try SQLiteAuditLog.head(db) }
  }

  public func verifyAudit(keySet: JWKSet) async throws -> AuditReport {
    try await self.pool.read { db in
      let checkpoints = try SQLiteAuditLog.checkpoints(db)
      var verifier = AuditChainVerifier(checkpointSizes: Set(checkpoints.map(\.size)))
      try SQLiteAuditLog.forEachEntry(db) { verifier.add($0) }
      for checkpoint in checkpoints { verifier.check(checkpoint, keySet: keySet) }
      var report = verifier.report
      try SQLiteAuditLog.verifyRows(db, into: &report)
      return report
    }
  }

  public func checkpointAudit(key: Ed25519SigningKey, at date: Date) async throws -> AuditCheckpoint? {
    // In the writer, so the head cannot move between reading and storing it.
    try await self.writer.write { db in
      let head = try SQLiteAuditLog.head(db)
      guard head.size > 0 else { return nil }
      if let existing = try SQLiteAuditLog.checkpoints(db).last, existing.size == head.size {
        return existing
      }
      let checkpoint = try AuditCheckpoint.sign(
        size: head.size, headHash: head.hash, at: AuditEntry.timestamp(date), key: key)
      try SQLiteAuditLog.storeCheckpoint(checkpoint, db)
      return checkpoint
    }
  }

  public func auditEntries(from first: Int64, through last: Int64, limit: Int) async throws -> [AuditEntry] {
    let upper = min(last, first + Int64(max(limit, 1)) - 1)
    return try await self.pool.read { db in
      var entries: [AuditEntry] = []
      try SQLiteAuditLog.forEachEntry(db, from: first, through: upper) { entries.append($0) }
      return entries
    }
  }

  public func auditCheckpoints() async throws -> [AuditCheckpoint] {
    try await self.pool.read { db in try SQLiteAuditLog.checkpoints(db) }
  }
}
