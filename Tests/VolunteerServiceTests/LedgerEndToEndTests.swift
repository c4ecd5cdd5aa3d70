import Foundation
import GRDB
import GRPCCore
import NIOCore
import SwiftProtobuf
import Testing
import WireProtocol

@testable import VolunteerService

@Suite("Hours ledger end to end")
struct LedgerEndToEndTests {
  /// A fixed past week in Asia/Shanghai: Monday 2026-11-02 00:00 +08:00.
  static let monday = Date(timeIntervalSince1970: 1_793_548_800)

  static func at(day: Int, hour: Double) -> Google_Protobuf_Timestamp {
    Google_Protobuf_Timestamp(date: Self.monday.addingTimeInterval(Double(day) * 86_400 + hour * 3_600))
  }

  static func log(
    key: String, volunteer: String, activity: String, day: Int, from: Double, to: Double
  ) -> Volunteer_V1_LogHoursRequest {
    .with {
      $0.idempotencyKey = key
      $0.volunteerNumber = volunteer
      $0.activityID = activity
      $0.startTime = Self.at(day: day, hour: from)
      $0.endTime = Self.at(day: day, hour: to)
      $0.content = "sorting donations"
      $0.travelTimeExcluded = true
    }
  }

  @Test("corrections reference the original and move the totals; statistics come from the ledger",
    arguments: StoreKind.allCases)
  func correctionsAndStatistics(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let activities = Volunteer_V1_Activities.Client(wrapping: admin)
        let hours = Volunteer_V1_Hours.Client(wrapping: admin)
        let volunteers = Volunteer_V1_Volunteers.Client(wrapping: admin)
        let first = try await volunteers.registerVolunteer(ServiceEndToEndTests.registration(key: "v1"))
          .volunteer.volunteerNumber
        _ = try await volunteers.registerVolunteer(
          ServiceEndToEndTests.registration(
            key: "v2", document: ServiceEndToEndTests.withCheckCharacter("11010519800101001")))
        let activity = try await activities.createActivity(
          .with {
            $0.idempotencyKey = "act"
            $0.organisationID = "national"
            $0.title = "River clean-up"
            $0.category = .environment
            $0.regionCode = "110105"
            $0.startTime = Self.at(day: 0, hour: 0)
            $0.endTime = Self.at(day: 7, hour: 0)
            $0.plannedMinutes = 240
            $0.personInCharge = "李队长"
          })
        _ = try await activities.publishActivity(.with { $0.id = activity.id })
        let record = try await hours.logHours(
          Self.log(key: "r", volunteer: first, activity: activity.id, day: 0, from: 9, to: 13))
        _ = try await hours.approveRecords(.with { $0.recordIds = [record.id] })

        func correct(_ key: String, _ kind: Volunteer_V1_RecordKind, minutes: Int32 = 0, reason: String = "typo")
          async throws -> Volunteer_V1_ServiceRecord
        {
          try await hours.correctRecord(
            .with {
              $0.idempotencyKey = key
              $0.recordID = record.id
              $0.kind = kind
              $0.adjustmentMinutes = minutes
              $0.reason = reason
            })
        }
        let adjustment = try await correct("c1", .adjustment, minutes: -30)
        #expect(adjustment.kind == .adjustment)
        #expect(adjustment.correctsRecordID == record.id)
        #expect(adjustment.deltaMinutes == -30)
        #expect(adjustment.status == .approved)
        var listed = try await hours.listRecords(.with { $0.volunteerNumber = first })
        #expect(listed.approvedMinutes == 210)
        #expect(listed.approvedCreditedHalfHours == 7)
        #expect(listed.approvedRecords == 1)

        let replay = try await correct("c1", .adjustment, minutes: -30)
        #expect(replay.id == adjustment.id)
        await expectRPCError(.invalidArgument) { _ = try await correct("c2", .adjustment, minutes: -300) }
        await expectRPCError(.invalidArgument) { _ = try await correct("c3", .adjustment, minutes: 10, reason: "") }
        let reversal = try await correct("c4", .reversal)
        #expect(reversal.deltaMinutes == -210)
        listed = try await hours.listRecords(.with { $0.volunteerNumber = first })
        #expect(listed.approvedMinutes == 0)
        #expect(listed.approvedCreditedHalfHours == 0)
        #expect(listed.records.count == 3)
        await expectRPCError(.invalidArgument) { _ = try await correct("c5", .reversal) }

        // The reversed slot stays taken (the original is still approved); a new slot is free.
        let second = try await hours.logHours(
          Self.log(key: "r2", volunteer: first, activity: activity.id, day: 1, from: 9, to: 10))
        _ = try await hours.approveRecords(.with { $0.recordIds = [second.id] })

        let statistics = try await Volunteer_V1_Statistics.Client(wrapping: admin).getStatistics(.init())
        #expect(statistics.registeredVolunteers == 2)
        #expect(statistics.activeVolunteers == 1)
        #expect(statistics.approvedMinutes == 60)
        #expect(statistics.approvedCreditedHalfHours == 2)
        #expect(statistics.approvedRecords == 2)
        #expect(statistics.activities == 1)
        #expect(statistics.starDistribution == [2, 0, 0, 0, 0, 0])
        // The fixture week ended more than 10 working days ago: both entries are late.
        #expect(record.late && second.late)
        #expect(statistics.lateEntryShare == 1)
        let empty = try await Volunteer_V1_Statistics.Client(wrapping: admin).getStatistics(
          .with { $0.before = Google_Protobuf_Timestamp(date: Self.monday) })
        #expect(empty.approvedRecords == 0)
        #expect(empty.activities == 0)
      }
    }
  }

  @Test("training and awards are recorded apart and never add to service hours",
    arguments: StoreKind.allCases)
  func trainingAndAwards(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, _ in
      try await withClient(port: port, certificate: "admin") { admin in
        let recognition = Volunteer_V1_Recognition.Client(wrapping: admin)
        let number = try await Volunteer_V1_Volunteers.Client(wrapping: admin).registerVolunteer(
          ServiceEndToEndTests.registration(key: "v")
        ).volunteer.volunteerNumber
        let training = Volunteer_V1_RecordTrainingRequest.with {
          $0.idempotencyKey = "t1"
          $0.volunteerNumber = number
          $0.organisationID = "national"
          $0.title = "First aid level 1"
          $0.startTime = Self.at(day: 0, hour: 9)
          $0.endTime = Self.at(day: 0, hour: 12.5)
        }
        let recorded = try await recognition.recordTraining(training)
        #expect(recorded.minutes == 210)
        #expect(try await recognition.recordTraining(training).id == recorded.id)
        var other = training
        other.title = "Something else"
        await expectRPCError(.failedPrecondition) { _ = try await recognition.recordTraining(other) }
        other.idempotencyKey = "t2"
        other.endTime = other.startTime
        await expectRPCError(.invalidArgument) { _ = try await recognition.recordTraining(other) }

        let award = try await recognition.recordAward(
          .with {
            $0.idempotencyKey = "a1"
            $0.volunteerNumber = number
            $0.organisationID = "national"
            $0.title = "Outstanding Volunteer 2026"
            $0.level = "national"
            $0.awardedOn = .with {
              $0.year = 2026
              $0.month = 5
              $0.day = 4
            }
          })
        #expect(award.awardedOn.month == 5)
        await expectRPCError(.invalidArgument) {
          _ = try await recognition.recordAward(
            .with {
              $0.idempotencyKey = "a2"
              $0.volunteerNumber = number
              $0.organisationID = "national"
              $0.title = "Future"
              $0.awardedOn = .with {
                $0.year = 2999
                $0.month = 1
                $0.day = 1
              }
            })
        }
        let listed = try await recognition.listRecognition(.with { $0.volunteerNumber = number })
        #expect(listed.training.count == 1)
        #expect(listed.awards.count == 1)
        #expect(listed.trainingMinutes == 210)
        let ledger = try await Volunteer_V1_Hours.Client(wrapping: admin).listRecords(
          .with { $0.volunteerNumber = number })
        #expect(ledger.records.isEmpty)
        #expect(ledger.approvedMinutes == 0)
      }
    }
  }

  @Test("activity lifecycle, logging rules, retries, overlaps, review and totals",
    arguments: StoreKind.allCases)
  func ledger(kind: StoreKind) async throws {
    try await withRunningService(store: kind) { port, dataDirectory in
      try await withClient(port: port, certificate: "admin") { admin in
        let activities = Volunteer_V1_Activities.Client(wrapping: admin)
        let hours = Volunteer_V1_Hours.Client(wrapping: admin)
        let volunteer = try await Volunteer_V1_Volunteers.Client(wrapping: admin).registerVolunteer(
          ServiceEndToEndTests.registration(key: "v")
        ).volunteer.volunteerNumber

        let activity = try await activities.createActivity(
          .with {
            $0.idempotencyKey = "act-1"
            $0.organisationID = "national"
            $0.title = "Food bank week"
            $0.category = .povertyRelief
            $0.regionCode = "110105"
            $0.place = "Chaoyang food bank"
            $0.startTime = Self.at(day: 0, hour: 0)
            $0.endTime = Self.at(day: 7, hour: 0)
            $0.plannedMinutes = 600
            $0.personInCharge = "王老师"
          })
        #expect(activity.status == .draft)
        let draftRefusal = await expectRPCError(.invalidArgument) {
          _ = try await hours.logHours(
            Self.log(key: "r0", volunteer: volunteer, activity: activity.id, day: 0, from: 9, to: 11))
        }
        #expect(draftRefusal.hasPrefix("activity_id:"))
        // A move the lifecycle forbids is about the activity's state: FAILED_PRECONDITION.
        let draftClose = await expectRPCError(.failedPrecondition) {
          _ = try await activities.closeActivity(.with { $0.id = activity.id })
        }
        #expect(draftClose.contains("publish it first"))
        let published = try await activities.publishActivity(.with { $0.id = activity.id })
        // A retried publish (its reply lost) answers like the first one.
        #expect(try await activities.publishActivity(.with { $0.id = activity.id }) == published)

        // 2 h 20 min credits 2.5 h.
        let first = try await hours.logHours(
          Self.log(key: "r1", volunteer: volunteer, activity: activity.id, day: 0, from: 9, to: 11 + 1.0 / 3))
        #expect(first.minutes == 140)
        #expect(first.creditedHalfHours == 5)
        #expect(first.status == .pending)
        let retry = try await hours.logHours(
          Self.log(key: "r1", volunteer: volunteer, activity: activity.id, day: 0, from: 9, to: 11 + 1.0 / 3))
        #expect(retry.id == first.id)
        await expectRPCError(.failedPrecondition) {
          _ = try await hours.logHours(
            Self.log(key: "r1", volunteer: volunteer, activity: activity.id, day: 0, from: 9, to: 12))
        }
        let overlap = await expectRPCError(.failedPrecondition) {
          _ = try await hours.logHours(
            Self.log(key: "r2", volunteer: volunteer, activity: activity.id, day: 0, from: 10, to: 12))
        }
        #expect(overlap.contains(first.id))
        var travel = Self.log(key: "r3", volunteer: volunteer, activity: activity.id, day: 1, from: 9, to: 10)
        travel.travelTimeExcluded = false
        await expectRPCError(.invalidArgument) { _ = try await hours.logHours(travel) }
        await expectRPCError(.invalidArgument) {
          _ = try await hours.logHours(
            Self.log(key: "r4", volunteer: volunteer, activity: activity.id, day: 1, from: 10, to: 9))
        }
        await expectRPCError(.invalidArgument) {
          _ = try await hours.logHours(
            Self.log(key: "r5", volunteer: volunteer, activity: activity.id, day: 9, from: 9, to: 10))
        }

        // Review: a 7 h record on day 1 approves; a further 2 h that day needs an override.
        let long = try await hours.logHours(
          Self.log(key: "r6", volunteer: volunteer, activity: activity.id, day: 1, from: 8, to: 15))
        let extra = try await hours.logHours(
          Self.log(key: "r7", volunteer: volunteer, activity: activity.id, day: 1, from: 16, to: 18))
        var review = try await hours.approveRecords(.with { $0.recordIds = [first.id, long.id, extra.id] })
        #expect(review.results.map(\.reviewed.status) == [.approved, .approved, .unspecified])
        #expect(review.results[2].refused.code == UInt32(RPCError.Code.failedPrecondition.rawValue))
        #expect(review.results[2].refused.message.contains("9 h"))
        review = try await hours.approveRecords(
          .with {
            $0.recordIds = [extra.id]
            $0.capOverride = .verifyingOrganisation
          })
        #expect(review.results.first?.reviewed.capOverride == .verifyingOrganisation)
        // A retried approval answers with the record as it stands; a contrary decision on an
        // approved record is refused.
        review = try await hours.approveRecords(.with { $0.recordIds = [extra.id] })
        #expect(review.results.first?.reviewed.capOverride == .verifyingOrganisation)
        review = try await hours.rejectRecords(.with {
          $0.recordIds = [extra.id]
          $0.reason = "second thoughts"
        })
        #expect(review.results.first?.refused.message.contains("never changed") == true)
        #expect(review.results.first?.refused.code == UInt32(RPCError.Code.failedPrecondition.rawValue))

        let rejectWithoutReason = try await hours.rejectRecords(.with { $0.recordIds = ["R000000099"] })
        #expect(rejectWithoutReason.results.first?.refused.code == UInt32(RPCError.Code.notFound.rawValue))

        let listed = try await hours.listRecords(.with { $0.volunteerNumber = volunteer })
        #expect(listed.records.count == 3)
        #expect(listed.approvedRecords == 3)
        #expect(listed.approvedMinutes == 140 + 420 + 120)
        #expect(listed.approvedCreditedHalfHours == 5 + 14 + 4)

        // Batch upload: results per record, in order; overlaps inside the batch are decided
        // by position; a refused record does not stop the others.
        var batch: [Volunteer_V1_LogHoursRequest] = []
        for index in 0..<200 {
          let from = Double(index % 50) * 0.25
          batch.append(
            Self.log(
              key: "b\(index)", volunteer: volunteer, activity: activity.id, day: 2 + index / 50,
              from: from, to: from + 0.25))
        }
        batch += [
          Self.log(key: "b-overlap", volunteer: volunteer, activity: activity.id, day: 2, from: 0.1, to: 0.2),
          Self.log(key: "b0", volunteer: volunteer, activity: activity.id, day: 2, from: 0, to: 0.25),
          Self.log(key: "b-bad", volunteer: "V0000000010", activity: activity.id, day: 6, from: 1, to: 2),
        ]
        let sent = batch
        let upload = try await hours.uploadHours(requestProducer: { writer in
          try await writer.write(contentsOf: sent)
        })
        #expect(upload.accepted == 200)
        #expect(upload.replayed == 1)
        #expect(upload.refused == 2)
        #expect(upload.results.map(\.index) == Array(0..<203).map(UInt32.init))
        #expect(upload.results[200].refused.code == UInt32(RPCError.Code.failedPrecondition.rawValue))
        #expect(upload.results[201].replayed.id == upload.results[0].accepted.id)
        #expect(upload.results[202].refused.message.hasPrefix("volunteer_number:"))
        let again = try await hours.uploadHours(requestProducer: { writer in
          try await writer.write(contentsOf: sent.prefix(10))
        })
        #expect(again.replayed == 10)

        // A retry is answered from the ledger even once the state that was checked has
        // changed: the activity is closed and the volunteer has withdrawn.
        _ = try await activities.closeActivity(.with { $0.id = activity.id })
        _ = try await Volunteer_V1_Volunteers.Client(wrapping: admin).withdrawVolunteer(
          .with { $0.volunteerNumber = volunteer })
        let replayedAfterWithdrawal = try await hours.logHours(
          Self.log(key: "r1", volunteer: volunteer, activity: activity.id, day: 0, from: 9, to: 11 + 1.0 / 3))
        #expect(replayedAfterWithdrawal.id == first.id)
        let uploadAfterWithdrawal = try await hours.uploadHours(requestProducer: { writer in
          try await writer.write(contentsOf: sent.prefix(3))
        })
        #expect(uploadAfterWithdrawal.replayed == 3)
        await expectRPCError(.failedPrecondition) {
          _ = try await hours.logHours(
            Self.log(key: "new-after-withdrawal", volunteer: volunteer, activity: activity.id, day: 6, from: 1, to: 2))
        }
      }
      if kind == .sqlite {
        // Approved records are immutable even to someone editing the database file directly
        // (PostgreSQL: PostgresRecordStoreTests.approvedImmutableInSQL).
        let database = try DatabaseQueue(path: dataDirectory + "/volunteer.sqlite")
        #expect(throws: DatabaseError.self) {
          try database.write { db in
            try db.execute(sql: "UPDATE service_record SET minutes = 600 WHERE status = 'approved'")
          }
        }
        #expect(throws: DatabaseError.self) {
          try database.write { db in try db.execute(sql: "DELETE FROM service_record WHERE status = 'approved'") }
        }
      }
    }
  }
}
