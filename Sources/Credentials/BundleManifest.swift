import Foundation

/// The signed table of contents of an offline bundle: what was exported, when, with which
/// filters, and the SHA-256 of every file, so one changed byte anywhere is detectable.
///
/// Stored as `manifest.jwt`, a compact JWS (`typ` `JWT`) whose payload is this object.
public struct BundleManifest: Sendable, Equatable, Codable {
  /// Format marker: `vrs-credential-bundle`.
  public var format: String
  /// Format version: 1.
  public var version: Int
  /// RFC 3339 export time; also `iat`.
  public var created: String
  /// JWT issued-at (seconds) of the manifest: equals `created`.
  public var iat: Int64
  /// The export filters as given (organisation subtree, date range, status, …).
  public var filters: [String: String]
  /// Counts of what the bundle holds.
  public var counts: Counts
  /// Every file except `manifest.jwt`, by relative path with `/` separators.
  public var files: [String: FileEntry]

  /// Counts of bundle contents.
  public struct Counts: Sendable, Equatable, Codable {
    /// Lines in `credentials.jsonl`.
    public var credentials: Int
    /// Files under `status-lists/`.
    public var statusLists: Int
    /// Keys in `jwks.json`.
    public var keys: Int
  }

  /// Digest and size of one file.
  public struct FileEntry: Sendable, Equatable, Codable {
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String
    /// Size in bytes.
    public var bytes: Int
  }

  /// The format marker value.
  public static let formatName = "vrs-credential-bundle"
  /// Name of the credentials file.
  public static let credentialsFile = "credentials.jsonl"
  /// Name of the key set file.
  public static let keySetFile = "jwks.json"
  /// Name of the manifest file.
  public static let manifestFile = "manifest.jwt"
  /// Directory of status list snapshots.
  public static let statusListDirectory = "status-lists"
}
