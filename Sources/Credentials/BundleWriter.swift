import Crypto
import Foundation

/// Writes an offline bundle: credentials are streamed to `credentials.jsonl` one line at a
/// time (constant memory, hashed as they are written), then ``finish(keySet:statusLists:filters:createdAt:signingKey:)``
/// writes `jwks.json`, `status-lists/<name>.jwt` and the signed `manifest.jwt`.
///
/// Each line is a JSON object with sorted keys: `number`, `token` and any extra string
/// metadata the exporter adds (status, organisation, issue date…). Not thread-safe: one
/// writer per export.
public final class BundleWriter {
  /// The bundle directory.
  public let directory: String
  private let handle: FileHandle
  private var hasher = SHA256()
  private var buffer = Data()
  private var bytesWritten = 0
  private var finished = false
  /// Credentials appended so far.
  public private(set) var credentialCount = 0

  /// Creates `directory` (which must not exist or be empty) and opens `credentials.jsonl`.
  public init(directory: String) throws(BundleError) {
    self.directory = directory
    let manager = FileManager.default
    if manager.fileExists(atPath: directory) {
      let contents = (try? manager.contentsOfDirectory(atPath: directory)) ?? ["?"]
      guard contents.isEmpty else { throw .directoryUnusable(path: directory, reason: "it exists and is not empty") }
    }
    do {
      try manager.createDirectory(atPath: directory + "/" + BundleManifest.statusListDirectory, withIntermediateDirectories: true)
    } catch {
      throw .directoryUnusable(path: directory, reason: "\(error)")
    }
    let path = directory + "/" + BundleManifest.credentialsFile
    guard manager.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
      throw .writeFailed(path: path, reason: "cannot create")
    }
    self.handle = handle
  }

  deinit {
    try? handle.close()
  }

  /// Appends one credential line. `metadata` must not use the keys `number` or `token`.
  public func append(number: String, token: String, metadata: [String: String] = [:]) throws(BundleError) {
    guard !finished else { throw .alreadyFinished }
    buffer.append(try BundleAssembler.encodeLine(number: number, token: token, metadata: metadata))
    credentialCount += 1
    if buffer.count >= 64 * 1024 { try flush() }
  }

  /// Writes the key set, status lists (`name` → JWT; names are `[a-z0-9-]+`) and the manifest
  /// signed with `signingKey`, and returns the manifest.
  @discardableResult
  public func finish(
    keySet: JWKSet,
    statusLists: [String: String],
    filters: [String: String],
    createdAt: Date,
    signingKey: Ed25519SigningKey
  ) throws(BundleError) -> BundleManifest {
    guard !finished else { throw .alreadyFinished }
    try flush()
    do { try handle.synchronize(); try handle.close() } catch {
      throw .writeFailed(path: BundleManifest.credentialsFile, reason: "\(error)")
    }
    finished = true
    var files: [String: BundleManifest.FileEntry] = [
      BundleManifest.credentialsFile: .init(sha256: Self.hex(hasher.finalize()), bytes: bytesWritten)
    ]
    let jwks: Data
    do { jwks = try keySet.encoded() } catch { throw .invalidArgument("\(error)") }
    files[BundleManifest.keySetFile] = try write(jwks, to: BundleManifest.keySetFile)
    for (name, token) in statusLists.sorted(by: { $0.key < $1.key }) {
      guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
        throw .invalidArgument("status list name \"\(name)\" must be [a-z0-9-]+")
      }
      let relative = "\(BundleManifest.statusListDirectory)/\(name).jwt"
      files[relative] = try write(Data(token.utf8), to: relative)
    }
    let when = JSONCoding.wholeSeconds(createdAt)
    let manifest = BundleManifest(
      format: BundleManifest.formatName, version: 1, created: JSONCoding.timestamp(when),
      iat: Int64(when.timeIntervalSince1970), filters: filters,
      counts: .init(credentials: credentialCount, statusLists: statusLists.count, keys: keySet.keys.count),
      files: files)
    let token: String
    do {
      token = try signingKey.sign(payload: try JSONCoding.encoder().encode(manifest), type: JOSEHeader.jwtType)
    } catch {
      throw .invalidArgument("manifest could not be signed: \(error)")
    }
    _ = try write(Data(token.utf8), to: BundleManifest.manifestFile)
    return manifest
  }

  private func flush() throws(BundleError) {
    guard !buffer.isEmpty else { return }
    do {
      try handle.write(contentsOf: buffer)
    } catch {
      throw .writeFailed(path: BundleManifest.credentialsFile, reason: "\(error)")
    }
    hasher.update(data: buffer)
    bytesWritten += buffer.count
    buffer.removeAll(keepingCapacity: true)
  }

  private func write(_ data: Data, to relative: String) throws(BundleError) -> BundleManifest.FileEntry {
    let path = directory + "/" + relative
    do {
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .writeFailed(path: path, reason: "\(error)")
    }
    return .init(sha256: Self.hex(SHA256.hash(data: data)), bytes: data.count)
  }

  static func hex(_ digest: SHA256.Digest) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
  }
}
