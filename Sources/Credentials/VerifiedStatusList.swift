import Foundation

/// A status list snapshot whose signature, signing key window and shape have been checked.
public struct VerifiedStatusList: Sendable, Equatable {
  /// The list URL (`id`), which credentials reference.
  public let url: String
  /// `revocation` or `suspension`.
  public let purpose: String
  /// The bits.
  public let list: BitstringStatusList
  /// When the snapshot was taken (`validFrom`).
  public let timestamp: Date
  /// The key that signed it.
  public let kid: String
}
