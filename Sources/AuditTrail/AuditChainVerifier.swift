import Credentials

/// Checks an audit chain entry by entry, in order, with memory for one link only, so an
/// export of any length verifies in constant space.
///
/// Feed every entry with ``add(_:)``, every checkpoint with ``check(_:keySet:)`` (after the
/// entry it covers, or at the end), then read ``report``.
public struct AuditChainVerifier: Sendable {
  /// The result so far.
  public private(set) var report = AuditReport()
  private var expectedSequence: Int64 = 1
  private var previousHash = AuditEntry.genesisHash
  /// Entry hashes at checkpointed sizes, filled as entries arrive.
  private var hashesBySize: [Int64: String] = [:]
  private var wantedSizes: Set<Int64>

  /// - Parameter checkpointSizes: sizes of the checkpoints that will be checked, so their
  ///   head hashes are remembered as entries stream by.
  public init(checkpointSizes: Set<Int64> = []) {
    self.wantedSizes = checkpointSizes
  }

  /// Checks `entry` against the link before it.
  public mutating func add(_ entry: AuditEntry) {
    self.report.entries += 1
    if entry.sequence != self.expectedSequence {
      self.report.problems.append(
        "entry \(entry.sequence): expected entry \(self.expectedSequence) here (an entry was deleted, inserted or moved)")
    }
    if entry.previousHash != self.previousHash {
      self.report.problems.append(
        "entry \(entry.sequence): previous-hash link broken (an earlier entry was changed, deleted or moved)")
    }
    if entry.computedHash() != entry.hash {
      self.report.problems.append("entry \(entry.sequence): content does not match its hash (the entry was changed)")
    }
    if self.wantedSizes.contains(entry.sequence) { self.hashesBySize[entry.sequence] = entry.hash }
    self.expectedSequence = entry.sequence + 1
    self.previousHash = entry.hash
    self.report.size = entry.sequence
    self.report.headHash = entry.hash
  }

  /// Checks `checkpoint`'s signature and that the chain seen so far has its head hash at its
  /// size; call after the entry it covers was added.
  public mutating func check(_ checkpoint: AuditCheckpoint, keySet: JWKSet) {
    self.report.checkpoints += 1
    if let problem = checkpoint.problem(keySet: keySet) {
      self.report.problems.append(problem)
      return
    }
    guard let hash = self.hashesBySize[checkpoint.size] else {
      self.report.problems.append(
        "checkpoint \(checkpoint.size): the chain has no entry \(checkpoint.size) (entries were deleted)")
      return
    }
    if hash != checkpoint.headHash {
      self.report.problems.append(
        "checkpoint \(checkpoint.size): entry \(checkpoint.size) is not the one signed (the chain was rewritten)")
    }
  }
}

/// What a verification found.
public struct AuditReport: Sendable, Hashable, Codable {
  /// Entries checked.
  public var entries: Int64 = 0
  /// Checkpoints checked.
  public var checkpoints: Int64 = 0
  /// Rows of audited tables compared with the chain (online verification only).
  public var rows: Int64 = 0
  /// The chain's length and head as verified.
  public var size: Int64 = 0
  public var headHash = AuditEntry.genesisHash
  /// Every problem found, in the order found; empty when the log verifies.
  public var problems: [String] = []

  /// Creates an empty report.
  public init() {}

  /// True when nothing is wrong.
  public var isValid: Bool { self.problems.isEmpty }
}
