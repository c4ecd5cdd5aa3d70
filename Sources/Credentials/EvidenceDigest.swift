import Crypto
import Foundation

/// SHA-256 over the canonical encoding of exactly the approved records an evaluation counted.
///
/// Canonical encoding, version 1 (see docs/CREDENTIALS.md):
/// ```
/// vrs-evidence-v1\n
/// <recordId>,<minutes>\n      one line per record
/// ```
/// UTF-8 (ids are ASCII), records sorted by `recordId` in ascending byte order, ids unique,
/// minutes in decimal without sign or leading zeros, every line ending in a single `\n`
/// (including the last). The first line separates this format from any other SHA-256 input.
///
/// The credential states the digest as `digestSRI` (`sha256-` + standard base64, as in W3C
/// Subresource Integrity and VC 2.0) along with the record count and total minutes.
public struct EvidenceDigest: Sendable, Equatable, Hashable {
  /// The first line of the canonical encoding.
  public static let formatLine = "vrs-evidence-v1"

  /// The 32-byte SHA-256 value.
  public let sha256: Data
  /// How many records the digest covers.
  public let recordCount: Int
  /// Sum of the records' minutes.
  public let totalMinutes: Int

  /// Wraps an already computed digest (e.g. read back from a credential).
  public init(sha256: Data, recordCount: Int, totalMinutes: Int) {
    self.sha256 = sha256
    self.recordCount = recordCount
    self.totalMinutes = totalMinutes
  }

  /// `sha256-<standard base64>`, the form written into the credential.
  public var sri: String { "sha256-" + sha256.base64EncodedString() }
  /// Lower-case hex, what `sha256sum` prints.
  public var hex: String { sha256.map { String(format: "%02x", $0) }.joined() }

  /// The canonical bytes for `records` (any input order).
  public static func canonicalEncoding(of records: [EvidenceRecord]) throws(EvidenceError) -> Data {
    let sorted = records.sorted { Array($0.recordID.utf8).lexicographicallyPrecedes(Array($1.recordID.utf8)) }
    var text = formatLine + "\n"
    var previous: String?
    for record in sorted {
      guard isValidRecordID(record.recordID) else { throw .invalidRecordID(record.recordID) }
      guard record.minutes >= 0 else { throw .negativeMinutes(recordID: record.recordID, minutes: record.minutes) }
      if previous == record.recordID { throw .duplicateRecord(record.recordID) }
      previous = record.recordID
      text += "\(record.recordID),\(record.minutes)\n"
    }
    return Data(text.utf8)
  }

  /// Computes the digest, count and total for `records` (any input order).
  public static func compute(_ records: [EvidenceRecord]) throws(EvidenceError) -> EvidenceDigest {
    let encoding = try canonicalEncoding(of: records)
    return EvidenceDigest(
      sha256: Data(SHA256.hash(data: encoding)),
      recordCount: records.count,
      totalMinutes: records.reduce(0) { $0 + $1.minutes })
  }

  /// Recomputes the digest from an exported list: one `recordId,minutes` per line, any order,
  /// blank lines and a first line that is the format line or a `recordId,minutes` header
  /// ignored, so the canonical encoding itself (as ExportEvidence sends it) reads back.
  public static func compute(fromExport text: String) throws(EvidenceError) -> EvidenceDigest {
    var records: [EvidenceRecord] = []
    for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      if line.isEmpty || (offset == 0 && (line == "recordId,minutes" || line == formatLine)) { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == 2, fields[1].allSatisfy(\.isASCII), let minutes = Int(fields[1]) else {
        throw .malformedLine(number: offset + 1, text: String(line))
      }
      records.append(EvidenceRecord(recordID: String(fields[0]), minutes: minutes))
    }
    return try compute(records)
  }

  /// Reads the 32 digest bytes from `sha256-<base64>`.
  public static func parseSRI(_ text: String) throws(EvidenceError) -> Data {
    guard text.hasPrefix("sha256-"), let bytes = Data(base64Encoded: String(text.dropFirst(7))), bytes.count == 32,
      "sha256-" + bytes.base64EncodedString() == text
    else { throw .malformedDigest(text) }
    return bytes
  }

  static func isValidRecordID(_ id: String) -> Bool {
    guard !id.isEmpty, id.utf8.count <= 128 else { return false }
    return id.utf8.allSatisfy { byte in
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
    }
  }
}
