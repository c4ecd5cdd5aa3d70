import ArgumentParser
import Foundation
import SwiftProtobuf
import WireProtocol

/// One service-hours record, from the command line (`hours log`) or from a row of an import
/// file (`import hours`), checked the same way in both: messages name the option or the CSV
/// column at fault. The service applies the same rules and more (the activity's status and
/// window, overlaps) and has the last word.
struct HoursRecordInput {
  struct Labels {
    var volunteer: String
    var activity: String
    var start: String
    var end: String
    var content: String
    var idempotencyKey: String

    static let options = Labels(
      volunteer: "--volunteer", activity: "--activity", start: "--start", end: "--end",
      content: "--content", idempotencyKey: "--idempotency-key")
    static let columns = Labels(
      volunteer: "volunteer_number", activity: "activity_id", start: "start_time",
      end: "end_time", content: "content", idempotencyKey: "key")
  }

  /// How far past this computer's clock a record may end, as the service allows.
  static let allowedFutureSkew: Double = 5 * 60

  var volunteer: String
  var activity: String
  var start: Google_Protobuf_Timestamp
  var end: Google_Protobuf_Timestamp
  var content: String

  /// Checks the values and builds the request, with `travel_time_excluded` set: by logging,
  /// the caller declares that start and end exclude travel time.
  func makeRequest(idempotencyKey: String, labels: Labels, now: Date = Date()) throws
    -> Volunteer_V1_LogHoursRequest
  {
    var request = Volunteer_V1_LogHoursRequest()
    let key = try LedgerArguments.text(idempotencyKey, labels.idempotencyKey, 1...128)
    guard key.utf8.count <= 128 else {
      throw ValidationError(
        "\(labels.idempotencyKey) must be at most 128 bytes, got \(key.utf8.count).")
    }
    request.idempotencyKey = key
    request.volunteerNumber = try LedgerArguments.volunteerNumber(self.volunteer, labels.volunteer)
    request.activityID = try LedgerArguments.serviceID(
      self.activity, labels.activity, example: "A000000001")
    let duration = self.end.secondsValue - self.start.secondsValue
    guard duration > 0 else {
      throw ValidationError(
        "\(labels.end) (\(self.end.iso8601)) must be after \(labels.start) (\(self.start.iso8601))."
      )
    }
    guard duration <= 24 * 3600 else {
      throw ValidationError(
        "one record covers at most 24 hours; \(labels.start) \(self.start.iso8601) to "
          + "\(labels.end) \(self.end.iso8601) is longer: split it into several records.")
    }
    guard self.end.secondsValue <= now.timeIntervalSince1970 + Self.allowedFutureSkew else {
      throw ValidationError(
        "\(labels.end) \(self.end.iso8601) is in the future (by this computer's clock): log "
          + "hours after they have been served.")
    }
    request.startTime = self.start
    request.endTime = self.end
    request.content = try LedgerArguments.text(self.content, labels.content, 1...500)
    request.travelTimeExcluded = true
    return request
  }
}
