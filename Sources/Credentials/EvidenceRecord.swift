/// One approved service record as counted by an evaluation: its id and credited minutes.
///
/// This is exactly what the evidence digest covers, and what the export RPC hands out so
/// anyone can recompute the digest and the totals.
public struct EvidenceRecord: Sendable, Equatable, Hashable, Codable {
  /// The record's identifier, 1–128 characters from `A–Z a–z 0–9 . _ : -`.
  public var recordID: String
  /// Approved minutes of the record, ≥ 0.
  public var minutes: Int

  /// Creates a record entry.
  public init(recordID: String, minutes: Int) {
    self.recordID = recordID
    self.minutes = minutes
  }
}
