import Crypto
import Foundation

/// JWS Compact Serialization (RFC 7515 §7.1) with Ed25519 (RFC 8037) and nothing else.
///
/// This is the envelope of every signed artefact here: credentials (VC-JWT), status list
/// credentials and the bundle manifest. Any standard JOSE library can verify the output with
/// the published JWKS; the parser is deliberately stricter than most (exact part count,
/// canonical base64url, EdDSA only, no `crit`, bounded size).
public enum CompactJWS {
  /// Default refusal threshold for a token's length, generous for credentials and for a
  /// dense 131,072-entry status list, small enough to bound work on hostile input.
  public static let defaultMaximumSize = 512 * 1024

  /// Signs `payload` and returns `header.payload.signature`.
  ///
  /// The header is serialised with sorted keys and no insignificant whitespace, so the same
  /// inputs produce the same token (Ed25519 is deterministic on the BoringSSL backend).
  public static func sign(
    payload: Data,
    header: JOSEHeader,
    key: Curve25519.Signing.PrivateKey
  ) throws(JOSEError) -> String {
    guard header.alg == JOSEHeader.edDSA else { throw .unsupportedAlgorithm(header.alg) }
    let headerBytes: Data
    do {
      headerBytes = try JSONCoding.encoder().encode(header)
    } catch {
      throw .signingFailed("header could not be encoded: \(error)")
    }
    let signingInput = Base64URL.encode(headerBytes) + "." + Base64URL.encode(payload)
    let signature: Data
    do {
      signature = try key.signature(for: Data(signingInput.utf8))
    } catch {
      throw .signingFailed("Ed25519 signing failed: \(error)")
    }
    return signingInput + "." + Base64URL.encode(signature)
  }

  /// Splits and decodes a compact JWS without verifying it.
  ///
  /// - Parameter maximumSize: tokens longer than this many bytes are refused up front.
  /// - Throws: ``JOSEError`` for anything but a well-formed EdDSA compact JWS.
  public static func parse(_ token: String, maximumSize: Int = defaultMaximumSize) throws(JOSEError) -> ParsedJWS {
    let bytes = token.utf8
    guard bytes.count <= maximumSize else { throw .tooLarge(size: bytes.count, limit: maximumSize) }
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { throw .wrongPartCount(parts.count) }
    let headerBytes = try decodePart(parts[0], name: "header")
    let payload = try decodePart(parts[1], name: "payload")
    let signature = try decodePart(parts[2], name: "signature")
    let header = try decodeHeader(headerBytes)
    return ParsedJWS(
      header: header,
      headerBytes: headerBytes,
      payload: payload,
      signingInput: Data("\(parts[0]).\(parts[1])".utf8),
      signature: signature
    )
  }

  /// Parses `token`, finds its key by `kid` in `keySet` and checks the signature.
  ///
  /// Key *lifecycle* (compromised, retired, not yet active) is not judged here because it
  /// depends on the issue time inside the payload; see ``PublicJWK/violation(forSignatureAt:)``.
  public static func verify(
    _ token: String,
    keySet: JWKSet,
    maximumSize: Int = defaultMaximumSize
  ) throws(JOSEError) -> VerifiedJWS {
    let parsed = try parse(token, maximumSize: maximumSize)
    guard let kid = parsed.header.kid else { throw .missingKeyID }
    guard let jwk = keySet.key(withID: kid) else { throw .unknownKeyID(kid) }
    let publicKey = try jwk.verifyingKey()
    guard parsed.signature.count == 64,
      publicKey.isValidSignature(parsed.signature, for: parsed.signingInput)
    else { throw .badSignature(kid: kid) }
    return VerifiedJWS(jws: parsed, key: jwk)
  }

  private static func decodePart(_ part: Substring, name: String) throws(JOSEError) -> Data {
    do {
      return try Base64URL.decode(part)
    } catch {
      throw .invalidEncoding(part: name, error)
    }
  }

  private static func decodeHeader(_ bytes: Data) throws(JOSEError) -> JOSEHeader {
    guard let object = try? JSONSerialization.jsonObject(with: bytes),
      let dictionary = object as? [String: Any]
    else { throw .invalidHeader("not a JSON object") }
    guard let alg = dictionary["alg"] as? String else { throw .invalidHeader("missing string \"alg\"") }
    guard alg == JOSEHeader.edDSA else { throw .unsupportedAlgorithm(alg) }
    if let crit = dictionary["crit"] {
      throw .criticalHeaderNotSupported((crit as? [String]) ?? ["\(crit)"])
    }
    if dictionary["b64"] != nil { throw .invalidHeader("\"b64\" (RFC 7797) is not supported") }
    for name in ["typ", "kid", "cty"] where dictionary[name] != nil && !(dictionary[name] is String) {
      throw .invalidHeader("\"\(name)\" must be a string")
    }
    var header = JOSEHeader(
      typ: dictionary["typ"] as? String, kid: dictionary["kid"] as? String, cty: dictionary["cty"] as? String)
    header.alg = alg
    return header
  }
}
