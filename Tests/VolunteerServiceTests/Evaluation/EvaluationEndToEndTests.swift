import Foundation
import GRPCCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

@Suite("Evaluations end to end")
struct EvaluationEndToEndTests {
  /// 2026-10-01 00:00 Asia/Shanghai.
  static let october = Date(timeIntervalSince1970: 1_790_784_000)

  static func day(_ offset: Int, hour: Double) -> Google_Protobuf_Timestamp {
    Google_Protobuf_Timestamp(date: Self.october.addingTimeInterval(Double(offset) * 86_400 + hour * 3_600))
  }

  static func date(_ year: Int32, _ month: Int32, _ day: Int32) -> Volunteer_V1_Date {
    .with {
      $0.year = year
      $0.month = month
      $0.day = day
    }
  }

  @Test("approved hours become a star level; pending, rejected and later records do not count", arguments: StoreKind.allCases)
  func evaluation(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let activities = Volunteer_V1_Activities.Client(wrapping: admin)
        let activity = try await activities.createActivity(
          .with {
            $0.idempotencyKey = "eval-activity"
            $0.organisationID = "national"
            $0.title = "Elderly home visits"
            $0.category = .elderlyCare
            $0.regionCode = "110105"
            $0.startTime = Self.day(0, hour: 0)
            $0.endTime = Self.day(40, hour: 0)
            $0.plannedMinutes = 480
            $0.personInCharge = "李阿姨"
          })
        _ = try await activities.publishActivity(.with { $0.id = activity.id })
        let number = try await Volunteer_V1_Volunteers.Client(wrapping: admin)
          .registerVolunteer(ServiceEndToEndTests.registration(key: "eval-v")).volunteer.volunteerNumber
        let hours = Volunteer_V1_Hours.Client(wrapping: admin)
        // 13 days × 8 h = 104 h approved; a 14th day stays pending, a 15th is rejected.
        var approve: [String] = []
        for offset in 0..<15 {
          let record = try await hours.logHours(
            .with {
              $0.idempotencyKey = "eval-\(offset)"
              $0.volunteerNumber = number
              $0.activityID = activity.id
              $0.startTime = Self.day(offset, hour: 9)
              $0.endTime = Self.day(offset, hour: 17)
              $0.content = "visits"
              $0.travelTimeExcluded = true
            })
          if offset < 13 { approve.append(record.id) }
          if offset == 14 {
            _ = try await hours.rejectRecords(.with {
              $0.recordIds = [record.id]
              $0.reason = "duplicate sheet"
            })
          }
        }
        let review = try await hours.approveRecords(.with { $0.recordIds = approve })
        #expect(review.results.allSatisfy { $0.reviewed.status == .approved })

        let evaluations = Volunteer_V1_Evaluations.Client(wrapping: admin)
        let now = try await evaluations.evaluate(.with { $0.volunteerNumber = number })
        #expect(now.policyID == "national")
        #expect(now.policyVersion == 1)
        #expect(now.lifetimeMinutes == 13 * 480)
        #expect(now.lifetimeCreditedHalfHours == 13 * 16)
        #expect(now.trailingYearCreditedHalfHours == 13 * 16)
        #expect(now.approvedRecords == 13)
        #expect(now.activities == 1)
        #expect(now.organisations == 1)
        #expect(now.starLevel == 1)
        #expect(now.nextStarHours == 300)
        // Born 1949: the 26+ group, whose bronze needs 100 h.
        #expect(now.annualTier == .bronze)
        #expect(now.modules.first { $0.moduleID == "volunteering" }?.credits == 3)

        // As of the 5th day (inclusive): 5 records.
        let early = try await evaluations.evaluate(.with {
          $0.volunteerNumber = number
          $0.asOf = Self.date(2026, 10, 5)
        })
        #expect(early.lifetimeMinutes == 5 * 480)
        #expect(early.starLevel == 0)
        #expect(early.annualTier == .none)

        // A correction moves the evaluation: reversing one record drops below 100 h.
        _ = try await hours.correctRecord(.with {
          $0.idempotencyKey = "eval-fix"
          $0.recordID = approve[0]
          $0.kind = .reversal
          $0.reason = "volunteer was absent"
        })
        let corrected = try await evaluations.evaluate(.with { $0.volunteerNumber = number })
        #expect(corrected.lifetimeMinutes == 12 * 480)
        #expect(corrected.approvedRecords == 12)
        #expect(corrected.starLevel == 0)

        // Beijing's policy, by name; an unknown version and a future day are refused.
        let beijing = try await evaluations.evaluate(.with {
          $0.volunteerNumber = number
          $0.policyID = "beijing"
        })
        #expect(beijing.policyID == "beijing")
        await expectRPCError(.notFound) {
          _ = try await evaluations.evaluate(.with {
            $0.volunteerNumber = number
            $0.policyID = "beijing"
            $0.policyVersion = 9
          })
        }
        await expectRPCError(.invalidArgument) {
          _ = try await evaluations.evaluate(.with {
            $0.volunteerNumber = number
            $0.asOf = Self.date(2099, 1, 1)
          })
        }
        await expectRPCError(.invalidArgument) {
          _ = try await evaluations.evaluate(.with {
            $0.volunteerNumber = number
            $0.asOf = Self.date(2026, 2, 30)
          })
        }
        await expectRPCError(.notFound) {
          _ = try await evaluations.evaluate(.with { $0.volunteerNumber = "V0000000022" })
        }
      }
    }
  }

  @Test("policies load as new versions; a malformed one is refused and the running one stays", arguments: StoreKind.allCases)
  func policyVersions(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let evaluations = Volunteer_V1_Evaluations.Client(wrapping: admin)
        let listed = try await evaluations.listPolicies(.init())
        #expect(listed.policies.map { "\($0.id)@\($0.version)" } == ["beijing@1", "national@1"])
        #expect(listed.policies.first { $0.id == "national" }?.isDefault == true)

        let original = try String(contentsOfFile: repositoryPath("Policies/national.json"), encoding: .utf8)
        let broken = original.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")
          .replacingOccurrences(of: "[100, 300, 600, 1000, 1500]", with: "[100, 300, 250]")
        let message = await expectRPCError(.invalidArgument) {
          _ = try await evaluations.loadPolicy(.with { $0.documentJson = broken })
        }
        #expect(message.hasPrefix("star_thresholds_hours[2]:"), "\(message)")
        #expect(try await evaluations.listPolicies(.init()).policies.count == 2)

        // The same document again is answered unchanged; a stale version is refused.
        let same = try await evaluations.loadPolicy(.with { $0.documentJson = original })
        #expect(same.version == 1)
        #expect(same.loadedBy.hasPrefix("file:"))
        let stale = original.replacingOccurrences(of: "[100, 300, 600, 1000, 1500]", with: "[50, 300, 600, 1000, 1500]")
        await expectRPCError(.failedPrecondition) {
          _ = try await evaluations.loadPolicy(.with { $0.documentJson = stale })
        }

        let next = stale.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")
        let loaded = try await evaluations.loadPolicy(.with { $0.documentJson = next })
        #expect(loaded.version == 2)
        #expect(loaded.loadedBy == "spiffe://volunteer/admin/bootstrap")
        let newest = try await evaluations.getPolicy(.with { $0.id = "national" })
        #expect(newest.version == 2)
        #expect(newest.documentJson.contains("50,"))
        let first = try await evaluations.getPolicy(.with {
          $0.id = "national"
          $0.version = 1
        })
        #expect(first.version == 1)
      }
    }
  }
}
