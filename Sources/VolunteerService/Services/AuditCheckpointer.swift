import AuditTrail
import Foundation
import Logging

/// Signs checkpoints of the audit chain's head with the service's current signing key, on
/// demand and at a fixed interval.
struct AuditCheckpointer: Sendable {
  let store: any RecordStore
  let keys: SigningKeys

  /// Signs and stores a checkpoint of the current head (or returns the one that exists);
  /// `nil` while the chain is empty.
  func checkpoint(at date: Date = Date()) async throws -> AuditCheckpoint? {
    let key = try await self.keys.signingKey(at: date)
    return try await self.store.checkpointAudit(key: key, at: date)
  }

  /// Checkpoints every `interval` until cancelled; a failure is logged and retried at the
  /// next tick, never fatal to the service.
  func run(every interval: Duration, logger: Logger) async {
    while !Task.isCancelled {
      do {
        try await Task.sleep(for: interval)
      } catch {
        return
      }
      do {
        if let checkpoint = try await self.checkpoint() {
          logger.debug("audit checkpoint", metadata: ["size": "\(checkpoint.size)"])
        }
      } catch {
        logger.error("audit checkpoint failed", metadata: ["error": "\(error)"])
      }
    }
  }
}
