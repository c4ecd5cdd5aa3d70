/// The result of verifying an offline bundle: bundle-level problems, each failing credential
/// by number with its reasons, and summary counts.
public struct BundleReport: Sendable, Equatable {
  /// Integrity problems with the bundle as a whole (files, hashes, manifest, keys, lists).
  public internal(set) var bundleProblems: [BundleProblem] = []
  /// Credentials that did not verify, in file order.
  public internal(set) var failures: [CredentialFailure] = []
  /// The manifest, if it verified.
  public internal(set) var manifest: BundleManifest?
  /// Lines read from `credentials.jsonl`.
  public internal(set) var credentialCount = 0
  /// Credentials with no problem at all.
  public internal(set) var validCount = 0
  /// Genuine credentials whose revocation bit is set.
  public internal(set) var revokedCount = 0
  /// Genuine credentials whose suspension bit is set.
  public internal(set) var suspendedCount = 0
  /// Credentials with any non-status problem (signature, key, claims, …).
  public internal(set) var invalidCount = 0

  /// True when nothing at all failed; the CLI exits non-zero otherwise.
  public var passed: Bool { bundleProblems.isEmpty && failures.isEmpty }

  /// One line: `credentials: N, valid: …, revoked: …, suspended: …, invalid: …, bundle problems: …`.
  public var summary: String {
    "credentials: \(credentialCount), valid: \(validCount), revoked: \(revokedCount), suspended: \(suspendedCount), invalid: \(invalidCount), bundle problems: \(bundleProblems.count)"
  }
}
