import Crypto
import Foundation

@testable import VolunteerService

/// Builders of the values the conformance tests write, the same for both stores.
struct StoreFixtures: Sendable {
  let protector = PersonalDataProtector(
    encryptionKey: SymmetricKey(size: .bits256), hashingKey: SymmetricKey(size: .bits256))

  func claim(_ key: String, digest: [UInt8], principal: String = "partner", method: String = "test")
    -> IdempotencyClaim
  {
    IdempotencyClaim(principalID: principal, key: key, method: method, requestDigest: digest)
  }

  func volunteer(id: String, organisation: String = "national") throws -> NewVolunteer {
    let today = CalendarDate(year: 2026, month: 11, day: 28)!
    let registration = try VolunteerRegistration.validated(
      realName: "张三", documentType: .residentID, documentNumber: id, birthDate: nil, sex: nil,
      phone: nil, organisationID: organisation, guardianConsent: nil, today: today)
    let sealed = try self.protector.seal(registration.document.number)
    let hash = self.protector.documentHash(type: .residentID, number: registration.document.number)
    return NewVolunteer { number in
      VolunteerRecord(
        number: number, realName: registration.realName, documentType: .residentID,
        sealedDocumentNumber: sealed, documentHash: hash,
        maskedDocumentNumber: Masking.maskIdentifier(id), birthDate: registration.document.birthDate,
        sex: registration.document.sex, sealedPhone: nil, maskedPhone: nil,
        organisationID: organisation, guardianConsent: nil,
        registeredAt: Date(timeIntervalSince1970: 1_780_000_000.123), registeredBy: "partner")
    }
  }

  /// A valid resident ID born 1990-01-01 in Beijing with the given sequence number.
  static func residentID(sequence: Int) -> String {
    let body = "11010519900101" + String(format: "%03d", sequence % 1000)
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { total, pair in
      total + (pair.0.wholeNumberValue ?? 0) * pair.1
    }
    let check = Array("10X98765432")[sum % 11]
    return body + String(check)
  }

  /// The instant of 2026-03-02 at `hour`:`minute` in Beijing (UTC+8).
  static func march2(_ hour: Int, _ minute: Int = 0) -> Date {
    // 2026-03-02T00:00:00Z is 1772409600; Beijing midnight is 8 hours earlier.
    Date(timeIntervalSince1970: 1_772_409_600 - 8 * 3_600 + Double(hour * 3_600 + minute * 60))
  }

  /// Registers one volunteer (`registration`, or one with document `document`) and a
  /// published activity spanning 2026-03-02, returning the volunteer's number and the
  /// activity's id.
  func ledgerWorld(
    _ store: any RecordStore, document: Int = 1, registration: NewVolunteer? = nil
  ) async throws -> (volunteer: String, activity: String) {
    let volunteer = try await store.registerVolunteer(
      try registration ?? self.volunteer(id: Self.residentID(sequence: document)),
      idempotency: self.claim("register-\(document)", digest: [UInt8(document % 256)])
    ).value
    let activity = try await store.addActivity(
      { id in
        Activity(
          id: id, organisationID: "national", title: "River clean-up", category: .environment,
          regionCode: "100000", place: "Riverside", window: ActivityWindow(start: Self.march2(0), end: Self.march2(23, 59)),
          plannedMinutes: 600, personInCharge: "Li", status: .published,
          createdAt: Date(timeIntervalSince1970: 1_772_000_000), createdBy: "partner")
      }, idempotency: self.claim("activity-\(document)", digest: [1])
    ).value
    return (volunteer.number, activity.id)
  }

  /// A pending entry of `volunteer` at `activity` from `start` to `end` (hours of 2026-03-02).
  static func record(
    volunteer: String, activity: String, from start: Int, to end: Int
  ) -> @Sendable (String) -> ServiceRecord {
    { id in
      let minutes = (end - start) * 60
      return ServiceRecord(
        id: id, volunteerNumber: volunteer, activityID: activity, organisationID: "national",
        span: RecordSpan(start: Self.march2(start), end: Self.march2(end)), minutes: minutes,
        creditedHalfHours: minutes / 30, content: "clean-up", status: .pending, isLate: false,
        submittedBy: "partner", submittedAt: Date(timeIntervalSince1970: 1_772_500_000.5))
    }
  }
}
