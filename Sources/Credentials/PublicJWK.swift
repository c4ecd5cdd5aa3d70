import Crypto
import Foundation

/// An Ed25519 public key as a JWK (RFC 8037 `OKP`), plus lifecycle members of our own.
///
/// Standard members: `kty` `OKP`, `crv` `Ed25519`, `x` (base64url public key), `kid`, `use`
/// `sig`, `alg` `EdDSA`. Extension members (ignored by JOSE libraries, RFC 7517 §4):
/// `status`, `created`, `activated`, `retired`, `revoked` (RFC 3339 UTC). An auditor needs
/// those to judge whether a credential's issue time falls inside the key's signing window.
///
/// `kid` is the RFC 7638 thumbprint of the key, so it is derived from the key rather than
/// invented, and a verifier can check that it names exactly this key.
public struct PublicJWK: Sendable, Equatable, Codable {
  /// Key type; always `OKP`.
  public var kty: String
  /// Curve; always `Ed25519`.
  public var crv: String
  /// The 32-byte public key, base64url.
  public var x: String
  /// RFC 7638 thumbprint of (`crv`, `kty`, `x`).
  public var kid: String
  /// Intended use; `sig`.
  public var use: String?
  /// Algorithm; `EdDSA`.
  public var alg: String?
  /// Lifecycle status when the key set was published.
  public var status: KeyStatus?
  /// When the key was generated and published.
  public var created: Date?
  /// When the key first became allowed to sign; nil if it never has.
  public var activated: Date?
  /// When the key stopped signing; nil while it may still sign.
  public var retired: Date?
  /// When the key was marked compromised; nil unless compromised.
  public var revoked: Date?

  /// Builds the JWK for a public key; `kid` is computed.
  public init(
    publicKey: Curve25519.Signing.PublicKey,
    status: KeyStatus? = nil,
    created: Date? = nil,
    activated: Date? = nil,
    retired: Date? = nil,
    revoked: Date? = nil
  ) {
    let x = Base64URL.encode(publicKey.rawRepresentation)
    self.kty = "OKP"
    self.crv = "Ed25519"
    self.x = x
    self.kid = PublicJWK.thumbprint(x: x)
    self.use = "sig"
    self.alg = JOSEHeader.edDSA
    self.status = status
    self.created = created
    self.activated = activated
    self.retired = retired
    self.revoked = revoked
  }

  /// The RFC 7638 JWK thumbprint of an Ed25519 key: base64url(SHA-256 of
  /// `{"crv":"Ed25519","kty":"OKP","x":"…"}`), members in lexicographic order, no whitespace.
  public static func thumbprint(x: String) -> String {
    let canonical = #"{"crv":"Ed25519","kty":"OKP","x":"\#(x)"}"#
    return Base64URL.encode(SHA256.hash(data: Data(canonical.utf8)))
  }

  /// The key as a CryptoKit public key, after checking it really is an Ed25519 signing key
  /// whose `kid` is its thumbprint.
  public func verifyingKey() throws(JOSEError) -> Curve25519.Signing.PublicKey {
    guard kty == "OKP", crv == "Ed25519" else {
      throw .unusableKey(kid: kid, reason: "kty/crv is \(kty)/\(crv), expected OKP/Ed25519")
    }
    if let alg, alg != JOSEHeader.edDSA { throw .unusableKey(kid: kid, reason: "alg is \(alg), expected EdDSA") }
    if let use, use != "sig" { throw .unusableKey(kid: kid, reason: "use is \(use), expected sig") }
    guard PublicJWK.thumbprint(x: x) == kid else {
      throw .unusableKey(kid: kid, reason: "kid is not the RFC 7638 thumbprint of x; the key entry was altered")
    }
    let raw: Data
    do { raw = try Base64URL.decode(x) } catch { throw .unusableKey(kid: kid, reason: "x: \(error)") }
    guard raw.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
      throw .unusableKey(kid: kid, reason: "x must be a 32-byte Ed25519 public key")
    }
    return key
  }

  /// The lifecycle status implied by the dates at `date` (compromise wins over everything).
  public func status(at date: Date) -> KeyStatus {
    if revoked != nil || status == .compromised { return .compromised }
    if let retired, date >= retired { return .retired }
    if let activated, date >= activated { return .active }
    return .published
  }

  /// Whether a signature claiming to be made at `signedAt` is acceptable for this key.
  ///
  /// - Returns: nil if the key was active at that time and is not compromised, otherwise the
  ///   reason to reject.
  public func violation(forSignatureAt signedAt: Date) -> KeyUseViolation? {
    if revoked != nil || status == .compromised { return .compromised(kid: kid, since: revoked) }
    guard let activated, signedAt >= activated else {
      return .notYetActive(kid: kid, activated: activated, signedAt: signedAt)
    }
    // Times are whole seconds (JWT `iat`): a credential signed in the second the key retired
    // may precede the retirement, so that second still counts for the old key, as it does
    // for the new one activated in it.
    if let retired, signedAt > retired { return .retired(kid: kid, retired: retired, signedAt: signedAt) }
    return nil
  }
}
