import Foundation
import Testing

@testable import Credentials

@Suite struct BundleTests {
  func withBundle(_ body: (String) throws -> Void) throws {
    let directory = Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try body(directory)
  }

  @Test func roundTrip() throws {
    try withBundle { directory in
      let manifest = try Fixtures.writeBundle(at: directory, count: 5)
      #expect(manifest.counts.credentials == 5)
      #expect(manifest.counts.statusLists == 2)
      #expect(Set(manifest.files.keys) == [
        "credentials.jsonl", "jwks.json", "status-lists/revocation.jwt", "status-lists/suspension.jwt",
      ])
      var progressCalls: [Int] = []
      let report = BundleVerifier().verify(directory: directory) { progressCalls.append($0) }
      #expect(report.bundleProblems == [])
      #expect(report.failures == [])
      #expect(report.passed)
      #expect(report.validCount == 5 && report.credentialCount == 5)
      #expect(report.manifest == manifest)
      #expect(progressCalls.last == 5)
      let lines = try String(contentsOfFile: directory + "/credentials.jsonl", encoding: .utf8).split(separator: "\n")
      #expect(lines.count == 5)
      #expect(lines[0].hasPrefix(#"{"issuedAt":"2025-01-01T00:00:00Z","number":"VC-2025-000001","token":"ey"#))
    }
  }

  /// Flip one byte at a time, in every file, and require the verifier to notice each time.
  @Test func everySingleByteFlipIsDetected() throws {
    try withBundle { directory in
      try Fixtures.writeBundle(at: directory, count: 3, revoked: [], suspended: [])
      #expect(BundleVerifier().verify(directory: directory).passed)
      let files = ["manifest.jwt", "jwks.json", "status-lists/revocation.jwt", "status-lists/suspension.jwt", "credentials.jsonl"]
      let masks: [UInt8] = [0x01, 0x20, 0x80, 0xFF, 0x02, 0x40]
      var checked = 0
      for file in files {
        let path = directory + "/" + file
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        // Every byte of small files; for the large one, 400 spread positions plus both ends.
        var positions = Array(original.indices)
        if original.count > 4096 {
          let step = original.count / 400
          positions = Array(stride(from: 0, to: original.count, by: step)) + [1, original.count - 2, original.count - 1]
        }
        for position in positions {
          var mutated = original
          mutated[position] ^= masks[position % masks.count]
          try mutated.write(to: URL(fileURLWithPath: path))
          let report = BundleVerifier().verify(directory: directory)
          if report.passed { Issue.record("flip at \(file):\(position) was not detected") }
          checked += 1
        }
        try original.write(to: URL(fileURLWithPath: path))
      }
      #expect(checked > 1500)
      #expect(BundleVerifier().verify(directory: directory).passed)
    }
  }

  @Test func extraMissingAndTruncatedFiles() throws {
    try withBundle { directory in
      try Fixtures.writeBundle(at: directory, count: 2)
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
      #expect(BundleVerifier().verify(directory: directory).bundleProblems == [.unexpectedFile("notes.txt")])
      try FileManager.default.removeItem(atPath: directory + "/notes.txt")
      let suspension = directory + "/status-lists/suspension.jwt"
      let saved = try Data(contentsOf: URL(fileURLWithPath: suspension))
      try FileManager.default.removeItem(atPath: suspension)
      let report = BundleVerifier().verify(directory: directory)
      #expect(report.bundleProblems.contains(.missingFile("status-lists/suspension.jwt")))
      #expect(report.failures.count == 2)  // their suspension status cannot be checked
      try saved.write(to: URL(fileURLWithPath: suspension))
      // Appending a newline or a line is caught.
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/credentials.jsonl"))
      try handle.seekToEnd()
      try handle.write(contentsOf: Data("\n".utf8))
      try handle.close()
      #expect(!BundleVerifier().verify(directory: directory).passed)
      try FileManager.default.removeItem(atPath: directory + "/manifest.jwt")
      #expect(BundleVerifier().verify(directory: directory).bundleProblems.first
              == .unreadable(file: "manifest.jwt", reason: "missing or not a regular file"))
    }
  }

  @Test func revokedAndSuspendedAreNamed() throws {
    try withBundle { directory in
      try Fixtures.writeBundle(at: directory, count: 5, revoked: [1], suspended: [3])
      let report = BundleVerifier().verify(directory: directory)
      #expect(report.bundleProblems == [])
      #expect(report.failures.map(\.number) == ["VC-2025-000002", "VC-2025-000004"])
      #expect(report.failures.allSatisfy { $0.isStatusOnly })
      #expect(report.revokedCount == 1 && report.suspendedCount == 1 && report.validCount == 3 && report.invalidCount == 0)
      #expect(!report.passed)
      #expect(report.failures[0].description.contains("revoked"))
      #expect(report.summary == "credentials: 5, valid: 3, revoked: 1, suspended: 1, invalid: 0, bundle problems: 0")
    }
  }

  /// Credentials signed by `oldKey`, bundle signed by a healthy key.
  func reportForOldKey(_ oldKey: Ed25519SigningKey, count: Int = 5) throws -> BundleReport {
    var report = BundleReport()
    try withBundle { directory in
      let tokens = try (0..<count).map { position in
        try AchievementCredentialBuilder.sign(
          Fixtures.claims(number: String(format: "VC-2025-%06d", position + 1), issuedAt: Fixtures.t0.addingTimeInterval(Double(position) * 60)),
          with: oldKey)
      }
      try Fixtures.writeBundle(at: directory, count: count, key: Fixtures.signingKey(seed: 8), extraKeys: [oldKey.jwk], tokens: tokens)
      report = BundleVerifier().verify(directory: directory)
    }
    return report
  }

  @Test func keyStatusAtIssueTime() throws {
    let t = Fixtures.t0
    let compromised = try reportForOldKey(Fixtures.signingKey(seed: 3, revoked: t.addingTimeInterval(10 * 86_400)))
    #expect(compromised.bundleProblems == [])
    #expect(compromised.invalidCount == 5 && compromised.validCount == 0)
    #expect(compromised.failures.allSatisfy { if case .keyUse(.compromised) = $0.problems.first { true } else { false } })

    // Credentials issued at t0, +60, +120, +180, +240; retired at +120 (that second still counts).
    let retired = try reportForOldKey(Fixtures.signingKey(seed: 3, retired: t.addingTimeInterval(120)))
    #expect(retired.failures.map(\.number) == ["VC-2025-000004", "VC-2025-000005"])
    #expect(retired.failures.first?.description.contains("after key") == true)

    let early = try reportForOldKey(Fixtures.signingKey(seed: 3, activated: t.addingTimeInterval(150)))
    #expect(early.failures.map(\.number) == ["VC-2025-000001", "VC-2025-000002", "VC-2025-000003"])
    #expect(early.failures.first?.description.contains("before key") == true)
  }

  @Test func lineMetadataMustMatchToken() throws {
    try withBundle { directory in
      let key = try Fixtures.signingKey()
      let tokens = try [AchievementCredentialBuilder.sign(Fixtures.claims(number: "VC-2025-999999"), with: key)]
      try Fixtures.writeBundle(at: directory, count: 1, key: key, tokens: tokens)
      let report = BundleVerifier().verify(directory: directory)
      #expect(report.bundleProblems == [])
      #expect(report.failures.map(\.number) == ["VC-2025-000001"])
    }
  }

  @Test func trustedKeySetOverridesBundleKeys() throws {
    try withBundle { directory in
      let key = try Fixtures.signingKey()
      try Fixtures.writeBundle(at: directory, count: 2, key: key)
      // An auditor's independently fetched JWKS without this key: nothing verifies.
      let stranger = try Fixtures.signingKey(seed: 12)
      let untrusted = BundleVerifier(trustedKeySet: JWKSet(keys: [stranger.jwk])).verify(directory: directory)
      #expect(untrusted.bundleProblems.first == .untrustedKey(kid: key.kid))
      #expect(!untrusted.passed)
      // The published JWKS now says the key was compromised after the export: it shows.
      var later = key.jwk
      later.revoked = Fixtures.t0.addingTimeInterval(30 * 86_400)
      later.status = .compromised
      let compromised = BundleVerifier(trustedKeySet: JWKSet(keys: [later])).verify(directory: directory)
      #expect(!compromised.passed)
      #expect(compromised.bundleProblems.contains { if case .invalidManifest = $0 { true } else { false } })
      #expect(BundleVerifier(trustedKeySet: JWKSet(keys: [key.jwk])).verify(directory: directory).passed)
    }
  }

  @Test func writerRefusesMisuse() throws {
    try withBundle { directory in
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/existing"))
      #expect(throws: BundleError.self) { try BundleWriter(directory: directory) }
      try FileManager.default.removeItem(atPath: directory + "/existing")
      let writer = try BundleWriter(directory: directory)
      #expect(throws: BundleError.self) { try writer.append(number: "1", token: "t", metadata: ["token": "evil"]) }
      let key = try Fixtures.signingKey()
      #expect(throws: BundleError.self) {
        try writer.finish(keySet: JWKSet(keys: [key.jwk]), statusLists: ["../x": "t"], filters: [:], createdAt: Fixtures.t0, signingKey: key)
      }
      #expect(throws: BundleError.alreadyFinished) { try writer.append(number: "1", token: "t") }
    }
  }

  /// When `VRS_INTEROP_OUT` is set, writes a sample bundle there (plus `token.jwt`) for
  /// `scripts/interop-test.sh` to verify with Python's joserfc.
  @Test func writeInteropSample() throws {
    guard let out = ProcessInfo.processInfo.environment["VRS_INTEROP_OUT"], !out.isEmpty else { return }
    let bundle = out + "/bundle"
    try? FileManager.default.removeItem(atPath: bundle)
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let key = try Fixtures.signingKey()
    // Credential 3 revoked and 6 suspended, so the Python side's own status list decoding is
    // exercised too (it must report exactly one of each).
    try Fixtures.writeBundle(at: bundle, count: 25, key: key, revoked: [2], suspended: [5])
    let report = BundleVerifier().verify(directory: bundle)
    #expect(report.bundleProblems == [] && report.validCount == 23 && report.revokedCount == 1 && report.suspendedCount == 1)
    let token = try AchievementCredentialBuilder.sign(Fixtures.claims(), with: key)
    try Data(token.utf8).write(to: URL(fileURLWithPath: out + "/token.jwt"))
    try JWKSet(keys: [key.jwk]).encoded().write(to: URL(fileURLWithPath: out + "/jwks.json"))
  }
}
