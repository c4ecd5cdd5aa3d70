import Foundation
import GRPCCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

@Suite("Paged lists")
struct PagingTests {
  @Test("records and activities come in pages that cover everything once; status filters")
  func recordsAndActivities() async throws {
    try await withRunningService { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let activities = Volunteer_V1_Activities.Client(wrapping: admin)
        var activityIDs: [String] = []
        for index in 0..<5 {
          var request = ScopeMatrixTests.activity(organisation: "national")
          request.idempotencyKey = "page-act-\(index)"
          activityIDs.append(try await activities.createActivity(request).id)
        }
        var listed: [String] = []
        var request = Volunteer_V1_ListActivitiesRequest.with { $0.pageSize = 2 }
        var pages = 0
        repeat {
          let page = try await activities.listActivities(request)
          #expect(page.activities.count <= 2)
          listed += page.activities.map(\.id)
          request.pageToken = page.nextPageToken
          pages += 1
        } while !request.pageToken.isEmpty
        #expect(listed == activityIDs)
        #expect(pages == 3)
        await expectRPCError(.invalidArgument) {
          _ = try await activities.listActivities(.with { $0.pageSize = 501 })
        }
        await expectRPCError(.invalidArgument) {
          _ = try await activities.listActivities(.with { $0.pageToken = "not-ours" })
        }

        _ = try await activities.publishActivity(.with { $0.id = activityIDs[0] })
        let number = try await Volunteer_V1_Volunteers.Client(wrapping: admin)
          .registerVolunteer(ServiceEndToEndTests.registration(key: "page-v")).volunteer.volunteerNumber
        let hours = Volunteer_V1_Hours.Client(wrapping: admin)
        var recordIDs: [String] = []
        for day in 0..<7 {
          recordIDs.append(
            try await hours.logHours(
              LedgerEndToEndTests.log(key: "page-\(day)", volunteer: number, activity: activityIDs[0], day: day, from: 9, to: 10)
            ).id)
        }
        _ = try await hours.approveRecords(.with { $0.recordIds = Array(recordIDs.prefix(3)) })

        func all(_ status: Volunteer_V1_RecordStatus, pageSize: UInt32) async throws -> [String] {
          var ids: [String] = []
          var request = Volunteer_V1_ListRecordsRequest.with {
            $0.volunteerNumber = number
            $0.pageSize = pageSize
            $0.status = status
          }
          repeat {
            let page = try await hours.listRecords(request)
            #expect(page.approvedRecords == 3, "totals come with every page")
            ids += page.records.map(\.id)
            request.pageToken = page.nextPageToken
          } while !request.pageToken.isEmpty
          return ids
        }
        #expect(try await all(.unspecified, pageSize: 3) == recordIDs)
        #expect(try await all(.unspecified, pageSize: 0) == recordIDs)
        #expect(try await all(.approved, pageSize: 2) == Array(recordIDs.prefix(3)))
        #expect(try await all(.pending, pageSize: 2) == Array(recordIDs.suffix(4)))
        #expect(try await all(.rejected, pageSize: 2) == [])
        await expectRPCError(.invalidArgument) {
          _ = try await hours.listRecords(.with {
            $0.volunteerNumber = number
            $0.pageSize = 1_001
          })
        }
      }
    }
  }
}
