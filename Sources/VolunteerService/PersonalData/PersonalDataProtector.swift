import Crypto
import Foundation

/// Seals personal identifiers (ID and phone numbers) with AES-GCM and derives the keyed
/// hash that finds duplicate registrations.
///
/// A plain hash of an 18-digit structured ID number is brute-forceable in minutes, so
/// duplicates are found through HMAC-SHA256 under a secret key. The keys live in a file
/// outside the database (``PersonalDataKeyFile``), so a copy of the database alone reveals
/// nothing.
///
/// The protector holds a ring of key generations: the active (newest) one seals and hashes,
/// every one opens what it sealed. More than one generation is present only while a rotation
/// (``PersonalDataKeyRotation``) re-seals the stored rows.
public struct PersonalDataProtector: Sendable {
  /// Format byte in front of every sealed value, so the layout can change later.
  private static let sealedFormatVersion: UInt8 = 1

  private let ring: [PersonalDataKey]

  /// The generation that seals and hashes.
  public var activeKeyID: UInt8 { self.active.id }
  /// Every generation's id, oldest first.
  public var keyIDs: [UInt8] { self.ring.map(\.id) }

  private var active: PersonalDataKey { self.ring[self.ring.count - 1] }

  /// Creates a protector of one generation from raw keys (32 bytes each).
  public init(keyID: UInt8 = 1, encryptionKey: SymmetricKey, hashingKey: SymmetricKey) {
    self.ring = [PersonalDataKey(id: keyID, encryptionKey: encryptionKey, hashingKey: hashingKey)]
  }

  /// Creates a protector over a ring, oldest first; the last generation is active.
  public init(ring: [PersonalDataKey]) throws {
    guard !ring.isEmpty else { throw PersonalDataError(message: "the personal-data key ring is empty") }
    self.ring = ring
  }

  /// Loads the key file at `path`, creating it with fresh random keys (mode 0600) if absent.
  public static func loadOrCreate(keyFile path: String) throws -> PersonalDataProtector {
    try PersonalDataProtector(ring: PersonalDataKeyFile.loadOrCreate(path))
  }

  /// Encrypts `plaintext` under the active key: format byte, key id, then AES-GCM nonce,
  /// ciphertext and tag.
  public func seal(_ plaintext: String) throws -> [UInt8] {
    let box = try AES.GCM.seal(Data(plaintext.utf8), using: self.active.encryptionKey)
    guard let combined = box.combined else {
      throw PersonalDataError(message: "AES-GCM produced no combined representation")
    }
    return [Self.sealedFormatVersion, self.active.id] + [UInt8](combined)
  }

  /// Decrypts a value produced by ``seal(_:)`` under any generation of the ring.
  public func open(_ sealed: [UInt8]) throws -> String {
    guard let keyID = Self.keyID(ofSealed: sealed) else {
      throw PersonalDataError(message: "sealed value has an unknown format")
    }
    guard let key = self.ring.first(where: { $0.id == keyID }) else {
      throw PersonalDataError(
        message: "sealed value is under personal-data key \(keyID), which the key file does not hold")
    }
    let box = try AES.GCM.SealedBox(combined: Data(sealed[2...]))
    let plaintext = try AES.GCM.open(box, using: key.encryptionKey)
    return String(decoding: plaintext, as: UTF8.self)
  }

  /// The id of the generation that sealed `sealed`, or `nil` if it is no sealed value.
  public static func keyID(ofSealed sealed: [UInt8]) -> UInt8? {
    guard sealed.count > 2, sealed[0] == Self.sealedFormatVersion else { return nil }
    return sealed[1]
  }

  /// The keyed hash of an identity document under the active key: equal documents, equal
  /// hashes.
  public func documentHash(type: DocumentType, number: String) -> String {
    Self.documentHash(type: type, number: number, key: self.active.hashingKey)
  }

  /// The document's hash under every generation, the active one first: a registration must
  /// match rows not yet re-hashed by an unfinished rotation too.
  public func documentHashes(type: DocumentType, number: String) -> [String] {
    self.ring.reversed().map { Self.documentHash(type: type, number: number, key: $0.hashingKey) }
  }

  private static func documentHash(type: DocumentType, number: String, key: SymmetricKey) -> String {
    let mac = HMAC<SHA256>.authenticationCode(for: Data("\(type.rawValue):\(number)".utf8), using: key)
    return mac.map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}
