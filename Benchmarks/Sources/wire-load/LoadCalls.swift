import Foundation
import GRPCCore
import SwiftProtobuf
import WireProtocol

/// Makes one call of the run's method on one client: the request of call number `sequence`,
/// and what counts as a right answer.
struct LoadCalls<Transport: ClientTransport>: Sendable {
  /// Slots per volunteer and day for log-hours: one hour at 08, 10, 13 or 15 o'clock, over the
  /// last ``days`` days, the same grid as `upload`.
  static var hours: [Double] { UploadCommand.hours }
  static var days: Int { UploadCommand.days }

  let health: Volunteer_V1_Health.Client<Transport>
  let volunteers: Volunteer_V1_Volunteers.Client<Transport>
  let hours: Volunteer_V1_Hours.Client<Transport>
  let evaluations: Volunteer_V1_Evaluations.Client<Transport>
  let credentials: Volunteer_V1_Credentials.Client<Transport>
  let settings: LoadSettings
  let control: LoadControl
  let today = Calendar(identifier: .gregorian).startOfDay(for: Date())

  init(client: GRPCClient<Transport>, settings: LoadSettings, control: LoadControl) {
    self.health = .init(wrapping: client)
    self.volunteers = .init(wrapping: client)
    self.hours = .init(wrapping: client)
    self.evaluations = .init(wrapping: client)
    self.credentials = .init(wrapping: client)
    self.settings = settings
    self.control = control
  }

  /// Makes the call; returns the items it received (credentials for export, else 0).
  func make(sequence: Int) async throws -> Int {
    let options = self.settings.options
    switch self.settings.method {
    case .health:
      let response = try await self.health.check(.init(), options: options)
      guard response.status == .serving else {
        throw LoadFailure(code: "NOT_SERVING", message: "Health.Check answered \(response.status)")
      }
      return 0
    case .getVolunteer:
      _ = try await self.volunteers.getVolunteer(
        .with { $0.volunteerNumber = self.volunteer(sequence) }, options: options)
      return 0
    case .evaluate:
      _ = try await self.evaluations.evaluate(
        .with { $0.volunteerNumber = self.volunteer(sequence) }, options: options)
      return 0
    case .logHours:
      _ = try await self.hours.logHours(try self.newRecord(), options: options)
      return 0
    case .export:
      return try await self.credentials.exportCredentials(.init(), options: options) { response in
        var lines = 0
        for try await part in response.messages {
          if case .credentialLine = part.part { lines += 1 }
        }
        return lines
      }
    }
  }

  private func volunteer(_ sequence: Int) -> String {
    self.settings.volunteers[sequence % self.settings.volunteers.count]
  }

  /// A one-hour record on the next free slot: volunteer, then day, then hour, so no two
  /// records of a run overlap or pass the daily cap.
  private func newRecord() throws -> Volunteer_V1_LogHoursRequest {
    let slot = self.control.nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue
    let count = self.settings.volunteers.count
    let hourIndex = slot / (count * Self.days)
    guard hourIndex < Self.hours.count else {
      throw LoadFailure(
        code: "OUT_OF_SLOTS",
        message: "all \(count * Self.days * Self.hours.count) slots used: give more volunteers")
    }
    let day = (slot / count) % Self.days
    let start = self.today.addingTimeInterval(
      -Double(Self.days - day) * 86_400 + Self.hours[hourIndex] * 3_600)
    return .with {
      $0.idempotencyKey = "wl-\(self.control.runID)-\(slot)"
      $0.volunteerNumber = self.settings.volunteers[slot % count]
      $0.activityID = self.settings.activity ?? ""
      $0.startTime = Google_Protobuf_Timestamp(date: start)
      $0.endTime = Google_Protobuf_Timestamp(date: start.addingTimeInterval(3_600))
      $0.content = "benchmark record"
      $0.travelTimeExcluded = true
    }
  }
}
