import Foundation
import Testing

@testable import Credentials

@Suite struct CredentialTests {
  func object(_ claims: CredentialClaims) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: AchievementCredentialBuilder.payload(for: claims)) as? [String: Any])
  }

  @Test func payloadShape() throws {
    let claims = try Fixtures.claims()
    let json = try object(claims)
    #expect(json["@context"] as? [String] == [
      "https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ])
    #expect(json["type"] as? [String] == ["VerifiableCredential", "OpenBadgeCredential"])
    #expect(json["id"] as? String == "urn:vrs:credential:VC-2025-000001")
    #expect(json["jti"] as? String == "urn:vrs:credential:VC-2025-000001")
    #expect(json["iss"] as? String == "urn:vrs:organisation:ORG-110105-0007")
    #expect(json["sub"] as? String == "urn:vrs:volunteer:V110105000123")
    #expect(json["validFrom"] as? String == "2025-01-01T00:00:00Z")
    #expect(json["validUntil"] as? String == "2026-01-01T00:00:00Z")
    #expect(json["nbf"] as? Int == 1_735_689_600)
    #expect(json["iat"] as? Int == 1_735_689_600)
    #expect(json["exp"] as? Int == 1_767_225_600)
    let issuer = try #require(json["issuer"] as? [String: Any])
    #expect(issuer["type"] as? [String] == ["Profile"])
    let subject = try #require(json["credentialSubject"] as? [String: Any])
    #expect(subject["type"] as? [String] == ["AchievementSubject"])
    #expect(subject["name"] as? String == "张*明")
    let achievement = try #require(subject["achievement"] as? [String: Any])
    #expect(achievement["achievementType"] as? String == "CommunityService")
    #expect(achievement["type"] as? [String] == ["Achievement"])
    #expect((achievement["criteria"] as? [String: Any])?["narrative"] is String)
    let identifiers = try #require(subject["identifier"] as? [[String: Any]])
    #expect(identifiers.count == 2)
    #expect(identifiers[1]["identityType"] as? String == "nationalIdentityNumber")
    #expect(identifiers[1]["hashed"] as? Bool == true)
    // The plain ID number never appears anywhere in the payload.
    let text = String(decoding: try AchievementCredentialBuilder.payload(for: claims), as: UTF8.self)
    #expect(!text.contains("110105200801011234"))
    let results = try #require(subject["result"] as? [[String: Any]])
    #expect(results.first?["value"] as? String == "1")
    #expect(results.contains { $0["value"] as? String == "104.25" })  // 6,255 minutes
    let evidence = try #require((json["evidence"] as? [[String: Any]])?.first)
    #expect(evidence["digestSRI"] as? String == claims.evidence.sri)
    let status = try #require(json["credentialStatus"] as? [[String: Any]])
    #expect(status.map { $0["statusPurpose"] as? String } == ["revocation", "suspension"])
    #expect(status[0]["statusListIndex"] as? String == "42")
    #expect(status[0]["type"] as? String == "BitstringStatusListEntry")
    #expect(status[0]["id"] as? String == Fixtures.revocationURL + "#42")
  }

  @Test func roundTripThroughSignedToken() throws {
    let key = try Fixtures.signingKey()
    let claims = try Fixtures.claims()
    let token = try AchievementCredentialBuilder.sign(claims, with: key)
    let result = CredentialVerifier.verify(token, keySet: JWKSet(keys: [key.jwk]), statusLists: nil, now: Fixtures.t0)
    #expect(result.problems == [])
    #expect(result.decoded?.claims == claims)
    #expect(result.kid == key.kid)
    #expect(try CompactJWS.parse(token).header.typ == "vc+jwt")
    #expect(claims.identityHash?.matches(idNumber: "110105200801011234") == true)
    #expect(claims.identityHash?.matches(idNumber: "110105200801011235") == false)
  }

  @Test func hoursFormatting() {
    #expect(AchievementCredentialBuilder.hours(0) == "0.00")
    #expect(AchievementCredentialBuilder.hours(90) == "1.50")
    #expect(AchievementCredentialBuilder.hours(1) == "0.02")
    #expect(AchievementCredentialBuilder.hours(6_000) == "100.00")
  }

  @Test func builderRefusesBadClaims() throws {
    var claims = try Fixtures.claims()
    claims.credentialNumber = "VC 1"
    #expect(throws: CredentialValidationError.self) { try AchievementCredentialBuilder.payload(for: claims) }
    claims = try Fixtures.claims()
    claims.evaluation.recordCount = 4
    #expect(throws: CredentialValidationError.self) { try AchievementCredentialBuilder.payload(for: claims) }
    claims = try Fixtures.claims()
    claims.validUntil = claims.issuedAt
    #expect(throws: CredentialValidationError.self) { try AchievementCredentialBuilder.payload(for: claims) }
    claims = try Fixtures.claims()
    claims.evaluation.starLevel = 6
    #expect(throws: CredentialValidationError.self) { try AchievementCredentialBuilder.payload(for: claims) }
    claims = try Fixtures.claims()
    claims.suspension.listURL = claims.revocation.listURL
    #expect(throws: CredentialValidationError.self) { try AchievementCredentialBuilder.payload(for: claims) }
    claims = try Fixtures.claims()
    claims.revocation.listURL = "not a url#frag"
    #expect(throws: CredentialValidationError.self) { try AchievementCredentialBuilder.payload(for: claims) }
  }

  /// Each mutation of an otherwise valid payload must be caught by the decoder.
  @Test(arguments: [
    "context", "type", "iss", "sub", "jti", "nbf", "iat", "exp-missing", "exp-wrong", "achievementType",
    "statusIndex", "statusMissing", "statusType", "evidenceDigest", "starResult", "plainNationalID", "volunteerIdentifier",
    "notJSON", "issuerPrefix",
  ])
  func decoderCatchesInconsistency(_ mutation: String) throws {
    var json = try object(Fixtures.claims())
    var subject = try #require(json["credentialSubject"] as? [String: Any])
    var status = try #require(json["credentialStatus"] as? [[String: Any]])
    switch mutation {
    case "context": json["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    case "type": json["type"] = ["VerifiableCredential"]
    case "iss": json["iss"] = "urn:vrs:organisation:OTHER"
    case "sub": json["sub"] = "urn:vrs:volunteer:V999"
    case "jti": json["jti"] = "urn:vrs:credential:VC-OTHER"
    case "nbf": json["nbf"] = 1_735_689_601
    case "iat": json["iat"] = 1_735_689_000
    case "exp-missing": json["exp"] = nil
    case "exp-wrong": json["exp"] = 1_999_999_999
    case "achievementType":
      var achievement = try #require(subject["achievement"] as? [String: Any])
      achievement["achievementType"] = "Badge"
      subject["achievement"] = achievement
    case "statusIndex": status[0]["statusListIndex"] = "042"
    case "statusMissing": status.removeLast()
    case "statusType": status[1]["type"] = "StatusList2021Entry"
    case "evidenceDigest":
      var evidence = try #require(json["evidence"] as? [[String: Any]])
      evidence[0]["digestSRI"] = "sha256-abc"
      json["evidence"] = evidence
    case "starResult":
      var results = try #require(subject["result"] as? [[String: Any]])
      results[0]["value"] = "5"
      subject["result"] = results
    case "plainNationalID":
      var identifiers = try #require(subject["identifier"] as? [[String: Any]])
      identifiers[1]["hashed"] = false
      identifiers[1]["identityHash"] = "110105200801011234"
      subject["identifier"] = identifiers
    case "volunteerIdentifier":
      var identifiers = try #require(subject["identifier"] as? [[String: Any]])
      identifiers[0]["identityHash"] = "V000"
      subject["identifier"] = identifiers
    case "issuerPrefix":
      var issuer = try #require(json["issuer"] as? [String: Any])
      issuer["id"] = "https://example.org"
      json["issuer"] = issuer
      json["iss"] = "https://example.org"
    case "notJSON":
      #expect(throws: CredentialValidationError.self) { try CredentialDecoder.decode(Data("[]".utf8)) }
      return
    default: Issue.record("unknown mutation")
    }
    json["credentialSubject"] = subject
    json["credentialStatus"] = status
    let data = try JSONSerialization.data(withJSONObject: json)
    #expect(throws: CredentialValidationError.self) { try CredentialDecoder.decode(data) }
  }

  @Test func verifierReportsKeyStatusAndValidity() throws {
    let claims = try Fixtures.claims()
    let t = Fixtures.t0
    func problems(_ key: Ed25519SigningKey, now: Date? = nil) throws -> [CredentialProblem] {
      let token = try AchievementCredentialBuilder.sign(claims, with: key)
      return CredentialVerifier.verify(token, keySet: JWKSet(keys: [key.jwk]), statusLists: nil, now: now).problems
    }
    let compromised = try Fixtures.signingKey(revoked: t.addingTimeInterval(86_400))
    #expect(try problems(compromised) == [.keyUse(.compromised(kid: compromised.kid, since: t.addingTimeInterval(86_400)))])
    // Signed in the second the key retired still counts (whole-second times); the next does not.
    #expect(try problems(try Fixtures.signingKey(retired: t)) == [])
    let retired = try Fixtures.signingKey(retired: t.addingTimeInterval(-1))
    #expect(try problems(retired) == [.keyUse(.retired(kid: retired.kid, retired: t.addingTimeInterval(-1), signedAt: t))])
    let early = try Fixtures.signingKey(activated: t.addingTimeInterval(1))
    #expect(try problems(early) == [.keyUse(.notYetActive(kid: early.kid, activated: t.addingTimeInterval(1), signedAt: t))])
    let good = try Fixtures.signingKey()
    #expect(try problems(good, now: t.addingTimeInterval(400 * 86_400)) == [.expired(validUntil: t.addingTimeInterval(365 * 86_400))])
    #expect(try problems(good, now: t.addingTimeInterval(-1)) == [.notYetValid(validFrom: t)])
    // Wrong typ.
    let jwtTyped = try good.sign(payload: AchievementCredentialBuilder.payload(for: claims), type: "JWT")
    #expect(CredentialVerifier.verify(jwtTyped, keySet: JWKSet(keys: [good.jwk]), statusLists: nil, now: nil).problems
            == [.wrongMediaType("JWT")])
    // Missing status lists are reported when status is requested.
    let token = try AchievementCredentialBuilder.sign(claims, with: good)
    #expect(CredentialVerifier.verify(token, keySet: JWKSet(keys: [good.jwk]), statusLists: [:], now: nil).problems.count == 2)
  }
}
