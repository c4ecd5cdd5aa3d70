import Foundation
import Testing

@testable import Credentials

@Suite struct StatusListTests {
  @Test func bitOrderIsMostSignificantFirst() throws {
    var list = try BitstringStatusList()
    #expect(list.size == 131_072)
    try list.set(0)
    #expect(list.bytes[0] == 0x80)
    try list.set(7)
    #expect(list.bytes[0] == 0x81)
    try list.set(8)
    #expect(list.bytes[1] == 0x80)
    try list.set(131_071)
    #expect(list.bytes[16_383] == 0x01)
    #expect(try list.get(0) && list.get(7) && list.get(8) && list.get(131_071))
    #expect(try !list.get(1))
    try list.clear(7)
    #expect(list.bytes[0] == 0x80)
    #expect(throws: StatusListError.indexOutOfRange(index: 131_072, size: 131_072)) { try list.get(131_072) }
    #expect(throws: StatusListError.indexOutOfRange(index: -1, size: 131_072)) { try list.set(-1) }
    #expect(throws: StatusListError.tooSmall(bits: 8)) { try BitstringStatusList(size: 8) }
    #expect(throws: StatusListError.tooSmall(bits: 131_073)) { try BitstringStatusList(size: 131_073) }
  }

  @Test func encodedListRoundTripAndFormat() throws {
    var list = try BitstringStatusList()
    for index in [0, 5, 99_999, 131_071] { try list.set(index) }
    let encoded = try list.encodedList()
    #expect(encoded.hasPrefix("u"))
    let compressed = try Base64URL.decode(encoded.dropFirst())
    #expect(compressed.prefix(2) == Data([0x1F, 0x8B]))  // GZIP magic
    #expect(try BitstringStatusList.decode(encodedList: encoded) == list)
    // An all-zero minimum list is tiny once compressed.
    #expect(try BitstringStatusList().encodedList().count < 200)
  }

  /// Interop vector from another implementation: Python's
  /// `gzip.compress(bits, compresslevel=6, mtime=0)` of a 16 KiB list with bits 0 and 131,071
  /// set, multibase base64url encoded.
  @Test func decodesForeignGzip() throws {
    let python = "uH4sIAAAAAAAAA-3BMQEAAAwCoNl80Y3hA_wBAAAAAAAAAAAAAAAAAAAAYylyaUQQAEAAAA"
    let list = try BitstringStatusList.decode(encodedList: python)
    #expect(list.size == 131_072)
    #expect(try list.get(0) && list.get(131_071) && !list.get(1) && !list.get(131_070))
    // Pre-Recommendation producers omitted the multibase prefix; that is tolerated.
    #expect(try BitstringStatusList.decode(encodedList: String(python.dropFirst())) == list)
  }

