/// Why a credential payload (or the claims meant to become one) is not acceptable.
public enum CredentialValidationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The payload is not JSON of the credential shape.
  case malformedPayload(String)
  /// A specific member has the wrong value; `field` is its JSON path.
  case invalidField(field: String, reason: String)
  /// A JWT claim disagrees with the credential member it must equal.
  case inconsistentClaim(claim: String, expected: String, found: String)

  /// A message naming the field and what it should be.
  public var description: String {
    switch self {
    case .malformedPayload(let reason):
      "credential payload is malformed: \(reason)"
    case .invalidField(let field, let reason):
      "credential field \(field) is invalid: \(reason)"
    case .inconsistentClaim(let claim, let expected, let found):
      "JWT claim \(claim) is \(found) but the credential says \(expected)"
    }
  }
}
