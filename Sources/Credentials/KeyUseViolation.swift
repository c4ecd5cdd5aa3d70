import Foundation

/// Why a signature by a given key at a given time is not acceptable, even though it is
/// cryptographically valid.
public enum KeyUseViolation: Error, Equatable, Sendable, CustomStringConvertible {
  /// The key was marked compromised; nothing it signed can be trusted.
  case compromised(kid: String, since: Date?)
  /// The claimed issue time is before the key was allowed to sign (or it never was).
  case notYetActive(kid: String, activated: Date?, signedAt: Date)
  /// The claimed issue time is at or after the key's retirement.
  case retired(kid: String, retired: Date, signedAt: Date)

  /// A message naming the key and the dates involved.
  public var description: String {
    switch self {
    case .compromised(let kid, let since):
      "signing key \(kid) is marked compromised\(since.map { " since \(JSONCoding.timestamp($0))" } ?? "")"
    case .notYetActive(let kid, let activated, let signedAt):
      if let activated {
        "signed at \(JSONCoding.timestamp(signedAt)), before key \(kid) became active at \(JSONCoding.timestamp(activated))"
      } else {
        "signed at \(JSONCoding.timestamp(signedAt)) by key \(kid), which was never activated for signing"
      }
    case .retired(let kid, let retired, let signedAt):
      "signed at \(JSONCoding.timestamp(signedAt)), after key \(kid) was retired at \(JSONCoding.timestamp(retired))"
    }
  }
}
