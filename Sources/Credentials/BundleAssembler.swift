import Crypto
import Foundation

/// The bytes of an offline bundle and its signed manifest, without touching files: what the
/// service streams to an exporter (who writes the files byte for byte), and what
/// ``BundleWriter`` writes locally. Lines are hashed as they are produced, so an export of any
/// size takes constant memory.
public struct BundleAssembler: Sendable {
  /// `jwks.json`, byte for byte.
  public let keySetJSON: Data
  /// `status-lists/<name>.jwt` contents by name.
  public let statusLists: [String: String]
  private let keyCount: Int
  private var hasher = SHA256()
  private var credentialBytes = 0
  /// Credential lines produced so far.
  public private(set) var credentialCount = 0

  /// Prepares a bundle of `keySet` and the status list JWTs (names are `[a-z0-9-]+`).
  public init(keySet: JWKSet, statusLists: [String: String]) throws(BundleError) {
    for name in statusLists.keys {
      guard !name.isEmpty,
        name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
      else {
        throw .invalidArgument("status list name \"\(name)\" must be [a-z0-9-]+")
      }
    }
    do {
      self.keySetJSON = try keySet.encoded()
    } catch {
      throw .invalidArgument("\(error)")
    }
    self.statusLists = statusLists
    self.keyCount = keySet.keys.count
  }

  /// One `credentials.jsonl` line (a JSON object with sorted keys and a final newline): the
  /// credential `number`, its `token` and string `metadata` (which must not use those keys).
  public mutating func line(number: String, token: String, metadata: [String: String] = [:])
    throws(BundleError) -> Data
  {
    let line = try Self.encodeLine(number: number, token: token, metadata: metadata)
    self.hasher.update(data: line)
    self.credentialBytes += line.count
    self.credentialCount += 1
    return line
  }

  /// The manifest over every line produced and the key set and status lists, signed with
  /// `signingKey` as `manifest.jwt`.
  public func signedManifest(
    filters: [String: String], createdAt: Date, signingKey: Ed25519SigningKey
  ) throws(BundleError) -> (manifest: BundleManifest, jwt: String) {
    var files: [String: BundleManifest.FileEntry] = [
      BundleManifest.credentialsFile: .init(
        sha256: Self.hex(self.hasher.finalize()), bytes: self.credentialBytes),
      BundleManifest.keySetFile: Self.entry(self.keySetJSON),
    ]
    for (name, token) in self.statusLists {
      files["\(BundleManifest.statusListDirectory)/\(name).jwt"] = Self.entry(Data(token.utf8))
    }
    let when = JSONCoding.wholeSeconds(createdAt)
    let manifest = BundleManifest(
      format: BundleManifest.formatName, version: 1, created: JSONCoding.timestamp(when),
      iat: Int64(when.timeIntervalSince1970), filters: filters,
      counts: .init(
        credentials: self.credentialCount, statusLists: self.statusLists.count, keys: self.keyCount),
      files: files)
    do {
      let jwt = try signingKey.sign(
        payload: try JSONCoding.encoder().encode(manifest), type: JOSEHeader.jwtType)
      return (manifest, jwt)
    } catch {
      throw .invalidArgument("manifest could not be signed: \(error)")
    }
  }

  /// The bytes of one `credentials.jsonl` line, newline included.
  static func encodeLine(number: String, token: String, metadata: [String: String])
    throws(BundleError) -> Data
  {
    guard metadata["number"] == nil, metadata["token"] == nil else {
      throw .invalidArgument("metadata must not override \"number\" or \"token\"")
    }
    var object = metadata
    object["number"] = number
    object["token"] = token
    var line: Data
    do {
      line = try JSONCoding.encoder().encode(object)
    } catch {
      throw .invalidArgument("line for \(number) cannot be encoded: \(error)")
    }
    line.append(UInt8(ascii: "\n"))
    return line
  }

  private static func entry(_ data: Data) -> BundleManifest.FileEntry {
    .init(sha256: Self.hex(SHA256.hash(data: data)), bytes: data.count)
  }

  static func hex(_ digest: SHA256.Digest) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
  }
}
