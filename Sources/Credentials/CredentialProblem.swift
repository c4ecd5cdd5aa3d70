import Foundation

/// One reason a presented credential does not verify.
public enum CredentialProblem: Error, Equatable, Sendable, CustomStringConvertible {
  /// The token is not a well-formed EdDSA compact JWS, or its signature or key lookup failed.
  case signature(JOSEError)
  /// The JWS `typ` is not `vc+jwt`.
  case wrongMediaType(String?)
  /// The signing key was compromised, not yet active, or retired at the issue time.
  case keyUse(KeyUseViolation)
  /// The payload's shape or JWT claims are inconsistent.
  case claims(CredentialValidationError)
  /// The revocation bit is set.
  case revoked(index: Int)
  /// The suspension bit is set.
  case suspended(index: Int)
  /// The status list the credential points to was not provided or has a different purpose.
  case statusUnavailable(purpose: String, url: String)
  /// The credential's `validUntil` has passed.
  case expired(validUntil: Date)
  /// The credential's `validFrom` is in the future.
  case notYetValid(validFrom: Date)

  /// True for revocation/suspension: the token is genuine but its issuer withdrew it.
  public var isStatus: Bool {
    switch self {
    case .revoked, .suspended: true
    default: false
    }
  }

  /// A short, specific message.
  public var description: String {
    switch self {
    case .signature(let error): "\(error)"
    case .wrongMediaType(let typ): "JWS typ is \(typ.map { "\"\($0)\"" } ?? "absent"), expected \"vc+jwt\""
    case .keyUse(let violation): "\(violation)"
    case .claims(let error): "\(error)"
    case .revoked(let index): "revoked (revocation list bit \(index) is set)"
    case .suspended(let index): "suspended (suspension list bit \(index) is set)"
    case .statusUnavailable(let purpose, let url): "no verified \(purpose) status list for \(url)"
    case .expired(let date): "expired at \(JSONCoding.timestamp(date))"
    case .notYetValid(let date): "not valid before \(JSONCoding.timestamp(date))"
    }
  }
}
