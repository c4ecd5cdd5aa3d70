import Crypto
import Foundation

/// A salted hash of a volunteer's ID-document number, for matching without disclosure.
///
/// Follows the Open Badges `IdentityObject` convention: `identityHash` is `sha256$` followed
/// by the lower-case hex SHA-256 of the UTF-8 bytes of the ID number immediately followed by
/// the salt. Someone who already knows the number and reads the salt can confirm a match; the
/// credential alone does not reveal the number. Use a fresh random salt per credential.
public struct IdentityHash: Sendable, Equatable, Codable {
  /// `sha256$<64 hex>`.
  public var identityHash: String
  /// The salt that was appended before hashing.
  public var salt: String

  /// Wraps an existing hash and salt (e.g. read from a credential).
  public init(identityHash: String, salt: String) {
    self.identityHash = identityHash
    self.salt = salt
  }

  /// Hashes `idNumber` with `salt`.
  public static func compute(idNumber: String, salt: String) -> IdentityHash {
    let digest = SHA256.hash(data: Data((idNumber + salt).utf8))
    return IdentityHash(identityHash: "sha256$" + digest.map { String(format: "%02x", $0) }.joined(), salt: salt)
  }

  /// A random 128-bit salt, base64url, from the system CSPRNG.
  public static func randomSalt() -> String {
    var generator = SystemRandomNumberGenerator()
    return Base64URL.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
  }

  /// Whether `idNumber` is the number this hash was made from.
  public func matches(idNumber: String) -> Bool {
    IdentityHash.compute(idNumber: idNumber, salt: salt).identityHash == identityHash
  }
}
