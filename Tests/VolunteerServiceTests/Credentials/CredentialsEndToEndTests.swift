import Credentials
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

@Suite("Credentials end to end")
struct CredentialsEndToEndTests {
  /// A volunteer with two approved records (2 h and 1 h) and one pending; returns its number.
  static func volunteerWithHours(_ admin: GRPCClient<WireClientTransport>, key: String, document: String = ServiceEndToEndTests.adultID)
    async throws -> (number: String, records: [String])
  {
    let activities = Volunteer_V1_Activities.Client(wrapping: admin)
    var request = ScopeMatrixTests.activity(organisation: "national")
    request.idempotencyKey = "cred-act-\(key)"
    let activity = try await activities.createActivity(request).id
    _ = try await activities.publishActivity(.with { $0.id = activity })
    let number = try await Volunteer_V1_Volunteers.Client(wrapping: admin)
      .registerVolunteer(ServiceEndToEndTests.registration(key: "cred-v-\(key)", document: document))
      .volunteer.volunteerNumber
    let hours = Volunteer_V1_Hours.Client(wrapping: admin)
    var ids: [String] = []
    for (day, length) in [(0, 2.0), (1, 1.0), (2, 1.0)] {
      ids.append(
        try await hours.logHours(
          LedgerEndToEndTests.log(key: "cred-\(key)-\(day)", volunteer: number, activity: activity, day: day, from: 9, to: 9 + length)
        ).id)
    }
    _ = try await hours.approveRecords(.with { $0.recordIds = Array(ids.prefix(2)) })
    return (number, ids)
  }

