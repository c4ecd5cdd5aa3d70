import Crypto
import Foundation

/// Seals personal identifiers (ID and phone numbers) with AES-GCM and derives the keyed
/// hash that finds duplicate registrations.
///
/// A plain hash of an 18-digit structured ID number is brute-forceable in minutes, so
/// duplicates are found through HMAC-SHA256 under a secret key. Both keys live in a file
/// outside the database (mode 0600), so a copy of the database alone reveals nothing.
public struct PersonalDataProtector: Sendable {
  /// Format byte in front of every sealed value, so keys and algorithms can rotate.
  private static let sealedFormatVersion: UInt8 = 1

  private let keyID: UInt8
  private let encryptionKey: SymmetricKey
  private let hashingKey: SymmetricKey

  /// Creates a protector from raw keys (32 bytes each).
  public init(keyID: UInt8 = 1, encryptionKey: SymmetricKey, hashingKey: SymmetricKey) {
    self.keyID = keyID
    self.encryptionKey = encryptionKey
    self.hashingKey = hashingKey
  }

  /// Loads the key file at `path`, creating it with fresh random keys (mode 0600) if absent.
  public static func loadOrCreate(keyFile path: String) throws -> PersonalDataProtector {
    let manager = FileManager.default
    if !manager.fileExists(atPath: path) {
      var bytes = [UInt8]()
      bytes.append(1)  // key id
      bytes += SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
      bytes += SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
      guard manager.createFile(
        atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
      else {
        throw PersonalDataError(message: "could not create the personal-data key file at \(path)")
      }
    }
    guard let data = manager.contents(atPath: path), data.count == 65 else {
      throw PersonalDataError(
        message: "the personal-data key file at \(path) is unreadable or not 65 bytes")
    }
    let bytes = [UInt8](data)
    return PersonalDataProtector(
      keyID: bytes[0],
      encryptionKey: SymmetricKey(data: bytes[1..<33]),
      hashingKey: SymmetricKey(data: bytes[33..<65]))
  }

  /// Encrypts `plaintext`: format byte, key id, then AES-GCM nonce, ciphertext and tag.
  public func seal(_ plaintext: String) throws -> [UInt8] {
    let box = try AES.GCM.seal(Data(plaintext.utf8), using: self.encryptionKey)
    guard let combined = box.combined else {
      throw PersonalDataError(message: "AES-GCM produced no combined representation")
    }
    return [Self.sealedFormatVersion, self.keyID] + [UInt8](combined)
  }

  /// Decrypts a value produced by ``seal(_:)``.
  public func open(_ sealed: [UInt8]) throws -> String {
    guard sealed.count > 2, sealed[0] == Self.sealedFormatVersion, sealed[1] == self.keyID else {
      throw PersonalDataError(message: "sealed value has an unknown format or key id")
    }
    let box = try AES.GCM.SealedBox(combined: Data(sealed[2...]))
    let plaintext = try AES.GCM.open(box, using: self.encryptionKey)
    return String(decoding: plaintext, as: UTF8.self)
  }

  /// The keyed hash of an identity document: equal documents, equal hashes.
  public func documentHash(type: DocumentType, number: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(
      for: Data("\(type.rawValue):\(number)".utf8), using: self.hashingKey)
    return mac.map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}

/// A failure to load keys or to seal or open personal data.
public struct PersonalDataError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { self.message }
}
