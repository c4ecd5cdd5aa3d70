import Crypto
import Foundation

/// A private Ed25519 key paired with its published JWK, ready to sign.
///
/// The private key never appears in `description`, `debugDescription`, `dump` or string
/// interpolation: all of them print only the `kid`, so a key that ends up in a log line or an
/// error message leaks nothing.
public struct Ed25519SigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// The private key. Use only to sign; never serialise it outside ``KeyRing``.
  public let privateKey: Curve25519.Signing.PrivateKey
  /// The public JWK (with lifecycle metadata) that verifiers will look up by ``kid``.
  public let jwk: PublicJWK

  /// Pairs a private key with its metadata; the JWK's `x` and `kid` are recomputed from the
  /// key so they cannot disagree.
  public init(privateKey: Curve25519.Signing.PrivateKey, metadata: PublicJWK? = nil) {
    self.privateKey = privateKey
    var jwk = PublicJWK(publicKey: privateKey.publicKey)
    if let metadata {
      jwk.status = metadata.status
      jwk.created = metadata.created
      jwk.activated = metadata.activated
      jwk.retired = metadata.retired
      jwk.revoked = metadata.revoked
    }
    self.jwk = jwk
  }

  /// The key identifier placed in JWS headers.
  public var kid: String { jwk.kid }

  /// Signs `payload` as a compact JWS with `alg` EdDSA and this key's `kid`.
  public func sign(payload: Data, type: String = JOSEHeader.verifiableCredentialType) throws(JOSEError) -> String {
    try CompactJWS.sign(payload: payload, header: JOSEHeader(typ: type, kid: kid), key: privateKey)
  }

  /// Redacted: names the key only.
  public var description: String { "Ed25519SigningKey(kid: \(kid), privateKey: <redacted>)" }
  /// Redacted: names the key only.
  public var debugDescription: String { description }
  /// Redacted mirror so `dump` and reflection-based loggers cannot reach the private bytes.
  public var customMirror: Mirror { Mirror(self, children: ["kid": kid, "privateKey": "<redacted>"]) }
}
