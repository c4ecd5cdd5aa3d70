import Foundation

/// A JSON Web Key Set (RFC 7517 §5): the published verification keys, current and retired.
///
/// This is the only thing a verifier needs besides a token; it is served by the API and
/// copied into every offline bundle as `jwks.json`.
public struct JWKSet: Sendable, Equatable, Codable {
  /// The keys, oldest first.
  public var keys: [PublicJWK]

  /// Wraps a list of keys.
  public init(keys: [PublicJWK]) {
    self.keys = keys
  }

  /// The key whose `kid` is `kid`, if any.
  public func key(withID kid: String) -> PublicJWK? {
    keys.first { $0.kid == kid }
  }

  /// Parses and checks a JWKS document: every key must be a usable Ed25519 key whose `kid`
  /// is its thumbprint, and `kid`s must be unique.
  public static func decode(_ data: Data) throws(JOSEError) -> JWKSet {
    let set: JWKSet
    do {
      set = try JSONCoding.decoder().decode(JWKSet.self, from: data)
    } catch {
      throw .unusableKey(kid: "?", reason: "JWKS is not a valid key set document: \(error)")
    }
    var seen = Set<String>()
    for key in set.keys {
      _ = try key.verifyingKey()
      guard seen.insert(key.kid).inserted else {
        throw .unusableKey(kid: key.kid, reason: "kid appears more than once in the key set")
      }
    }
    return set
  }

  /// The canonical JSON form (sorted keys, RFC 3339 dates), as published and bundled.
  public func encoded() throws(JOSEError) -> Data {
    do {
      return try JSONCoding.encoder().encode(self)
    } catch {
      throw .signingFailed("JWKS could not be encoded: \(error)")
    }
  }
}
