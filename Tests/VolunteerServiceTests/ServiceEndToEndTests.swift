import Foundation
import GRPCCore
import NIOCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

/// The service as partners see it: real mutual TLS on loopback, the wire transport, the
/// authentication interceptor, the SQLite store.
@Suite("Service end to end")
struct ServiceEndToEndTests {
  static let adultID = "11010519491231002X"

  static func registration(
    key: String, document: String = adultID, name: String = "张三丰"
  ) -> Volunteer_V1_RegisterVolunteerRequest {
    .with {
      $0.idempotencyKey = key
      $0.realName = name
      $0.documentType = .residentID
      $0.documentNumber = document
      $0.phone = "138 0013 8000"
      $0.organisationID = "national"
    }
  }

  static func addPrincipal(_ id: String, role: Volunteer_V1_Role, client: GRPCClient<WireClientTransport>)
    async throws
  {
    _ = try await Volunteer_V1_Principals.Client(wrapping: client).addPrincipal(
      .with {
        $0.id = id
        $0.role = role
        $0.scopeOrganisationID = "national"
      })
  }

  @Test("health names the caller; an unregistered certificate is UNAUTHENTICATED")
  func authentication() async throws {
    try await withRunningService { port, _ in
      let health = try await withClient(port: port, certificate: "admin") { client in
        try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
      }
      #expect(health.status == .serving)
      #expect(health.store == "sqlite")
      #expect(health.caller.id == "spiffe://volunteer/admin/bootstrap")
      #expect(health.caller.role == .admin)

      let message = await expectRPCError(.unauthenticated) {
        _ = try await withClient(port: port, certificate: "partner") { client in
          try await Volunteer_V1_Health.Client(wrapping: client).check(.init())
        }
      }
      #expect(message.contains("spiffe://volunteer/partner/dev-partner"))
    }
  }

