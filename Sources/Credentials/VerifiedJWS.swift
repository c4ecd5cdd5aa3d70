/// A compact JWS whose Ed25519 signature has been checked, with the key that checked it.
///
/// Returned by ``CompactJWS/verify(_:keySet:maximumSize:)`` so callers can go on to judge
/// the key's lifecycle (status, activation and retirement dates) against the payload.
public struct VerifiedJWS: Sendable, Equatable {
  /// The parsed token; its payload is authentic with respect to ``key``.
  public let jws: ParsedJWS
  /// The JWK, from the key set, whose public key verified the signature.
  public let key: PublicJWK
}
