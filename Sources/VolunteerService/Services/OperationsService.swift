import AuditTrail
import Crypto
import Foundation
import GRPCCore
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

  /// Bytes per streamed chunk: a quarter of the default 4 MiB frame limit.
  static let chunkSize = 1 << 20

  func backup(
    request: Volunteer_V1_BackupRequest, response: RPCWriter<Volunteer_V1_BackupChunk>,
    context: ServerContext
  ) async throws {
    _ = try Caller.requiredAtRoot(
      self.rootOrganisationID, because: "a backup holds every organisation's records",
      mayThen: "take one")
    let path = self.scratchDirectory + "/backup-\(UUID().uuidString).sqlite.partial"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let backup = try await withDomainErrors { try await self.store.backup(to: path) }
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
    let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    try await response.write(.with { $0.sha256 = digest })
  }
}