  @Test func refusesDecompressionBombsAndGarbage() throws {
    let bomb = try Gzip.compress(Data(count: 64 * 1024 * 1024))
    #expect(bomb.count < 100_000)
    #expect(throws: StatusListError.tooLarge(limit: BitstringStatusList.defaultMaximumBytes)) {
      try BitstringStatusList.decode(encodedList: "u" + Base64URL.encode(bomb))
    }
    let small = try Gzip.compress(Data(count: 100))
    #expect(throws: StatusListError.tooSmall(bits: 800)) { try BitstringStatusList.decode(encodedList: "u" + Base64URL.encode(small)) }
    let good = try Gzip.compress(Data(count: 16_384))
    #expect(throws: StatusListError.self) { try BitstringStatusList.decode(encodedList: "u" + Base64URL.encode(good.dropLast(4))) }
    #expect(throws: StatusListError.self) { try BitstringStatusList.decode(encodedList: "u" + Base64URL.encode(good + Data([0]))) }
    #expect(throws: StatusListError.self) { try BitstringStatusList.decode(encodedList: "u" + Base64URL.encode(Data("not gzip".utf8))) }
    #expect(throws: StatusListError.self) { try BitstringStatusList.decode(encodedList: "u!!!") }
  }

  @Test func randomAllocation() throws {
    var generator = SeededGenerator(seed: 5)
    var used = Set<Int>()
    for _ in 0..<1000 {
      let index = try StatusIndexAllocator.allocate(size: 131_072, using: &generator) { used.contains($0) }
      #expect(!used.contains(index))
      used.insert(index)
    }
    // Spread over the whole range rather than sequential.
    #expect(used.contains { $0 > 65_536 } && used.contains { $0 < 65_536 })
    // A nearly full list still finds the last free slot; a full one throws.
    let size = 1000
    let almostFull = Set((0..<size).filter { $0 != 777 })
    #expect(try StatusIndexAllocator.allocate(size: size, using: &generator) { almostFull.contains($0) } == 777)
    #expect(throws: StatusListError.full(size: size)) { try StatusIndexAllocator.allocate(size: size, used: Set(0..<size)) }
    // Same seed, same sequence: allocation is reproducible in tests.
    var a = SeededGenerator(seed: 1)
    var b = SeededGenerator(seed: 1)
    #expect(try StatusIndexAllocator.allocate(size: 131_072, using: &a) { _ in false }
            == StatusIndexAllocator.allocate(size: 131_072, using: &b) { _ in false })
  }

  @Test func signedStatusListCredential() throws {
    let key = try Fixtures.signingKey()
    var list = try BitstringStatusList()
    try list.set(42)
    let timestamp = Fixtures.t0.addingTimeInterval(3600)
    let token = try StatusListCredential.sign(
      list: list, purpose: "revocation", listURL: Fixtures.revocationURL, issuer: Fixtures.serviceIssuer, timestamp: timestamp,
      key: key)
    let payload = try #require(try JSONSerialization.jsonObject(with: CompactJWS.parse(token).payload) as? [String: Any])
    #expect(payload["type"] as? [String] == ["VerifiableCredential", "BitstringStatusListCredential"])
    #expect(payload["validFrom"] as? String == "2025-01-01T01:00:00Z")
    let subject = try #require(payload["credentialSubject"] as? [String: Any])
    #expect(subject["type"] as? String == "BitstringStatusList")
    #expect(subject["statusPurpose"] as? String == "revocation")
    #expect(subject["id"] as? String == Fixtures.revocationURL + "#list")

    let verified = try StatusListCredential.verify(token, keySet: JWKSet(keys: [key.jwk]))
    #expect(verified.url == Fixtures.revocationURL)
    #expect(verified.purpose == "revocation")
    #expect(verified.timestamp == timestamp)
    #expect(try verified.list.get(42))

    // A credential with that revocation index is reported revoked; suspension bit clear.
    var suspension = try BitstringStatusList()
    let suspensionToken = try StatusListCredential.sign(
      list: suspension, purpose: "suspension", listURL: Fixtures.suspensionURL, issuer: Fixtures.serviceIssuer,
      timestamp: timestamp, key: key)
    let lists = [
      Fixtures.revocationURL: verified,
      Fixtures.suspensionURL: try StatusListCredential.verify(suspensionToken, keySet: JWKSet(keys: [key.jwk])),
    ]
    let credential = try AchievementCredentialBuilder.sign(Fixtures.claims(revocationIndex: 42, suspensionIndex: 43), with: key)
    #expect(CredentialVerifier.verify(credential, keySet: JWKSet(keys: [key.jwk]), statusLists: lists, now: nil).problems
            == [.revoked(index: 42)])
    // Suspension is reversible: set, then clear.
    try suspension.set(43)
    let suspendedLists = lists.merging([Fixtures.suspensionURL: try StatusListCredential.verify(
      StatusListCredential.sign(list: suspension, purpose: "suspension", listURL: Fixtures.suspensionURL,
                                issuer: Fixtures.serviceIssuer, timestamp: timestamp, key: key),
      keySet: JWKSet(keys: [key.jwk]))]) { $1 }
    let other = try AchievementCredentialBuilder.sign(Fixtures.claims(revocationIndex: 1, suspensionIndex: 43), with: key)
    #expect(CredentialVerifier.verify(other, keySet: JWKSet(keys: [key.jwk]), statusLists: suspendedLists, now: nil).problems
            == [.suspended(index: 43)])
    #expect(CredentialVerifier.verify(other, keySet: JWKSet(keys: [key.jwk]), statusLists: lists, now: nil).problems == [])

    // Status lists signed by a compromised key are refused.
    let bad = try Fixtures.signingKey(seed: 9, revoked: Fixtures.t0)
    let badToken = try StatusListCredential.sign(
      list: list, purpose: "revocation", listURL: Fixtures.revocationURL, issuer: Fixtures.serviceIssuer, timestamp: timestamp,
      key: bad)
    #expect(throws: KeyUseViolation.self) { try StatusListCredential.verify(badToken, keySet: JWKSet(keys: [bad.jwk])) }
    #expect(throws: (any Error).self) {
      try StatusListCredential.sign(list: list, purpose: "other", listURL: "u", issuer: "i", timestamp: timestamp, key: key)
    }
  }
}
