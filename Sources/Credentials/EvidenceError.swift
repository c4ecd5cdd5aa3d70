/// Why a list of records cannot be encoded canonically for the evidence digest.
public enum EvidenceError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The id is empty, too long, or contains a character outside `A–Z a–z 0–9 . _ : -`.
  case invalidRecordID(String)
  /// Minutes must be a non-negative integer.
  case negativeMinutes(recordID: String, minutes: Int)
  /// The same id appears twice; each record is counted once.
  case duplicateRecord(String)
  /// An export line is not `recordId,minutes`.
  case malformedLine(number: Int, text: String)
  /// A digest string is not `sha256-<base64>` of 32 bytes.
  case malformedDigest(String)

  /// A message naming the offending record or line.
  public var description: String {
    switch self {
    case .invalidRecordID(let id):
      "record id \"\(id)\" is not 1-128 characters of A-Z a-z 0-9 . _ : -"
    case .negativeMinutes(let id, let minutes):
      "record \(id) has negative minutes \(minutes)"
    case .duplicateRecord(let id):
      "record \(id) appears more than once; the evidence lists each counted record once"
    case .malformedLine(let number, let text):
      "export line \(number) \"\(text.prefix(80))\" is not `recordId,minutes` with decimal minutes"
    case .malformedDigest(let text):
      "\"\(text.prefix(80))\" is not an SRI digest of the form sha256-<base64 of 32 bytes>"
    }
  }
}
