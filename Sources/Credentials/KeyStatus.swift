/// Where a signing key is in its lifecycle, as published in the JWKS `status` member.
///
/// Rotation publishes a key before it signs (`published`), then it signs (`active`), then it
/// stops signing but stays published so old credentials still verify (`retired`). A key that
/// leaked is `compromised`: everything it ever signed must fail verification.
public enum KeyStatus: String, Sendable, Codable, CaseIterable {
  /// Published in the key set but not yet allowed to sign.
  case published
  /// The current signing key.
  case active
  /// No longer signs; kept published so the credentials it signed remain checkable.
  case retired
  /// Revoked because the private key may be known to others; its signatures are worthless.
  case compromised
}
