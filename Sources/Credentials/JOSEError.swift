/// Why a compact JWS could not be produced, parsed or verified.
public enum JOSEError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The token is larger than the configured limit; refuse before doing any work.
  case tooLarge(size: Int, limit: Int)
  /// A compact JWS has exactly three dot-separated parts.
  case wrongPartCount(Int)
  /// A part is not valid base64url.
  case invalidEncoding(part: String, Base64URLError)
  /// The protected header is not a JSON object with string `alg`.
  case invalidHeader(String)
  /// The header names an algorithm other than EdDSA (includes `none`).
  case unsupportedAlgorithm(String)
  /// The header carries `crit`; no extensions are understood, so it must be refused (RFC 7515 §4.1.11).
  case criticalHeaderNotSupported([String])
  /// The header has no `kid`, so the key cannot be chosen from the key set.
  case missingKeyID
  /// No key in the key set has this `kid`.
  case unknownKeyID(String)
  /// The key with this `kid` is not an Ed25519 OKP key or its `x` is malformed.
  case unusableKey(kid: String, reason: String)
  /// The Ed25519 signature is not 64 bytes or does not verify.
  case badSignature(kid: String?)
  /// The header could not be encoded or the key could not sign.
  case signingFailed(String)

  /// A message that says what is wrong and what to check.
  public var description: String {
    switch self {
    case .tooLarge(let size, let limit):
      "JWS of \(size) bytes exceeds the \(limit)-byte limit"
    case .wrongPartCount(let count):
      "compact JWS must have 3 dot-separated parts (header.payload.signature), found \(count)"
    case .invalidEncoding(let part, let error):
      "JWS \(part) is not valid base64url: \(error)"
    case .invalidHeader(let reason):
      "JWS protected header is invalid: \(reason)"
    case .unsupportedAlgorithm(let alg):
      "JWS alg \"\(alg)\" is not accepted; only EdDSA (Ed25519) is"
    case .criticalHeaderNotSupported(let names):
      "JWS header lists critical extensions \(names) that this verifier does not understand"
    case .missingKeyID:
      "JWS header has no kid; the signer must name its key so it can be found in the JWKS"
    case .unknownKeyID(let kid):
      "no key with kid \"\(kid)\" in the key set; is the JWKS current, or the token forged?"
    case .unusableKey(let kid, let reason):
      "key \"\(kid)\" cannot verify EdDSA: \(reason)"
    case .badSignature(let kid):
      "signature does not verify with key \"\(kid ?? "?")\": the token was altered or signed by another key"
    case .signingFailed(let reason):
      "could not sign: \(reason)"
    }
  }
}