  @Test("a partner registers; it sees masked data, the admin sees it in clear")
  func registrationAndMasking() async throws {
    try await withRunningService { port, dataDirectory in
      try await withClient(port: port, certificate: "admin") { admin in
        try await Self.addPrincipal("spiffe://volunteer/partner/dev-partner", role: .partner, client: admin)
      }
      let registered = try await withClient(port: port, certificate: "partner") { partner in
        try await Volunteer_V1_Volunteers.Client(wrapping: partner).registerVolunteer(
          Self.registration(key: "reg-1")
        ).volunteer
      }
      #expect(registered.volunteerNumber == VolunteerNumber(sequence: 1).value)
      #expect(registered.documentNumber == "110***********002X")
      #expect(registered.phone == "138****8000")
      #expect(registered.realName == "张*丰")
      #expect(registered.sex == .female)
      #expect(registered.birthDate.year == 1949)
      #expect(registered.registeredBy == "spiffe://volunteer/partner/dev-partner")

      let seenByAdmin = try await withClient(port: port, certificate: "admin") { admin in
        try await Volunteer_V1_Volunteers.Client(wrapping: admin).getVolunteer(
          .with { $0.volunteerNumber = registered.volunteerNumber })
      }
      #expect(seenByAdmin.documentNumber == Self.adultID)
      #expect(seenByAdmin.phone == "13800138000")
      #expect(seenByAdmin.realName == "张三丰")

      // Sealed at rest: neither the ID number nor the phone appears in the database files.
      // Every file, the key ring's included.
      for file in FileManager.default.subpaths(atPath: dataDirectory) ?? []
      where !file.hasSuffix("keys") {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dataDirectory + "/" + file))
        #expect(bytes.range(of: Data(Self.adultID.utf8)) == nil, "\(file) holds the ID number")
        #expect(bytes.range(of: Data("13800138000".utf8)) == nil, "\(file) holds the phone")
      }
    }
  }

  @Test("retries, duplicates and bad input: precise errors, nothing written")
  func registrationRules() async throws {
    try await withRunningService { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: admin)
        let firstResponse = try await volunteers.registerVolunteer(Self.registration(key: "a"))
        let first = firstResponse.volunteer
        #expect(!firstResponse.replayed)
        let retryResponse = try await volunteers.registerVolunteer(Self.registration(key: "a"))
        #expect(retryResponse.replayed)
        let retry = retryResponse.volunteer
        #expect(retry.volunteerNumber == first.volunteerNumber)

        let conflict = await expectRPCError(.failedPrecondition) {
          _ = try await volunteers.registerVolunteer(Self.registration(key: "a", name: "李四"))
        }
        #expect(conflict.contains("idempotency key \"a\""))

        let duplicate = await expectRPCError(.alreadyExists) {
          _ = try await volunteers.registerVolunteer(Self.registration(key: "b", name: "李四"))
        }
        #expect(duplicate.contains(first.volunteerNumber))

        let badCheck = await expectRPCError(.invalidArgument) {
          _ = try await volunteers.registerVolunteer(
            Self.registration(key: "c", document: "340524198001010013"))
        }
        #expect(badCheck.hasPrefix("document_number:"))

        var child = Self.registration(key: "d", document: "110105201501010011")
        child.documentNumber = Self.withCheckCharacter("11010520150101001")
        let consent = await expectRPCError(.invalidArgument) {
          _ = try await volunteers.registerVolunteer(child)
        }
        #expect(consent.hasPrefix("guardian_consent:"))
        child.guardianConsent = .with {
          $0.guardianName = "王芳"
          $0.relation = "mother"
          $0.consentDate = .with {
            $0.year = 2026
            $0.month = 1
            $0.day = 5
          }
        }
        let minor = try await volunteers.registerVolunteer(child).volunteer
        #expect(minor.guardianConsent.guardianName == "王芳")

        var missingKey = Self.registration(key: "")
        missingKey.documentNumber = Self.withCheckCharacter("11010519800101001")
        await expectRPCError(.invalidArgument) {
          _ = try await volunteers.registerVolunteer(missingKey)
        }

        // Two registrations succeeded, so nothing else took a number.
        await expectRPCError(.notFound) {
          _ = try await volunteers.getVolunteer(.with { $0.volunteerNumber = VolunteerNumber(sequence: 3).value })
        }
        await expectRPCError(.invalidArgument) {
          _ = try await volunteers.getVolunteer(.with { $0.volunteerNumber = "V0000000010" })
        }
      }
    }
  }

  @Test("roles: an auditor reads masked data but cannot register or manage principals")
  func roles() async throws {
    try await withRunningService { port, _ in
      let number = try await withClient(port: port, certificate: "admin") { admin in
        try await Self.addPrincipal("spiffe://volunteer/auditor/dev-auditor", role: .auditor, client: admin)
        let again = await expectRPCError(.alreadyExists) {
          try await Self.addPrincipal("spiffe://volunteer/auditor/dev-auditor", role: .auditor, client: admin)
        }
        #expect(again.contains("dev-auditor"))
        await expectRPCError(.notFound) {
          _ = try await Volunteer_V1_Principals.Client(wrapping: admin).addPrincipal(
            .with {
              $0.id = "spiffe://volunteer/partner/x"
              $0.role = .partner
              $0.scopeOrganisationID = "atlantis"
            })
        }
        let listed = try await Volunteer_V1_Principals.Client(wrapping: admin).listPrincipals(.init())
        #expect(listed.principals.map(\.id).sorted() == [
          "spiffe://volunteer/admin/bootstrap", "spiffe://volunteer/auditor/dev-auditor",
        ])
        return try await Volunteer_V1_Volunteers.Client(wrapping: admin).registerVolunteer(
          Self.registration(key: "x")
        ).volunteer.volunteerNumber
      }
      try await withClient(port: port, certificate: "auditor") { auditor in
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: auditor)
        let seen = try await volunteers.getVolunteer(.with { $0.volunteerNumber = number })
        #expect(seen.documentNumber == "110***********002X")
        await expectRPCError(.permissionDenied) {
          _ = try await volunteers.registerVolunteer(
            Self.registration(key: "y", document: Self.withCheckCharacter("11010519800101001")))
        }
        await expectRPCError(.permissionDenied) {
          _ = try await Volunteer_V1_Principals.Client(wrapping: auditor).listPrincipals(.init())
        }
      }
    }
  }

  static func withCheckCharacter(_ body: String) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
    return body + String(Array("10X98765432")[sum % 11])
  }
}
