import AuditTrail
import Foundation

/// What an online backup of the store holds.
public struct StoreBackup: Sendable, Hashable {
  /// The snapshot's size in bytes.
  public var sizeBytes: Int
  /// The audit chain inside the snapshot.
  public var auditHead: AuditHead
  /// When the snapshot was taken.
  public var takenAt: Date

  /// Creates a description.
  public init(sizeBytes: Int, auditHead: AuditHead, takenAt: Date) {
    self.sizeBytes = sizeBytes
    self.auditHead = auditHead
    self.takenAt = takenAt
  }
}
