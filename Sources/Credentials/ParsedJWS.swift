import Foundation

/// A compact JWS split and decoded, but not yet verified.
///
/// Kept separate from verification so callers can read the `kid` to pick a key, and so that
/// parsing failures (malformed input) are distinguishable from signature failures (tampering).
public struct ParsedJWS: Sendable, Equatable {
  /// The decoded protected header (only the members this module understands).
  public let header: JOSEHeader
  /// The raw protected header JSON bytes, exactly as signed.
  public let headerBytes: Data
  /// The payload bytes, exactly as signed.
  public let payload: Data
  /// `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes the signature covers.
  public let signingInput: Data
  /// The 64-byte Ed25519 signature.
  public let signature: Data
}
