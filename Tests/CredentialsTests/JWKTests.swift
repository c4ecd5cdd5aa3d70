import Crypto
import Foundation
import Testing

@testable import Credentials

@Suite struct JWKTests {
  @Test func jwkJSONHasStandardAndLifecycleMembers() throws {
    let key = try Fixtures.signingKey(retired: Fixtures.t0.addingTimeInterval(3600))
    let data = try JWKSet(keys: [key.jwk]).encoded()
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let jwk = try #require((object["keys"] as? [[String: Any]])?.first)
    #expect(jwk["kty"] as? String == "OKP")
    #expect(jwk["crv"] as? String == "Ed25519")
    #expect(jwk["alg"] as? String == "EdDSA")
    #expect(jwk["use"] as? String == "sig")
    #expect(jwk["kid"] as? String == key.kid)
    #expect(jwk["d"] == nil)
    #expect(jwk["activated"] as? String == "2024-12-31T00:00:00Z")
    #expect(jwk["retired"] as? String == "2025-01-01T01:00:00Z")
    #expect(jwk["status"] as? String == "active")
    #expect(try JWKSet.decode(data) == JWKSet(keys: [key.jwk]))
  }

  @Test func keySetRejectsInconsistentKeys() throws {
    var jwk = try Fixtures.signingKey().jwk
    jwk.kid = "chosen-by-hand"
    #expect(throws: JOSEError.self) { try JWKSet.decode(JWKSet(keys: [jwk]).encoded()) }
    var wrongCurve = try Fixtures.signingKey().jwk
    wrongCurve.crv = "X25519"
    #expect(throws: JOSEError.self) { try wrongCurve.verifyingKey() }
    let good = try Fixtures.signingKey().jwk
    #expect(throws: JOSEError.self) { try JWKSet.decode(JWKSet(keys: [good, good]).encoded()) }
    #expect(throws: JOSEError.self) { try JWKSet.decode(Data("{\"keys\":5}".utf8)) }
  }

  @Test func lifecycleWindow() throws {
    let t = Fixtures.t0
    let key = try Fixtures.signingKey(activated: t, retired: t.addingTimeInterval(100))
    #expect(key.jwk.violation(forSignatureAt: t) == nil)
    #expect(key.jwk.violation(forSignatureAt: t.addingTimeInterval(99)) == nil)
    #expect(key.jwk.violation(forSignatureAt: t.addingTimeInterval(-1)) == .notYetActive(kid: key.kid, activated: t, signedAt: t.addingTimeInterval(-1)))
    #expect(key.jwk.violation(forSignatureAt: t.addingTimeInterval(100)) == nil)
    #expect(key.jwk.violation(forSignatureAt: t.addingTimeInterval(101)) == .retired(kid: key.kid, retired: t.addingTimeInterval(100), signedAt: t.addingTimeInterval(101)))
    let never = try Fixtures.signingKey(activated: nil)
    #expect(never.jwk.violation(forSignatureAt: t) == .notYetActive(kid: never.kid, activated: nil, signedAt: t))
    let compromised = try Fixtures.signingKey(revoked: t.addingTimeInterval(500))
    // Compromise invalidates everything, including signatures claimed to predate it.
    #expect(compromised.jwk.violation(forSignatureAt: t) == .compromised(kid: compromised.kid, since: t.addingTimeInterval(500)))
    #expect(compromised.jwk.status(at: t) == .compromised)
    #expect(key.jwk.status(at: t.addingTimeInterval(-1)) == .published)
    #expect(key.jwk.status(at: t) == .active)
    #expect(key.jwk.status(at: t.addingTimeInterval(100)) == .retired)
  }
}
