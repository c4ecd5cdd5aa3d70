import Credentials
import Crypto
import Foundation

/// The personal-data key file: one or more key generations, 65 bytes each (id, AES key,
/// HMAC key), oldest first; the last one is active.
///
/// A file of one generation is the format every earlier release wrote. The file lives beside
/// the database but never inside it, with mode 0600, and is replaced atomically (temporary
/// file, fsync, rename), so a crash mid-rotation leaves either the old ring or the new one.
public enum PersonalDataKeyFile {
  static let entrySize = 65
  /// 255 ids exist; a ring holds at most two during a rotation, the cap only bounds the read.
  static let maximumEntries = 255

  /// Reads the ring at `path`, creating it with one fresh generation (id 1) if absent.
  public static func loadOrCreate(_ path: String) throws -> [PersonalDataKey] {
    if !FileManager.default.fileExists(atPath: path) {
      try self.write([PersonalDataKey.random(id: 1)], to: path)
    }
    return try self.read(path)
  }

  /// Reads the ring at `path`.
  public static func read(_ path: String) throws -> [PersonalDataKey] {
    let data: Data
    do {
      data = try SecureFile.readOwnerOnly(path, maximumSize: self.entrySize * self.maximumEntries)
    } catch {
      throw PersonalDataError(message: "cannot read the personal-data key file: \(error)")
    }
    guard !data.isEmpty, data.count % self.entrySize == 0 else {
      throw PersonalDataError(
        message: "the personal-data key file at \(path) is \(data.count) bytes, not a multiple of \(self.entrySize); restore it from the backup taken with the database")
    }
    let bytes = [UInt8](data)
    var ring: [PersonalDataKey] = []
    for start in stride(from: 0, to: bytes.count, by: self.entrySize) {
      let id = bytes[start]
      guard id != 0, !ring.contains(where: { $0.id == id }) else {
        throw PersonalDataError(
          message: "the personal-data key file at \(path) has a zero or repeated key id \(id)")
      }
      ring.append(
        PersonalDataKey(
          id: id, encryptionKey: SymmetricKey(data: bytes[(start + 1)..<(start + 33)]),
          hashingKey: SymmetricKey(data: bytes[(start + 33)..<(start + 65)])))
    }
    return ring
  }

  /// Replaces the ring at `path` atomically with mode 0600.
  public static func write(_ ring: [PersonalDataKey], to path: String) throws {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(ring.count * self.entrySize)
    for key in ring {
      bytes.append(key.id)
      key.encryptionKey.withUnsafeBytes { bytes += $0 }
      key.hashingKey.withUnsafeBytes { bytes += $0 }
    }
    do {
      try SecureFile.writeOwnerOnly(Data(bytes), to: path)
    } catch {
      throw PersonalDataError(message: "cannot write the personal-data key file: \(error)")
    }
  }

  /// The id for a generation after those in `ring`: one above the newest, wrapping past 255
  /// and skipping ids still in the ring.
  static func nextID(after ring: [PersonalDataKey]) -> UInt8 {
    var candidate = ring.last?.id ?? 0
    repeat {
      candidate = candidate == 255 ? 1 : candidate + 1
    } while ring.contains(where: { $0.id == candidate })
    return candidate
  }
}
