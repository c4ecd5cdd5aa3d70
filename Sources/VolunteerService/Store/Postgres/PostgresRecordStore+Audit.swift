import AuditTrail
import Credentials
import Foundation
import PostgresNIO

// The audit log on PostgreSQL (see ``PostgresAuditLog``), and backups, which are pg_dump's job.
extension PostgresRecordStore {
  public func auditHead() async throws -> AuditHead {
    try await self.read { session in try await PostgresAuditLog.head(session) }
  }

  public func verifyAudit(keySet: JWKSet) async throws -> AuditReport {
    try await self.read { session in
      let checkpoints = try await PostgresAuditLog.checkpoints(session)
      var verifier = AuditChainVerifier(checkpointSizes: Set(checkpoints.map(\.size)))
      try await PostgresAuditLog.forEachEntry(session) { verifier.add($0) }
      for checkpoint in checkpoints { verifier.check(checkpoint, keySet: keySet) }
      var report = verifier.report
      try await PostgresAuditLog.verifyRows(session, into: &report)
      return report
    }
  }

  public func checkpointAudit(key: Ed25519SigningKey, at date: Date) async throws -> AuditCheckpoint? {
    // Under the write lock, so the head cannot move between reading and storing it.
    try await self.write { session in
      let head = try await PostgresAuditLog.head(session)
      guard head.size > 0 else { return nil }
      if let existing = try await PostgresAuditLog.checkpoints(session).last, existing.size == head.size {
        return existing
      }
      let checkpoint = try AuditCheckpoint.sign(
        size: head.size, headHash: head.hash, at: AuditEntry.timestamp(date), key: key)
      try await PostgresAuditLog.storeCheckpoint(checkpoint, session)
      return checkpoint
    }
  }

  public func auditEntries(from first: Int64, through last: Int64, limit: Int) async throws -> [AuditEntry] {
    let upper = min(last, first + Int64(max(limit, 1)) - 1)
    return try await self.read { session in
      var entries: [AuditEntry] = []
      try await PostgresAuditLog.forEachEntry(session, from: first, through: upper) { entries.append($0) }
      return entries
    }
  }

  public func auditCheckpoints() async throws -> [AuditCheckpoint] {
    try await self.read { session in try await PostgresAuditLog.checkpoints(session) }
  }

  /// Refused: a consistent copy of a PostgreSQL database, without stopping the instances
  /// writing to it, is what `pg_dump` (or a base backup with WAL archiving) does.
  public func backup(to path: String) async throws -> StoreBackup {
    throw RecordStoreError.failedPrecondition(
      "the PostgreSQL store is backed up by the database, not the service: run "
        + "`pg_dump --format=custom --file=\(path) DATABASE` (one consistent snapshot while "
        + "instances keep writing), or use base backups with WAL archiving (see docs/DEPLOYMENT.md)")
  }
}
