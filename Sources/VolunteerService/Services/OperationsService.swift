import AuditTrail
import Crypto
import Foundation
import GRPCCore
import Logging
import Synchronization
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Operations`: online backups of the store.
///
/// A backup holds every organisation's records, so only admins scoped to the root may take
/// one (the role check is ``MethodPolicy``'s, the scope check here).
struct OperationsService: Volunteer_V1_Operations.SimpleServiceProtocol {
  let store: any RecordStore
  let rootOrganisationID: String
  /// Where the snapshot is written before it is streamed: the data directory, so it lies on
  /// the database's file system and the copy needs no more space than the database itself.
  let scratchDirectory: String

  let logger: Logger
  /// One backup at a time: each needs disk space the size of the database.
  let slot = BackupSlot()

  /// Bytes per streamed chunk: a quarter of the default 4 MiB frame limit.
  static let chunkSize = 1 << 20

  /// The name prefix and suffix of snapshots being streamed, which a crash can leave behind
  /// and the next start removes (``removeLeftoverSnapshots(in:)``).
  static let snapshotPrefix = "backup-"
  static let snapshotSuffix = ".sqlite.partial"

  /// Claims the one backup slot.
  final class BackupSlot: Sendable {
    private let taken = Mutex(false)

    /// `false` when a backup is already running.
    func claim() -> Bool {
      self.taken.withLock { taken in
        if taken { return false }
        taken = true
        return true
      }
    }

    func release() { self.taken.withLock { $0 = false } }
  }

  /// Deletes snapshots a crash left in `directory` while they were streamed.
  static func removeLeftoverSnapshots(in directory: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names where name.hasPrefix(Self.snapshotPrefix) && name.hasSuffix(Self.snapshotSuffix) {
      try? FileManager.default.removeItem(atPath: directory + "/" + name)
    }
  }

  func backup(
    request: Volunteer_V1_BackupRequest, response: RPCWriter<Volunteer_V1_BackupChunk>,
    context: ServerContext
  ) async throws {
    let caller = try Caller.requiredAtRoot(
      self.rootOrganisationID, because: "a backup holds every organisation's records",
      mayThen: "take one")
    guard self.slot.claim() else {
      throw RPCError(
        code: .resourceExhausted,
        message: "a backup is already being taken; retry when it has finished")
    }
    defer { self.slot.release() }
    let path = self.scratchDirectory + "/" + Self.snapshotPrefix + UUID().uuidString + Self.snapshotSuffix
    defer { try? FileManager.default.removeItem(atPath: path) }
    let backup = try await withDomainErrors { try await self.store.backup(to: path) }
    self.logger.info(
      "backup taken",
      metadata: [
        "principal": "\(caller.id)", "bytes": "\(backup.sizeBytes)",
        "audit-size": "\(backup.auditHead.size)",
      ])
    guard let file = FileHandle(forReadingAtPath: path) else {
      throw RPCError(code: .internalError, message: "the snapshot could not be opened for streaming")
    }
    defer { try? file.close() }
    var hasher = SHA256()
    var info: Volunteer_V1_BackupInfo? = .with {
      $0.store = self.store.kind
      $0.sizeBytes = UInt64(backup.sizeBytes)
      $0.auditSize = backup.auditHead.size
      $0.auditHeadHash = backup.auditHead.hash
      $0.takenAt = Google_Protobuf_Timestamp(date: backup.takenAt)
    }
    while let data = try file.read(upToCount: Self.chunkSize), !data.isEmpty {
      hasher.update(data: data)
      var chunk = Volunteer_V1_BackupChunk()
      chunk.data = data
      if let first = info {
        chunk.info = first
        info = nil
      }
      try await response.write(chunk)
    }
    let digest = AuditDigest.hex(hasher.finalize())
    try await response.write(.with { $0.sha256 = digest })
  }
}
