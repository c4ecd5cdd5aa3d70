import Crypto
import Foundation
import Testing

@testable import Credentials

@Suite struct CompactJWSTests {
  static let rfcSigningInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
  static let rfcSignature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

  @Test func rfc8037PublicKeyAndThumbprint() throws {
    let key = try Fixtures.rfcPrivateKey()
    let jwk = PublicJWK(publicKey: key.publicKey)
    #expect(jwk.x == Fixtures.rfc8037X)
    // RFC 8037 Appendix A.3.
    #expect(jwk.kid == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    #expect(PublicJWK.thumbprint(x: Fixtures.rfc8037X) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
  }

  @Test func rfc8037SignatureVerifies() throws {
    let key = try Fixtures.rfcPrivateKey()
    let token = Self.rfcSigningInput + "." + Self.rfcSignature
    let parsed = try CompactJWS.parse(token)
    #expect(parsed.header == JOSEHeader(typ: nil, kid: nil))
    #expect(String(decoding: parsed.payload, as: UTF8.self) == "Example of Ed25519 signing")
    #expect(key.publicKey.isValidSignature(parsed.signature, for: parsed.signingInput))
  }

  #if !canImport(Darwin)
  // BoringSSL's Ed25519 is the deterministic RFC 8032 algorithm, so the RFC's exact
  // signature must come out (CryptoKit on Apple platforms randomises Ed25519).
  @Test func rfc8037SignatureIsReproduced() throws {
    let token = try CompactJWS.sign(
      payload: Data("Example of Ed25519 signing".utf8), header: JOSEHeader(typ: nil, kid: nil), key: Fixtures.rfcPrivateKey())
    #expect(token == Self.rfcSigningInput + "." + Self.rfcSignature)
  }
  #endif

  @Test func signAndVerifyWithKeySet() throws {
    let key = try Fixtures.signingKey()
    let token = try key.sign(payload: Data(#"{"hello":"world"}"#.utf8))
    let header = try JSONSerialization.jsonObject(with: CompactJWS.parse(token).headerBytes) as? [String: String]
    #expect(header == ["alg": "EdDSA", "typ": "vc+jwt", "kid": key.kid])
    let verified = try CompactJWS.verify(token, keySet: JWKSet(keys: [key.jwk]))
    #expect(verified.key.kid == key.kid)
    #expect(verified.jws.payload == Data(#"{"hello":"world"}"#.utf8))
  }

  static func forge(header: String, payload: String = "{}", signature: String = String(repeating: "A", count: 86)) -> String {
    Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(Data(payload.utf8)) + "." + signature
  }

  @Test func rejectsMalformedTokens() throws {
    #expect(throws: JOSEError.wrongPartCount(2)) { try CompactJWS.parse("a.b") }
    #expect(throws: JOSEError.wrongPartCount(4)) { try CompactJWS.parse("a.b.c.d") }
    #expect(throws: JOSEError.tooLarge(size: 101, limit: 100)) {
      try CompactJWS.parse(String(repeating: "a", count: 101), maximumSize: 100)
    }
    #expect(throws: JOSEError.unsupportedAlgorithm("none")) { try CompactJWS.parse(Self.forge(header: #"{"alg":"none"}"#)) }
    #expect(throws: JOSEError.unsupportedAlgorithm("HS256")) { try CompactJWS.parse(Self.forge(header: #"{"alg":"HS256"}"#)) }
    #expect(throws: JOSEError.criticalHeaderNotSupported(["exp"])) {
      try CompactJWS.parse(Self.forge(header: #"{"alg":"EdDSA","crit":["exp"],"exp":1}"#))
    }
    #expect(throws: JOSEError.invalidHeader("missing string \"alg\"")) { try CompactJWS.parse(Self.forge(header: #"{"kid":"x"}"#)) }
    #expect(throws: JOSEError.invalidHeader("not a JSON object")) { try CompactJWS.parse(Self.forge(header: "[1]")) }
    #expect(throws: JOSEError.invalidHeader("\"kid\" must be a string")) {
      try CompactJWS.parse(Self.forge(header: #"{"alg":"EdDSA","kid":5}"#))
    }
    #expect(throws: JOSEError.invalidEncoding(part: "signature", .paddingNotAllowed(position: 2))) {
      try CompactJWS.parse(Self.forge(header: #"{"alg":"EdDSA"}"#, signature: "AA=="))
    }
  }

  @Test func verificationFailures() throws {
    let key = try Fixtures.signingKey()
    let other = try Fixtures.signingKey(seed: 8)
    let keySet = JWKSet(keys: [key.jwk])
    let token = try key.sign(payload: Data("{}".utf8))
    // Missing kid.
    let noKid = try CompactJWS.sign(payload: Data("{}".utf8), header: JOSEHeader(kid: nil), key: key.privateKey)
    #expect(throws: JOSEError.missingKeyID) { try CompactJWS.verify(noKid, keySet: keySet) }
    // Unknown kid.
    #expect(throws: JOSEError.unknownKeyID(other.kid)) { try CompactJWS.verify(other.sign(payload: Data()), keySet: keySet) }
    // Right kid, wrong key.
    let impostor = try CompactJWS.sign(payload: Data("{}".utf8), header: JOSEHeader(kid: key.kid), key: other.privateKey)
    #expect(throws: JOSEError.badSignature(kid: key.kid)) { try CompactJWS.verify(impostor, keySet: keySet) }
    // Altered payload.
    let parts = token.split(separator: ".")
    let altered = "\(parts[0]).\(Base64URL.encode(Data(#"{"a":1}"#.utf8))).\(parts[2])"
    #expect(throws: JOSEError.badSignature(kid: key.kid)) { try CompactJWS.verify(altered, keySet: keySet) }
    // Truncated signature.
    let short = "\(parts[0]).\(parts[1]).\(Base64URL.encode(Data(repeating: 0, count: 63)))"
    #expect(throws: JOSEError.badSignature(kid: key.kid)) { try CompactJWS.verify(short, keySet: keySet) }
    // Every single-character change anywhere in the token is rejected.
    var bytes = Array(token.utf8)
    for position in bytes.indices {
      let original = bytes[position]
      bytes[position] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
      #expect(throws: JOSEError.self) { try CompactJWS.verify(String(decoding: bytes, as: UTF8.self), keySet: keySet) }
      bytes[position] = original
    }
  }
}
