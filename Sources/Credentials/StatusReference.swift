/// Where a credential's bit lives in a status list: the list credential's URL and the index.
public struct StatusReference: Sendable, Equatable, Hashable, Codable {
  /// URL (the `id`) of the `BitstringStatusListCredential`.
  public var listURL: String
  /// Bit index in that list, allocated at random per credential.
  public var index: Int

  /// Creates a reference.
  public init(listURL: String, index: Int) {
    self.listURL = listURL
    self.index = index
  }
}
