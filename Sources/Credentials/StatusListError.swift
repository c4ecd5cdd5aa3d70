/// Why a status list could not be built, decoded, or used.
public enum StatusListError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The list has fewer than 131,072 entries (the W3C minimum, for herd privacy) or is not whole bytes.
  case tooSmall(bits: Int)
  /// The index is outside the list.
  case indexOutOfRange(index: Int, size: Int)
  /// `encodedList` is not `u` + base64url.
  case invalidEncoding(String)
  /// GZIP (de)compression failed or the data is not a single GZIP member.
  case compression(String)
  /// The decompressed list would exceed the cap: refuse decompression bombs.
  case tooLarge(limit: Int)
  /// Every index is in use.
  case full(size: Int)
  /// The status list credential's payload is not the expected shape.
  case invalidCredential(String)

  /// A message that says what to fix.
  public var description: String {
    switch self {
    case .tooSmall(let bits):
      "status list has \(bits) bits; the W3C Bitstring Status List minimum is 131072 (16 KiB) and whole bytes"
    case .indexOutOfRange(let index, let size):
      "status list index \(index) is outside 0..<\(size)"
    case .invalidEncoding(let reason):
      "encodedList is not a multibase base64url ('u' prefix) string: \(reason)"
    case .compression(let reason):
      "status list GZIP data is invalid: \(reason)"
    case .tooLarge(let limit):
      "status list decompresses to more than \(limit) bytes; refusing (possible decompression bomb)"
    case .full(let size):
      "all \(size) status list indexes are allocated; start a new list"
    case .invalidCredential(let reason):
      "status list credential is invalid: \(reason)"
    }
  }
}
