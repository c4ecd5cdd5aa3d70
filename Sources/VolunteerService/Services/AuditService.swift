import AuditTrail
import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// `volunteer.v1.Audit`: verify the audit hash chain, sign checkpoints of its head, and
/// export it for offline verification.
///
/// Entries span every organisation, so every method requires a caller scoped to the root.
struct AuditService: Volunteer_V1_Audit.SimpleServiceProtocol {
  let store: any RecordStore
  let checkpointer: AuditCheckpointer
  let rootOrganisationID: String

  /// Entries per store read while exporting: bounds memory whatever the chain's length.
  static let exportPageSize = 1_000

  func verifyAudit(
    request: Volunteer_V1_VerifyAuditRequest, context: ServerContext
  ) async throws -> Volunteer_V1_AuditReport {
    try self.requireRoot(action: "verify it")
    let report = try await self.store.verifyAudit(keySet: await self.checkpointer.keys.keySet())
    return .with {
      $0.valid = report.isValid
      $0.entries = report.entries
      $0.checkpoints = report.checkpoints
      $0.rows = report.rows
      $0.head = .with {
        $0.size = report.size
        $0.hash = report.headHash
      }
      $0.problems = report.problems
    }
  }

  func createCheckpoint(
    request: Volunteer_V1_CreateCheckpointRequest, context: ServerContext
  ) async throws -> Volunteer_V1_AuditCheckpoint {
    try self.requireRoot(action: "checkpoint it")
    guard let checkpoint = try await self.checkpointer.checkpoint() else {
      throw RPCError(code: .failedPrecondition, message: "the audit log is empty: there is no head to sign yet")
    }
    return Self.proto(checkpoint)
  }

  func getAuditHead(
    request: Volunteer_V1_GetAuditHeadRequest, context: ServerContext
  ) async throws -> Volunteer_V1_AuditHead {
    try self.requireRoot(action: "read it")
    let head = try await self.store.auditHead()
    return .with {
      $0.size = head.size
      $0.hash = head.hash
    }
  }

  func exportAudit(
    request: Volunteer_V1_ExportAuditRequest,
    response: RPCWriter<Volunteer_V1_AuditExportChunk>, context: ServerContext
  ) async throws {
    try self.requireRoot(action: "export it")
    // The head is fixed first: entries appended during the export are not in it, and the
    // header states exactly what the file holds.
    let head = try await self.store.auditHead()
    let checkpoints = try await self.store.auditCheckpoints().filter { $0.size <= head.size }
    var chunk = try AuditExport.encode(
      .header(.init(exportedAt: AuditEntry.timestamp(Date()), size: head.size, headHash: head.hash)))
    chunk += try AuditExport.encode(.keySet(await self.checkpointer.keys.keySet()))
    for checkpoint in checkpoints { chunk += try AuditExport.encode(.checkpoint(checkpoint)) }
    var next: Int64 = 1
    while next <= head.size {
      let entries = try await self.store.auditEntries(from: next, through: head.size, limit: Self.exportPageSize)
      guard let last = entries.last else { break }
      for entry in entries { chunk += try AuditExport.encode(.entry(entry)) }
      try await response.write(.with { $0.lines = chunk })
      chunk = Data()
      next = last.sequence + 1
    }
    if !chunk.isEmpty { try await response.write(.with { $0.lines = chunk }) }
  }

  private func requireRoot(action: String) throws(RPCError) {
    _ = try Caller.requiredAtRoot(
      self.rootOrganisationID, because: "the audit log spans every organisation", mayThen: action)
  }

  static func proto(_ checkpoint: AuditCheckpoint) -> Volunteer_V1_AuditCheckpoint {
    .with {
      $0.size = checkpoint.size
      $0.headHash = checkpoint.headHash
      $0.at = checkpoint.at
      $0.token = checkpoint.token
    }
  }
}
