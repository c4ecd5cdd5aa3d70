import Crypto
import Foundation

@testable import Credentials

/// Shared test data: fixed keys, claims and bundles.
enum Fixtures {
  static let t0 = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
  static let revocationURL = "https://vrs.example.cn/status/revocation/1"
  static let suspensionURL = "https://vrs.example.cn/status/suspension/1"
  static let serviceIssuer = "urn:vrs:service"

  /// RFC 8037 Appendix A.1 private key.
  static let rfc8037D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
  static let rfc8037X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

  static func rfcPrivateKey() throws -> Curve25519.Signing.PrivateKey {
    try Curve25519.Signing.PrivateKey(rawRepresentation: Base64URL.decode(rfc8037D))
  }

  /// A deterministic signing key (seed byte repeated) active from t0 - 1 day.
  static func signingKey(seed: UInt8 = 7, activated: Date? = t0.addingTimeInterval(-86_400), retired: Date? = nil,
                         revoked: Date? = nil) throws -> Ed25519SigningKey {
    let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: seed, count: 32))
    var metadata = PublicJWK(publicKey: key.publicKey)
    metadata.created = t0.addingTimeInterval(-2 * 86_400)
    metadata.activated = activated
    metadata.retired = retired
    metadata.revoked = revoked
    metadata.status = revoked != nil ? .compromised : metadata.status(at: t0)
    return Ed25519SigningKey(privateKey: key, metadata: metadata)
  }

  static let evidenceRecords = [
    EvidenceRecord(recordID: "R-000017", minutes: 120),
    EvidenceRecord(recordID: "R-000003", minutes: 90),
    EvidenceRecord(recordID: "R-000101", minutes: 45),
  ]

  static func claims(number: String = "VC-2025-000001", issuedAt: Date = t0, revocationIndex: Int = 42,
                     suspensionIndex: Int = 4242) throws -> CredentialClaims {
    let evidence = try EvidenceDigest.compute(evidenceRecords)
    return CredentialClaims(
      credentialNumber: number,
      volunteerNumber: "V110105000123",
      maskedName: "张*明",
      identityHash: IdentityHash.compute(idNumber: "110105200801011234", salt: "c2FsdA"),
      organisationID: "ORG-110105-0007",
      organisationName: "朝阳区青年志愿者协会",
      evaluation: EvaluationFacts(
        policyID: "national-default", policyVersion: "2025.1", asOf: issuedAt, starLevel: 1, annualTier: "bronze",
        lifetimeAward: false, lifetimeMinutes: 6_255, trailing12MonthMinutes: 1_710, recordCount: 3,
        distinctActivities: 2, distinctOrganisations: 1),
      evidence: evidence,
      issuedAt: issuedAt,
      validUntil: issuedAt.addingTimeInterval(365 * 86_400),
      revocation: StatusReference(listURL: revocationURL, index: revocationIndex),
      suspension: StatusReference(listURL: suspensionURL, index: suspensionIndex))
  }

  static func temporaryDirectory(_ name: String = #function) -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "vrs-creds-\(safe)-\(UUID().uuidString)"
    return path
  }

  /// Writes a complete bundle with `count` credentials; credentials at `revoked` / `suspended`
  /// indexes (0-based credential positions) get their bits set.
  @discardableResult
  static func writeBundle(
    at directory: String, count: Int = 5, key: Ed25519SigningKey? = nil, extraKeys: [PublicJWK] = [],
    revoked: Set<Int> = [], suspended: Set<Int> = [], tokens: [String]? = nil
  ) throws -> BundleManifest {
    let key = try key ?? signingKey()
    var revocation = try BitstringStatusList()
    var suspension = try BitstringStatusList()
    let writer = try BundleWriter(directory: directory)
    var used = Set<Int>()
    var generator = SeededGenerator(seed: 99)
    for position in 0..<count {
      let index = try StatusIndexAllocator.allocate(size: revocation.size, using: &generator) { used.contains($0) }
      used.insert(index)
      let number = String(format: "VC-2025-%06d", position + 1)
      let claims = try claims(number: number, issuedAt: t0.addingTimeInterval(Double(position) * 60), revocationIndex: index,
                              suspensionIndex: index)
      let token = try tokens?[position] ?? AchievementCredentialBuilder.sign(claims, with: key)
      if revoked.contains(position) { try revocation.set(index) }
      if suspended.contains(position) { try suspension.set(index) }
      try writer.append(number: number, token: token, metadata: ["issuedAt": JSONCoding.timestamp(claims.issuedAt)])
    }
    let snapshot = t0.addingTimeInterval(86_400)
    return try writer.finish(
      keySet: JWKSet(keys: [key.jwk] + extraKeys),
      statusLists: [
        "revocation": StatusListCredential.sign(
          list: revocation, purpose: "revocation", listURL: revocationURL, issuer: serviceIssuer, timestamp: snapshot, key: key),
        "suspension": StatusListCredential.sign(
          list: suspension, purpose: "suspension", listURL: suspensionURL, issuer: serviceIssuer, timestamp: snapshot, key: key),
      ],
      filters: ["organisation": "ORG-110105-0007"],
      createdAt: snapshot,
      signingKey: key)
  }
}

/// SplitMix64: a deterministic generator for reproducible tests (never for production).
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
