import Foundation
import GRPCCore
import NIOCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

/// The records-domain acceptance scenario: a partner certificate scoped to one county works
/// there and nowhere else, an organiser approves, retries never duplicate.
@Suite("A county partner")
struct CountyPartnerScenarioTests {
  @Test("registers, logs and uploads in its county only; the organiser approves", arguments: StoreKind.allCases)
  func countyPartner(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      // The tree: national → beijing → chaoyang (the partner's county), and haidian beside it.
      let (inside, outside, activityInside, activityOutside) = try await withClient(
        port: port, certificate: "admin"
      ) { admin in
        let organisations = Volunteer_V1_Organisations.Client(wrapping: admin)
        for (id, parent, kind, region) in [
          ("beijing", "national", Volunteer_V1_OrganisationKind.province, "110000"),
          ("chaoyang", "beijing", .county, "110105"), ("haidian", "beijing", .county, "110108"),
        ] {
          _ = try await organisations.createOrganisation(
            .with {
              $0.id = id
              $0.parentID = parent
              $0.kind = kind
              $0.name = id
              $0.regionCode = region
            })
        }
        _ = try await Volunteer_V1_Principals.Client(wrapping: admin).addPrincipal(
          .with {
            $0.id = "spiffe://volunteer/partner/dev-partner"
            $0.role = .partner
            $0.scopeOrganisationID = "chaoyang"
          })
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: admin)
        var outsideRequest = ServiceEndToEndTests.registration(
          key: "out", document: ServiceEndToEndTests.withCheckCharacter("11010819800101001"))
        outsideRequest.organisationID = "haidian"
        let outside = try await volunteers.registerVolunteer(outsideRequest).volunteer.volunteerNumber
        let activities = Volunteer_V1_Activities.Client(wrapping: admin)
        var ids: [String] = []
        for organisation in ["chaoyang", "haidian"] {
          let activity = try await activities.createActivity(
            .with {
              $0.idempotencyKey = "act-\(organisation)"
              $0.organisationID = organisation
              $0.title = "Park clean-up"
              $0.category = .environment
              $0.regionCode = "110105"
              $0.startTime = LedgerEndToEndTests.at(day: 0, hour: 0)
              $0.endTime = LedgerEndToEndTests.at(day: 7, hour: 0)
              $0.plannedMinutes = 120
              $0.personInCharge = "张队长"
            })
          _ = try await activities.publishActivity(.with { $0.id = activity.id })
          ids.append(activity.id)
        }
        return ("chaoyang", outside, ids[0], ids[1])
      }

      let recordIDs = try await withClient(port: port, certificate: "partner") { partner in
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: partner)
        let hours = Volunteer_V1_Hours.Client(wrapping: partner)
        var request = ServiceEndToEndTests.registration(key: "in")
        request.organisationID = inside
        let number = try await volunteers.registerVolunteer(request).volunteer.volunteerNumber
        #expect(try await volunteers.registerVolunteer(request).replayed)

        // Nowhere else: another county, its volunteers, its activities are NOT_FOUND.
        var elsewhere = ServiceEndToEndTests.registration(
          key: "else", document: ServiceEndToEndTests.withCheckCharacter("11010819900101001"))
        elsewhere.organisationID = "haidian"
        await expectRPCError(.notFound) { _ = try await volunteers.registerVolunteer(elsewhere) }
        await expectRPCError(.notFound) {
          _ = try await volunteers.getVolunteer(.with { $0.volunteerNumber = outside })
        }
        await expectRPCError(.notFound) {
          _ = try await hours.logHours(
            LedgerEndToEndTests.log(key: "x1", volunteer: outside, activity: activityInside, day: 0, from: 9, to: 10))
        }
        await expectRPCError(.notFound) {
          _ = try await hours.logHours(
            LedgerEndToEndTests.log(key: "x2", volunteer: number, activity: activityOutside, day: 0, from: 9, to: 10))
        }
        await expectRPCError(.permissionDenied) {
          _ = try await hours.approveRecords(.with { $0.recordIds = ["R000000001"] })
        }
        await expectRPCError(.notFound) {
          _ = try await Volunteer_V1_Organisations.Client(wrapping: partner).getSubtree(.with { $0.id = "beijing" })
        }

        let single = try await hours.logHours(
          LedgerEndToEndTests.log(key: "h1", volunteer: number, activity: activityInside, day: 0, from: 9, to: 11))
        let batch = (0..<5).map { day in
          LedgerEndToEndTests.log(key: "b\(day)", volunteer: number, activity: activityInside, day: day + 1, from: 9, to: 10)
        } + [LedgerEndToEndTests.log(key: "bx", volunteer: outside, activity: activityInside, day: 1, from: 12, to: 13)]
        let upload = try await hours.uploadHours(requestProducer: { try await $0.write(contentsOf: batch) })
        #expect(upload.accepted == 5)
        #expect(upload.refused == 1)
        #expect(upload.results[5].refused.code == UInt32(RPCError.Code.notFound.rawValue))
        let retry = try await hours.uploadHours(requestProducer: { try await $0.write(contentsOf: batch) })
        #expect(retry.replayed == 5)
        #expect(retry.accepted == 0)
        return [single.id] + upload.results.prefix(5).map(\.accepted.id)
      }

      // The organiser (an admin of an ancestor) approves; totals follow; nothing duplicated.
      try await withClient(port: port, certificate: "admin") { admin in
        let hours = Volunteer_V1_Hours.Client(wrapping: admin)
        let review = try await hours.approveRecords(.with { $0.recordIds = recordIDs })
        #expect(review.results.allSatisfy { $0.reviewed.status == .approved })
        let number = try await Volunteer_V1_Volunteers.Client(wrapping: admin).listVolunteers(
          .with { $0.organisationID = "chaoyang" }
        ).volunteers.map(\.volunteerNumber)
        #expect(number.count == 1)
        let listed = try await hours.listRecords(.with { $0.volunteerNumber = number[0] })
        #expect(listed.records.count == 6)
        #expect(listed.approvedRecords == 6)
        #expect(listed.approvedMinutes == 120 + 5 * 60)
      }
    }
  }
}
