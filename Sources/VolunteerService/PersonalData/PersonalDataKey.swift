import Crypto

/// One generation of personal-data keys: the AES-GCM key that seals ID and phone numbers and
/// the HMAC key of the duplicate-detection hash, under a one-byte id written into every
/// sealed value.
///
/// Both keys rotate together: a row resealed under a new generation also gets its keyed hash
/// recomputed, so after a rotation no stored value depends on the retired keys.
public struct PersonalDataKey: Sendable {
  /// The id written into every value this generation seals (1…255).
  public var id: UInt8
  /// AES-256-GCM key.
  public var encryptionKey: SymmetricKey
  /// HMAC-SHA256 key of the document hash.
  public var hashingKey: SymmetricKey

  /// Creates a generation from raw keys (32 bytes each).
  public init(id: UInt8, encryptionKey: SymmetricKey, hashingKey: SymmetricKey) {
    self.id = id
    self.encryptionKey = encryptionKey
    self.hashingKey = hashingKey
  }

  /// A generation of fresh random keys.
  public static func random(id: UInt8) -> PersonalDataKey {
    PersonalDataKey(
      id: id, encryptionKey: SymmetricKey(size: .bits256), hashingKey: SymmetricKey(size: .bits256))
  }
}
