/// The protected header of a compact JWS this module produces or accepts.
///
/// Only `EdDSA` (Ed25519, RFC 8037) is supported: allowing a caller-chosen algorithm is the
/// classic JOSE downgrade hole, so `alg` is fixed rather than configurable.
public struct JOSEHeader: Sendable, Equatable, Codable {
  /// The only algorithm this module signs or verifies with.
  public static let edDSA = "EdDSA"
  /// Media type for a W3C VC 2.0 credential secured with JOSE (VC-JOSE-COSE §3.1.1).
  public static let verifiableCredentialType = "vc+jwt"
  /// Plain JWT media type, used for the bundle manifest.
  public static let jwtType = "JWT"

  /// Signature algorithm; always ``edDSA`` for headers this module accepts.
  public var alg: String
  /// Media type of the complete JWS (`vc+jwt` for credentials, `JWT` otherwise).
  public var typ: String?
  /// Key identifier: the RFC 7638 thumbprint of the signing key, looked up in the JWKS.
  public var kid: String?
  /// Content type of the payload, e.g. `vc`; optional.
  public var cty: String?

  /// Creates an EdDSA header naming the signing key.
  public init(typ: String? = JOSEHeader.verifiableCredentialType, kid: String?, cty: String? = nil) {
    self.alg = JOSEHeader.edDSA
    self.typ = typ
    self.kid = kid
    self.cty = cty
  }
}
