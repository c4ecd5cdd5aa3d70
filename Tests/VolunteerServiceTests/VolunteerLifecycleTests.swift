import Foundation
import GRPCCore
import NIOCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

@Suite("Volunteer lifecycle: listing, transfer, withdrawal")
struct VolunteerLifecycleTests {
  static func createProvinces(_ admin: GRPCClient<WireClientTransport>) async throws {
    let organisations = Volunteer_V1_Organisations.Client(wrapping: admin)
    for (id, region) in [("beijing", "110000"), ("shanghai", "310000")] {
      _ = try await organisations.createOrganisation(
        .with {
          $0.id = id
          $0.parentID = "national"
          $0.kind = .province
          $0.name = id
          $0.regionCode = region
        })
    }
  }

  static func register(
    _ volunteers: Volunteer_V1_Volunteers.Client<WireClientTransport>, index: Int, organisation: String
  ) async throws -> Volunteer_V1_Volunteer {
    try await volunteers.registerVolunteer(
      .with {
        $0.idempotencyKey = "k\(index)"
        $0.realName = "志愿者\(index)"
        $0.documentType = .residentID
        $0.documentNumber = StoreFixtures.residentID(sequence: index)
        $0.organisationID = organisation
        $0.skills = ["first aid", " first aid ", "sign language"]
      }
    ).volunteer
  }

  @Test("lists page through a subtree without gaps or repeats; bad tokens are refused", arguments: StoreKind.allCases)
  func paging(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        try await Self.createProvinces(admin)
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: admin)
        var beijing: [String] = []
        for index in 0..<23 {
          let organisation = index % 3 == 0 ? "shanghai" : "beijing"
          let volunteer = try await Self.register(volunteers, index: index, organisation: organisation)
          if organisation == "beijing" { beijing.append(volunteer.volunteerNumber) }
          #expect(volunteer.skills == ["first aid", "sign language"])
        }
        var listed: [String] = []
        var token = ""
        var pages = 0
        repeat {
          let page = try await volunteers.listVolunteers(
            .with {
              $0.organisationID = "beijing"
              $0.pageSize = 4
              $0.pageToken = token
            })
          #expect(page.volunteers.count <= 4)
          listed += page.volunteers.map(\.volunteerNumber)
          token = page.nextPageToken
          pages += 1
        } while !token.isEmpty && pages < 20
        #expect(listed == beijing)
        #expect(pages == 4)  // 15 volunteers, 4 per page

        let all = try await volunteers.listVolunteers(.with { $0.pageSize = 500 })
        #expect(all.volunteers.count == 23)
        #expect(all.nextPageToken.isEmpty)

        let future = try await volunteers.listVolunteers(
          .with { $0.registeredFrom = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(3600)) })
        #expect(future.volunteers.isEmpty)

        await expectRPCError(.invalidArgument) {
          _ = try await volunteers.listVolunteers(.with { $0.pageToken = "garbage" })
        }
        await expectRPCError(.invalidArgument) {
          _ = try await volunteers.listVolunteers(.with { $0.pageSize = 501 })
        }
        await expectRPCError(.notFound) {
          _ = try await volunteers.listVolunteers(.with { $0.organisationID = "atlantis" })
        }
      }
    }
  }

  @Test("a transfer moves the volunteer and keeps the history", arguments: StoreKind.allCases)
  func transfer(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        try await Self.createProvinces(admin)
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: admin)
        let volunteer = try await Self.register(volunteers, index: 1, organisation: "beijing")
        let moved = try await volunteers.transferVolunteer(
          .with {
            $0.volunteerNumber = volunteer.volunteerNumber
            $0.toOrganisationID = "shanghai"
            $0.reason = "moved for university"
          })
        #expect(moved.organisationID == "shanghai")
        #expect(moved.transfers.count == 1)
        #expect(moved.transfers.first?.fromOrganisationID == "beijing")
        #expect(moved.transfers.first?.transferredBy == "spiffe://volunteer/admin/bootstrap")

        await expectRPCError(.failedPrecondition) {
          _ = try await volunteers.transferVolunteer(
            .with {
              $0.volunteerNumber = volunteer.volunteerNumber
              $0.toOrganisationID = "shanghai"
              $0.reason = "again"
            })
        }
        await expectRPCError(.invalidArgument) {
          _ = try await volunteers.transferVolunteer(
            .with {
              $0.volunteerNumber = volunteer.volunteerNumber
              $0.toOrganisationID = "beijing"
            })
        }
        await expectRPCError(.notFound) {
          _ = try await volunteers.transferVolunteer(
            .with {
              $0.volunteerNumber = volunteer.volunteerNumber
              $0.toOrganisationID = "atlantis"
              $0.reason = "x"
            })
        }
        let listedInBeijing = try await volunteers.listVolunteers(.with { $0.organisationID = "beijing" })
        #expect(listedInBeijing.volunteers.isEmpty)
      }
    }
  }

  @Test("withdrawal pseudonymises personal data and frees nothing else")
  func withdrawal() async throws {
    try await withRunningService { port, dataDirectory in
      try await withClient(port: port, certificate: "admin") { admin in
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: admin)
        let volunteer = try await Self.register(volunteers, index: 7, organisation: "national")
        let withdrawn = try await volunteers.withdrawVolunteer(
          .with { $0.volunteerNumber = volunteer.volunteerNumber })
        #expect(withdrawn.hasWithdrawnAt)
        #expect(withdrawn.realName.isEmpty)
        #expect(withdrawn.documentNumber.isEmpty)
        #expect(withdrawn.skills.isEmpty)
        #expect(withdrawn.birthDate.month == 1 && withdrawn.birthDate.day == 1)
        #expect(withdrawn.birthDate.year == 1990)
        #expect(withdrawn.volunteerNumber == volunteer.volunteerNumber)

        let again = try await volunteers.getVolunteer(.with { $0.volunteerNumber = volunteer.volunteerNumber })
        #expect(again.realName.isEmpty)
        let listed = try await volunteers.listVolunteers(.init())
        #expect(listed.volunteers.isEmpty)
        let withWithdrawn = try await volunteers.listVolunteers(.with { $0.includeWithdrawn = true })
        #expect(withWithdrawn.volunteers.count == 1)
        await expectRPCError(.failedPrecondition) {
          _ = try await volunteers.transferVolunteer(
            .with {
              $0.volunteerNumber = volunteer.volunteerNumber
              $0.toOrganisationID = "national"
              $0.reason = "x"
            })
        }
      }
      // Nothing of the withdrawn person is left in any database file, WAL included.
      // Every file, the key ring's included.
      for file in FileManager.default.subpaths(atPath: dataDirectory) ?? []
      where !file.hasSuffix("keys") {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dataDirectory + "/" + file))
        #expect(bytes.range(of: Data("志愿者7".utf8)) == nil, "\(file) still holds the name")
      }
    }
  }
}
