import Crypto
import Foundation
import Testing

@testable import Credentials

@Suite struct KeyRingTests {
  func mode(_ path: String) throws -> Int {
    try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
  }

  @Test func rotationLifecycleAndPersistence() throws {
    let directory = Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let t = Fixtures.t0
    var ring = try KeyRing.load(from: directory)
    #expect(throws: KeyRingError.noSigningKey(at: t)) { try ring.signingKey(at: t) }

    // A generated key is published but cannot sign until activated.
    let first = try ring.generate(at: t)
    #expect(first.status == .published)
    #expect(throws: KeyRingError.noSigningKey(at: t)) { try ring.signingKey(at: t) }
    try ring.activate(kid: first.kid, at: t.addingTimeInterval(60))
    #expect(throws: KeyRingError.noSigningKey(at: t.addingTimeInterval(59))) { try ring.signingKey(at: t.addingTimeInterval(59)) }
    #expect(try ring.signingKey(at: t.addingTimeInterval(60)).kid == first.kid)

    // Rotation with a publication delay: the old key signs until the new one activates.
    let rotatedAt = t.addingTimeInterval(86_400)
    let second = try ring.rotate(at: rotatedAt, activationDelay: 3600)
    #expect(second.created == rotatedAt)
    #expect(second.activated == rotatedAt.addingTimeInterval(3600))
    #expect(try ring.signingKey(at: rotatedAt.addingTimeInterval(10)).kid == first.kid)
    #expect(try ring.signingKey(at: rotatedAt.addingTimeInterval(3600)).kid == second.kid)

    // Files: 0600 key and metadata, directory 0700.
    for kid in [first.kid, second.kid] {
      #expect(try mode("\(directory)/\(kid).key") == 0o600)
      #expect(try mode("\(directory)/\(kid).json") == 0o600)
    }
    #expect(try mode(directory) == 0o700)

    // Reload gives the same state; the old key is retired but still published.
    let reloaded = try KeyRing.load(from: directory)
    let set = reloaded.publicKeySet(at: rotatedAt.addingTimeInterval(7200))
    #expect(set.keys.map(\.kid) == [first.kid, second.kid])
    #expect(set.keys.map(\.status) == [.retired, .active])
    #expect(set.keys[0].retired == rotatedAt.addingTimeInterval(3600))
    #expect(try reloaded.signingKey(at: rotatedAt.addingTimeInterval(7200)).kid == second.kid)

    // Compromise: the key cannot sign and is reported compromised.
    var ring2 = reloaded
    try ring2.markCompromised(kid: second.kid, at: rotatedAt.addingTimeInterval(9000))
    #expect(throws: KeyRingError.self) { try ring2.signingKey(at: rotatedAt.addingTimeInterval(9001)) }
    let after = try KeyRing.load(from: directory).publicKeySet(at: rotatedAt.addingTimeInterval(9001))
    #expect(after.keys[1].status == .compromised)
    #expect(after.keys[1].revoked == rotatedAt.addingTimeInterval(9000))
    #expect(throws: KeyRingError.invalidTransition(kid: second.kid, reason: "it is already compromised")) {
      try ring2.markCompromised(kid: second.kid, at: rotatedAt.addingTimeInterval(9002))
    }
    #expect(throws: KeyRingError.unknownKey("nope")) { try ring2.retire(kid: "nope", at: t) }
  }

  @Test func invalidTransitions() throws {
    let directory = Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let t = Fixtures.t0
    var ring = try KeyRing.load(from: directory)
    let key = try ring.generate(at: t)
    #expect(throws: KeyRingError.self) { try ring.activate(kid: key.kid, at: t.addingTimeInterval(-1)) }
    try ring.activate(kid: key.kid, at: t)
    #expect(throws: KeyRingError.self) { try ring.activate(kid: key.kid, at: t) }
    try ring.retire(kid: key.kid, at: t.addingTimeInterval(10))
    #expect(throws: KeyRingError.self) { try ring.retire(kid: key.kid, at: t.addingTimeInterval(20)) }
    let compromised = try ring.generate(at: t)
    try ring.markCompromised(kid: compromised.kid, at: t)
    #expect(throws: KeyRingError.self) { try ring.activate(kid: compromised.kid, at: t.addingTimeInterval(5)) }
  }

  @Test func refusesKeyFilesOthersCanRead() throws {
    let directory = Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var ring = try KeyRing.load(from: directory)
    let key = try ring.rotate(at: Fixtures.t0)
    let keyPath = "\(directory)/\(key.kid).key"
    for mode in [0o644, 0o640, 0o604, 0o660] {
      try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: keyPath)
      do {
        _ = try KeyRing.load(from: directory)
        Issue.record("mode \(String(mode, radix: 8)) was accepted")
      } catch {
        guard case .insecurePermissions(let path, _) = error else { Issue.record("wrong error \(error)"); continue }
        #expect(path == keyPath)
        #expect(error.description.contains("chmod 600"))
      }
    }
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
    #expect(try KeyRing.load(from: directory).entries.count == 1)
  }

  @Test func detectsMismatchedOrOrphanFiles() throws {
    let directory = Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var ring = try KeyRing.load(from: directory)
    let a = try ring.rotate(at: Fixtures.t0)
    let b = try ring.generate(at: Fixtures.t0)
    // Swap the private keys: each .json now describes the other key.
    let manager = FileManager.default
    try manager.moveItem(atPath: "\(directory)/\(a.kid).key", toPath: "\(directory)/tmp")
    try manager.moveItem(atPath: "\(directory)/\(b.kid).key", toPath: "\(directory)/\(a.kid).key")
    try manager.moveItem(atPath: "\(directory)/tmp", toPath: "\(directory)/\(b.kid).key")
    #expect(throws: KeyRingError.self) { try KeyRing.load(from: directory) }
    // A retired key whose private half was destroyed stays published.
    try manager.removeItem(atPath: "\(directory)/\(a.kid).key")
    try manager.removeItem(atPath: "\(directory)/\(b.kid).key")
    let publicOnly = try KeyRing.load(from: directory)
    #expect(publicOnly.publicKeySet(at: Fixtures.t0).keys.count == 2)
    #expect(publicOnly.entries.allSatisfy { !$0.hasPrivateKey })
    // A private key without metadata is refused.
    try SecureFile.writeOwnerOnly(Data("x\n".utf8), to: "\(directory)/orphan.key")
    #expect(throws: KeyRingError.self) { try KeyRing.load(from: directory) }
  }

  @Test func privateKeyNeverPrinted() throws {
    let key = try Fixtures.signingKey()
    let secretForms = [
      Base64URL.encode(key.privateKey.rawRepresentation),
      key.privateKey.rawRepresentation.base64EncodedString(),
      key.privateKey.rawRepresentation.map { String(format: "%02x", $0) }.joined(),
      "\(Array(key.privateKey.rawRepresentation))",
    ]
    var dumped = ""
    dump(key, to: &dumped)
    for text in [key.description, key.debugDescription, "\(key)", String(reflecting: key), dumped, "\([key])"] {
      #expect(text.contains(key.kid))
      for secret in secretForms { #expect(!text.contains(secret)) }
    }
    #expect(key.description.contains("<redacted>"))
  }

  @Test func keyRingNeverPrintsPrivateKeys() throws {
    let directory = Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var ring = try KeyRing.load(from: directory)
    let jwk = try ring.rotate(at: Fixtures.t0)
    let stored = try String(contentsOfFile: "\(directory)/\(jwk.kid).key", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let raw = try Base64URL.decode(stored)
    var dumped = ""
    dump(ring, to: &dumped)
    for text in [ring.description, "\(ring)", String(reflecting: ring), dumped, "\(ring.entries)"] {
      #expect(text.contains(jwk.kid))
      #expect(text.contains("<redacted>"))
      #expect(!text.contains(stored))
      #expect(!text.contains(raw.base64EncodedString()))
      #expect(!text.contains(raw.map { String(format: "%02x", $0) }.joined()))
      #expect(!text.contains("\(Array(raw))".dropFirst().dropLast()))
    }
  }
}
