/// A bundle-level integrity failure found by ``BundleVerifier`` (as opposed to a problem with
/// one credential).
public enum BundleProblem: Equatable, Sendable, CustomStringConvertible {
  /// A required file is absent or unreadable.
  case unreadable(file: String, reason: String)
  /// The key set is not a valid JWKS of Ed25519 keys.
  case invalidKeySet(String)
  /// A bundled key is not in the trusted key set, or differs from it.
  case untrustedKey(kid: String)
  /// The manifest does not verify or is malformed.
  case invalidManifest(String)
  /// A file is not listed in the manifest.
  case unexpectedFile(String)
  /// A file listed in the manifest is missing.
  case missingFile(String)
  /// A file's SHA-256 or size differs from the manifest.
  case hashMismatch(file: String)
  /// A status list snapshot does not verify.
  case invalidStatusList(file: String, reason: String)
  /// The manifest's counts disagree with the contents.
  case countMismatch(what: String, manifest: Int, found: Int)
  /// A line of `credentials.jsonl` is not a JSON object with string `token` and `number`.
  case malformedLine(line: Int, reason: String)

  /// A message naming the file and what is wrong.
  public var description: String {
    switch self {
    case .unreadable(let file, let reason): "\(file): cannot read: \(reason)"
    case .invalidKeySet(let reason): "jwks.json: \(reason)"
    case .untrustedKey(let kid): "jwks.json: key \(kid) is not in the trusted key set (or differs from it)"
    case .invalidManifest(let reason): "manifest.jwt: \(reason)"
    case .unexpectedFile(let file): "\(file): not listed in the manifest"
    case .missingFile(let file): "\(file): listed in the manifest but missing"
    case .hashMismatch(let file): "\(file): SHA-256 or size differs from the manifest; the file was altered"
    case .invalidStatusList(let file, let reason): "\(file): \(reason)"
    case .countMismatch(let what, let manifest, let found): "manifest says \(manifest) \(what), bundle has \(found)"
    case .malformedLine(let line, let reason): "credentials.jsonl line \(line): \(reason)"
    }
  }
}
