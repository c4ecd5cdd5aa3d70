import Foundation
import VolunteerService

/// The volunteers and activity every phase writes records for, and the slot grid that keeps
/// the records apart: slot → (volunteer, day, hour), one hour each, never overlapping and
/// never more than four hours a day.
struct Fixture: Sendable {
  let volunteers: [String]
  let activity: String
  let firstDay: Date

  /// Bootstraps `store`, adds the activity and registers `count` volunteers; `progress` hears
  /// now and then how far registration got.
  static func make(
    store: SQLiteRecordStore, volunteers count: Int,
    progress: (@Sendable (Int) -> Void)? = nil
  ) async throws -> Fixture {
    let admin = StoreLoad.admin
    try await store.bootstrap(
      root: .root(id: "national", name: "National", regionCode: "100000"),
      admin: Principal(
        id: admin, role: .admin, scopeOrganisationID: "national", displayName: "admin",
        createdAt: Date(), createdBy: "bootstrap"))
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
    let today = calendar.startOfDay(for: Date())
    let firstDay = today.addingTimeInterval(-Double(StoreLoad.days + 1) * 86_400)
    let activity = try await store.addActivity(
      { id in
        Activity(
          id: id, organisationID: "national", title: "Benchmark", category: .elderlyCare,
          regionCode: "110105", place: "", window: ActivityWindow(start: firstDay, end: today),
          plannedMinutes: 60, personInCharge: "bench", status: .published, createdAt: Date(),
          createdBy: admin)
      }, idempotency: claim("activity")
    ).value
    guard let birthDate = CalendarDate(year: 2004, month: 5, day: 17) else {
      throw CancellationError()
    }
    // Registered by 64 concurrent callers, as partners would: the group-commit writer batches
    // them.
    let next = SlotCounter(startingAt: 0)
    let numbers = try await withThrowingTaskGroup(of: [(Int, String)].self) { group in
      for _ in 0..<min(64, count) {
        group.addTask {
          var registered: [(Int, String)] = []
          while true {
            let index = next.take()
            guard index < count else { return registered }
            let outcome = try await store.registerVolunteer(
              NewVolunteer { number in
                VolunteerRecord(
                  number: number, realName: "张三", documentType: .residentID,
                  sealedDocumentNumber: Array("sealed-\(index)".utf8),
                  documentHash: "hash-\(index)", maskedDocumentNumber: "1101**********\(index % 10)X",
                  birthDate: birthDate, sex: .female, sealedPhone: nil, maskedPhone: nil,
                  organisationID: "national", guardianConsent: nil, registeredAt: Date(),
                  registeredBy: admin)
              }, idempotency: claim("volunteer-\(index)"))
            registered.append((index, outcome.value.number))
            if let progress, registered.count % 10_000 == 0 { progress(index) }
          }
        }
      }
      var numbers = [String](repeating: "", count: count)
      for try await batch in group {
        for (index, number) in batch { numbers[index] = number }
      }
      return numbers
    }
    return Fixture(volunteers: numbers, activity: activity.id, firstDay: firstDay)
  }

  static func claim(_ key: String) -> IdempotencyClaim {
    IdempotencyClaim(
      principalID: StoreLoad.admin, key: key, method: "bench", requestDigest: Array(key.utf8))
  }

  /// The record of `slot`: volunteer first, then day, then hour.
  func record(slot: Int) -> NewRecord {
    let count = self.volunteers.count
    let volunteer = self.volunteers[slot % count]
    let day = (slot / count) % StoreLoad.days
    let hour = StoreLoad.hours[(slot / (count * StoreLoad.days)) % StoreLoad.hours.count]
    let start = self.firstDay.addingTimeInterval(Double(day + 1) * 86_400 + hour * 3_600)
    let activity = self.activity
    return NewRecord(
      makeRecord: { id in
        ServiceRecord(
          id: id, volunteerNumber: volunteer, activityID: activity, organisationID: "national",
          span: RecordSpan(start: start, end: start.addingTimeInterval(3_600)), minutes: 60,
          creditedHalfHours: 2, content: "benchmark record", status: .pending, isLate: false,
          submittedBy: StoreLoad.admin, submittedAt: Date())
      }, idempotency: Self.claim("record-\(slot)"))
  }
}
