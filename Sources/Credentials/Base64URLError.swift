/// Why a base64url string was refused by ``Base64URL/decode(_:)``.
public enum Base64URLError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The length leaves a single dangling character, which cannot encode a whole byte.
  case invalidLength(Int)
  /// A character outside `A–Z a–z 0–9 - _` was found (standard base64 `+` and `/` included).
  case invalidCharacter(position: Int)
  /// JOSE base64url is unpadded; `=` is not accepted.
  case paddingNotAllowed(position: Int)
  /// The last character carries non-zero unused bits, so the text is not the unique encoding.
  case nonCanonical

  /// A message that says what is wrong and what the producer must change.
  public var description: String {
    switch self {
    case .invalidLength(let length):
      "base64url text of length \(length) is truncated (length % 4 == 1 is impossible)"
    case .invalidCharacter(let position):
      "invalid base64url character at offset \(position); only A-Z a-z 0-9 - _ are allowed"
    case .paddingNotAllowed(let position):
      "base64url padding '=' at offset \(position) is not allowed; strip the padding"
    case .nonCanonical:
      "base64url text is not canonical: the unused bits of the last character must be zero"
    }
  }
}
