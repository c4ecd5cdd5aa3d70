/// The end of the audit chain: how many entries it has and the last one's hash.
public struct AuditHead: Sendable, Hashable, Codable {
  /// Number of entries (the last entry's sequence); 0 for an empty chain.
  public var size: Int64
  /// The last entry's hash, or ``AuditEntry/genesisHash`` for an empty chain.
  public var hash: String

  /// Creates a head.
  public init(size: Int64, hash: String) {
    self.size = size
    self.hash = hash
  }
}
