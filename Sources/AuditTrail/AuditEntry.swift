import Crypto
import Foundation

/// One link of the audit hash chain: who changed what, when, through which method.
///
/// Entries carry ids and digests only, never personal data: the targets name rows by table and
/// primary key, and each row's content appears as a SHA-256 digest of its columns.
///
/// ``hash`` covers every other field, ``previousHash`` included, so changing, deleting,
/// inserting or reordering any entry breaks every link after it.
public struct AuditEntry: Sendable, Hashable, Codable {
  /// Position in the chain, from 1, without gaps.
  public var sequence: Int64
  /// When the change committed, ISO 8601 UTC with milliseconds.
  public var at: String
  /// The principal that made the change (`system` for the service's own work).
  public var principalID: String
  /// The RPC method, e.g. `volunteer.v1.Hours/UploadHours`.
  public var method: String
  /// SHA-256 (hex) of the request message(s) as received.
  public var requestDigest: String
  /// The rows the change wrote, with their digests after it.
  public var targets: [AuditTarget]
  /// ``hash`` of the entry before, or ``AuditEntry/genesisHash`` for the first.
  public var previousHash: String
  /// SHA-256 (hex) over all fields above.
  public var hash: String

  /// The `previousHash` of entry 1.
  public static let genesisHash = String(repeating: "0", count: 64)

  /// ISO 8601 UTC with milliseconds: the one spelling of entry, checkpoint and export times.
  public static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
  }

  /// Creates an entry and computes its ``hash``.
  public init(
    sequence: Int64, at: String, principalID: String, method: String, requestDigest: String,
    targets: [AuditTarget], previousHash: String
  ) {
    self.sequence = sequence
    self.at = at
    self.principalID = principalID
    self.method = method
    self.requestDigest = requestDigest
    self.targets = targets
    self.previousHash = previousHash
    self.hash = ""
    self.hash = self.computedHash()
  }

  /// The hash the fields imply; differs from ``hash`` when the entry was altered.
  ///
  /// Each field is length-prefixed (`byte count:bytes`), so no choice of field contents can
  /// make two different entries hash the same input.
  public func computedHash() -> String {
    var hasher = SHA256()
    func field(_ text: String) {
      let bytes = Array(text.utf8)
      hasher.update(data: Array("\(bytes.count):".utf8))
      hasher.update(data: bytes)
    }
    field("vrs-audit-entry-v1")
    field(String(self.sequence))
    field(self.at)
    field(self.principalID)
    field(self.method)
    field(self.requestDigest)
    field(String(self.targets.count))
    for target in self.targets {
      field(target.table)
      field(target.key)
      field(target.digest ?? "-")
    }
    field(self.previousHash)
    return AuditDigest.hex(hasher.finalize())
  }
}

/// One row written by an audited change.
public struct AuditTarget: Sendable, Hashable, Codable {
  /// The table, e.g. `service_record`.
  public var table: String
  /// The row's primary key as a JSON array, e.g. `[42]` or `["national"]`.
  public var key: String
  /// SHA-256 (hex) of the row's columns after the change; `nil` when the change deleted it.
  public var digest: String?

  /// Creates a target.
  public init(table: String, key: String, digest: String?) {
    self.table = table
    self.key = key
    self.digest = digest
  }
}

/// Hex encoding of digests, one spelling everywhere.
public enum AuditDigest {
  /// Lower-case hex of `digest`.
  public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    digest.map { byte in
      let text = String(byte, radix: 16)
      return byte < 16 ? "0" + text : text
    }.joined()
  }

  /// SHA-256 (hex) of `bytes`.
  public static func sha256<B: DataProtocol>(_ bytes: B) -> String {
    Self.hex(SHA256.hash(data: bytes))
  }
}