  @Test("issue, verify, suspend, reinstate, revoke; retries return the same credential", arguments: StoreKind.allCases)
  func lifecycle(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let credentials = Volunteer_V1_Credentials.Client(wrapping: admin)
        let (number, records) = try await Self.volunteerWithHours(admin, key: "life")
        let issued = try await credentials.issueCredential(.with {
          $0.idempotencyKey = "issue-1"
          $0.volunteerNumber = number
          $0.includeIdentityHash = true
        })
        #expect(issued.number == "C000000001")
        #expect(issued.status == .active)
        #expect(issued.evidenceRecords == 2)
        #expect(issued.policyID == "national")
        let again = try await credentials.issueCredential(.with {
          $0.idempotencyKey = "issue-1"
          $0.volunteerNumber = number
          $0.includeIdentityHash = true
        })
        #expect(again.number == issued.number && again.token == issued.token)
        await expectRPCError(.failedPrecondition) {
          _ = try await credentials.issueCredential(.with {
            $0.idempotencyKey = "issue-1"
            $0.volunteerNumber = number
          })
        }

        // The token is a VC-JWT the Credentials module decodes: EdDSA, the key set's kid,
        // evidence over exactly the two approved records, never the plain ID number.
        let jwks = try JWKSet.decode(try await credentials.getKeySet(.init()).jwksJson)
        let decoded = CredentialVerifier.verify(issued.token, keySet: jwks, statusLists: nil, now: Date())
        #expect(decoded.isValid, "\(decoded.problems)")
        let claims = try #require(decoded.decoded?.claims)
        #expect(claims.volunteerNumber == number)
        #expect(claims.evidence.recordCount == 2)
        #expect(claims.evidence.totalMinutes == 180)
        #expect(claims.identityHash?.matches(idNumber: ServiceEndToEndTests.adultID) == true)
        #expect(!issued.token.contains(ServiceEndToEndTests.adultID))
        let payload = try #require(issued.token.split(separator: ".").dropFirst().first)
        #expect(!String(decoding: try Base64URL.decode(String(payload)), as: UTF8.self).contains("张三丰"))

        // Evidence: the exported lines recompute to the stated digest.
        let evidence = try await credentials.exportEvidence(.with { $0.number = issued.number }) { response in
          var text = Data()
          for try await chunk in response.messages { text += chunk.text }
          return text
        }
        let recomputed = try EvidenceDigest.compute(fromExport: String(decoding: evidence, as: UTF8.self))
        #expect(recomputed.sri == issued.evidenceDigest)
        #expect(String(decoding: evidence, as: UTF8.self).contains("\(records[0]),120\n"))

        func verify() async throws -> Volunteer_V1_VerifyCredentialResponse {
          try await credentials.verifyCredential(.with { $0.token = issued.token })
        }
        #expect(try await verify().valid)
        #expect(try await verify().number == issued.number)
        func set(_ status: Volunteer_V1_CredentialStatus, _ reason: String = "audit") async throws -> Volunteer_V1_Credential {
          try await credentials.setCredentialStatus(.with {
            $0.number = issued.number
            $0.status = status
            $0.reason = reason
          })
        }
        #expect(try await set(.suspended).status == .suspended)
        let suspended = try await verify()
        #expect(!suspended.valid)
        #expect(suspended.status == .suspended)
        #expect(suspended.problems.contains { $0.contains("suspended") }, "\(suspended.problems)")
        #expect(try await set(.active).status == .active)
        #expect(try await verify().valid)
        #expect(try await set(.revoked).status == .revoked)
        #expect(try await verify().problems.contains { $0.contains("revoked") })
        await expectRPCError(.failedPrecondition) { _ = try await set(.active) }
        await expectRPCError(.invalidArgument) { _ = try await set(.suspended, " ") }
        await expectRPCError(.notFound) {
          _ = try await credentials.getCredential(.with { $0.number = "C000000999" })
        }
        // A tampered token is refused.
        var tampered = Array(issued.token)
        tampered[tampered.count - 5] = tampered[tampered.count - 5] == "A" ? "B" : "A"
        let forged = try await credentials.verifyCredential(.with { $0.token = String(tampered) })
        #expect(!forged.valid)
      }
    }
  }

  @Test("key rotation keeps old credentials valid; a compromised key fails every credential it signed", arguments: StoreKind.allCases)
  func keys(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let credentials = Volunteer_V1_Credentials.Client(wrapping: admin)
        let (number, _) = try await Self.volunteerWithHours(admin, key: "keys")
        let first = try await credentials.issueCredential(.with {
          $0.idempotencyKey = "k1"
          $0.volunteerNumber = number
        })
        // Published an hour before it signs: the first key goes on signing meanwhile.
        let published = try await credentials.rotateKey(.with { $0.activationDelaySeconds = 3_600 })
        #expect(published.signingKid == first.kid)
        #expect(try JWKSet.decode(published.jwksJson).keys.count == 2)
        await expectRPCError(.invalidArgument) {
          _ = try await credentials.rotateKey(.with { $0.activationDelaySeconds = 31 * 86_400 })
        }
        // At once: the newest key signs from now on.
        let rotated = try await credentials.rotateKey(.init())
        #expect(rotated.signingKid != first.kid)
        #expect(try JWKSet.decode(rotated.jwksJson).keys.count == 3)
        let second = try await credentials.issueCredential(.with {
          $0.idempotencyKey = "k2"
          $0.volunteerNumber = number
        })
        #expect(second.kid == rotated.signingKid)
        let afterRotation = try await credentials.verifyCredential(.with { $0.token = first.token })
        #expect(afterRotation.valid, "\(afterRotation.problems)")
        await expectRPCError(.failedPrecondition) {
          _ = try await credentials.retireKey(.with { $0.kid = rotated.signingKid })
        }
        await expectRPCError(.notFound) {
          _ = try await credentials.retireKey(.with { $0.kid = "no-such-kid" })
        }
        _ = try await credentials.markKeyCompromised(.with { $0.kid = first.kid })
        let old = try await credentials.verifyCredential(.with { $0.token = first.token })
        #expect(!old.valid)
        #expect(try await credentials.verifyCredential(.with { $0.token = second.token }).valid)
      }
    }
  }

  @Test("the export streams a bundle the offline verifier accepts, and one flipped byte is caught", arguments: StoreKind.allCases)
  func export(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      let directory = try makeTemporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      try await withClient(port: port, certificate: "admin") { admin in
        let credentials = Volunteer_V1_Credentials.Client(wrapping: admin)
        for (index, document) in [ServiceEndToEndTests.adultID, ServiceEndToEndTests.withCheckCharacter("11010519800101001")].enumerated() {
          let (number, _) = try await Self.volunteerWithHours(admin, key: "exp\(index)", document: document)
          _ = try await credentials.issueCredential(.with {
            $0.idempotencyKey = "e\(index)"
            $0.volunteerNumber = number
          })
        }
        // Partners may not export; auditors and admins may.
        try await ServiceEndToEndTests.addPrincipal(
          "spiffe://volunteer/partner/dev-partner", role: .partner, client: admin)
        await expectRPCError(.permissionDenied) {
          try await withClient(port: port, certificate: "partner") { partner in
            try await Volunteer_V1_Credentials.Client(wrapping: partner).exportCredentials(.init()) { response in
              for try await _ in response.messages {}
            }
          }
        }
        let (header, lines, manifest) = try await credentials.exportCredentials(.init()) { response in
          var lines = Data()
          var header: Volunteer_V1_ExportHeader?
          var manifest = ""
          for try await part in response.messages {
            switch part.part {
            case .header(let value): header = value
            case .credentialLine(let line): lines += line
            case .manifestJwt(let jwt): manifest = jwt
            case nil: Issue.record("an empty export part")
            }
          }
          return (header, lines, manifest)
        }
        let head = try #require(header)
        #expect(head.credentials == 2)
        try FileManager.default.createDirectory(atPath: directory + "/status-lists", withIntermediateDirectories: true)
        try head.jwksJson.write(to: URL(fileURLWithPath: directory + "/jwks.json"))
        for (name, jwt) in head.statusLists {
          try Data(jwt.utf8).write(to: URL(fileURLWithPath: directory + "/status-lists/\(name).jwt"))
        }
        try lines.write(to: URL(fileURLWithPath: directory + "/credentials.jsonl"))
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: directory + "/manifest.jwt"))
        let report = BundleVerifier().verify(directory: directory)
        #expect(report.passed, "\(report.summary) \(report.bundleProblems) \(report.failures)")
        #expect(report.credentialCount == 2)

        var flipped = lines
        flipped[flipped.count / 2] ^= 0x01
        try flipped.write(to: URL(fileURLWithPath: directory + "/credentials.jsonl"))
        #expect(!BundleVerifier().verify(directory: directory).passed)

        // Outside the caller's scope nothing is streamed.
        await expectRPCError(.notFound) {
          try await credentials.exportCredentials(.with { $0.organisationID = "nowhere" }) { response in
            for try await _ in response.messages {}
          }
        }
      }
    }
  }
}
